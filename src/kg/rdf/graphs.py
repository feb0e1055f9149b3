"""rdflib graphs of Turtle files, for the libraries that work on rdflib (pySHACL, pyLODE, the OWL checks).

Each file is parsed once, by Oxigraph (`kg.rdf.parsing`: exact error positions, and much faster than rdflib's
parser), and its triples and prefixes are copied into an rdflib graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
import rdflib

from kg.rdf.parsing import read_file


def read_turtle(path: Path) -> rdflib.Graph:
    """One file as an rdflib graph with the file's prefixes bound; ParseError pointing at a bad token."""
    parsed = read_file(path)
    graph = rdflib.Graph()
    for prefix, namespace in parsed.prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    for quad in parsed.quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def read_turtle_files(paths: Iterable[Path]) -> rdflib.Graph:
    """Several files as one graph (prefixes of the first files win)."""
    union = rdflib.Graph()
    for path in paths:
        part = read_turtle(path)
        for prefix, namespace in part.namespaces():
            union.bind(prefix, namespace, override=False)
        union += part
    return union


def to_rdflib(term) -> rdflib.term.Node:
    """The rdflib term for a pyoxigraph term."""
    if isinstance(term, pyoxigraph.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise ValueError(f"rdflib cannot hold the triple term {term}")


def graph_of(triples: Iterable, prefixes: Iterable[tuple[str, str]] = ()) -> rdflib.Graph:
    """An rdflib graph of pyoxigraph triples or quads (graph names dropped), with these prefixes bound."""
    graph = rdflib.Graph()
    for prefix, namespace in prefixes:
        graph.bind(prefix, namespace, override=False)
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def ntriples(quads: Iterable) -> str:
    """The triples of quads (graph names dropped) as N-Triples, written by the engine."""
    return pyoxigraph.serialize((q.triple for q in quads), format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")
