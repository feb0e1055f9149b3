"""Write the store's graphs in an RDF syntax: the whole dataset (N-Quads, TriG) or one graph (Turtle, ...)."""

from __future__ import annotations

from kg.core.errors import NotFound, UsageError
from kg.rdf import results
from kg.rdf.formats import ALIASES, DATASET_TYPES, RDF_TYPES
from kg.rdf.namespaces import PREFIXES
from kg.rdf.terms import iri, quad
from kg.store.base import Store

FORMATS = RDF_TYPES + DATASET_TYPES


def media_type(name: str | None, graph: str | None) -> str:
    """The media type for a `--format` alias or type; by default N-Quads for the dataset, Turtle for one graph."""
    if name is None:
        return "text/turtle" if graph else "application/n-quads"
    media = ALIASES.get(name.lower(), name.lower())
    if media not in FORMATS:
        raise UsageError(f"cannot export as {name!r}; use one of {', '.join(sorted(FORMATS))} or their short names")
    return media


def export(store: Store, media: str, graph: str | None = None) -> bytes:
    """One graph, or all of them: a triples syntax gets the union of the graphs, a dataset syntax keeps them apart."""
    if graph is not None:
        iri(graph, "--graph")
        triples = store.graph_triples(graph)
        if triples is None:
            raise NotFound(f"the store has no graph <{graph}>")
        quads = [quad(t, graph) for t in triples]
    else:
        quads = list(store.quads())
    if media in DATASET_TYPES:
        return results.serialize_quads(quads, media)
    union = list(dict.fromkeys(q.triple for q in quads))
    return results.serialize_triples(union, media, PREFIXES)
