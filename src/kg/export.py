"""Write the store's graphs in an RDF syntax: the whole dataset (N-Quads, TriG) or one graph (Turtle, ...)."""

from __future__ import annotations

import pyoxigraph

from kg import results
from kg.errors import NotFound, UsageError
from kg.namespaces import PREFIXES
from kg.store.base import Store

FORMATS = {**results.RDF_TYPES, **results.DATASET_TYPES}


def media_type(name: str | None, graph: str | None) -> str:
    """The media type for a `--format` alias or type; by default N-Quads for the dataset, Turtle for one graph."""
    if name is None:
        return "text/turtle" if graph else "application/n-quads"
    media = results.ALIASES.get(name.lower(), name.lower())
    if media not in FORMATS:
        raise UsageError(f"cannot export as {name!r}; use one of {', '.join(sorted(FORMATS))} or their short names")
    return media


def export(store: Store, media: str, graph: str | None = None) -> bytes:
    """One graph, or all of them: a triples syntax gets the union of the graphs, a dataset syntax keeps them apart."""
    if graph is not None:
        _check_iri(graph)
        triples = store.graph_triples(graph)
        if triples is None:
            raise NotFound(f"the store has no graph <{graph}>")
        quads = [pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.NamedNode(graph)) for t in triples]
    else:
        quads = list(store.quads())
    if media in results.DATASET_TYPES:
        return results.serialize_quads(quads, media)
    union = list(dict.fromkeys(quad.triple for quad in quads))
    return results.serialize_triples(union, media, PREFIXES)


def _check_iri(graph: str) -> None:
    try:
        pyoxigraph.NamedNode(graph)
    except ValueError as error:
        raise UsageError(f"--graph {graph!r} is not an absolute IRI: {error}") from None
