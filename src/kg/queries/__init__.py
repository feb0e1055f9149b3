"""SPARQL queries kept as `.rq` data files beside this module."""

from importlib.resources import files


def query_text(name: str) -> str:
    """The text of `queries/{name}.rq`."""
    return (files(__package__) / f"{name}.rq").read_text(encoding="utf-8")
