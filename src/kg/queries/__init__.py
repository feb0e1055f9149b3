"""SPARQL kept as `.rq` data files, and the one reader for them.

Convention: a file opens with a header of `# key: value` comment lines (`description`, `title`, and for canned
queries `name`, `title@en`, `param`, `example`, ...), then the SPARQL text. The header is plain SPARQL comments, so
a file runs unchanged in any SPARQL tool. Folders: `canned/` (the API's parameterised queries), `examples/` (the
query page's examples), `services/` (what the services ask), `store/` (what the stores ask their engine or server).
This package imports nothing of `kg`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

_HEADER_LINE = re.compile(r"^#\s*([A-Za-z@-]+)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class QueryFile:
    """One `.rq` file: its name (the file's stem), its header (key -> values, in order) and its whole text."""

    name: str
    header: dict[str, list[str]]
    text: str


def read(path: str) -> QueryFile:
    """`read("services/class-counts")`: the file `queries/services/class-counts.rq`."""
    folder, _, name = path.rpartition("/")
    return _parse(name, (_root(folder) / f"{name}.rq").read_text(encoding="utf-8"))


def text(path: str) -> str:
    """The SPARQL text of `queries/{path}.rq` (the header stays in: it is comments)."""
    return read(path).text


def folder(name: str) -> list[QueryFile]:
    """Every `.rq` file of `queries/{name}/`, in file-name order."""
    entries = sorted((e for e in _root(name).iterdir() if e.name.endswith(".rq")), key=lambda e: e.name)
    return [_parse(e.name[:-3], e.read_text(encoding="utf-8")) for e in entries]


def header_of(text: str) -> dict[str, list[str]]:
    """The `# key: value` lines before the first line that is not a comment."""
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_LINE.match(line)
        if match:
            header.setdefault(match.group(1), []).append(match.group(2))
    return header


def _parse(name: str, text: str) -> QueryFile:
    return QueryFile(name, header_of(text), text)


def _root(folder: str):
    root = files(__package__)
    return root / folder if folder else root
