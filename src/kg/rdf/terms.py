"""The tool's RDF terms: pyoxigraph's term classes, the one check that text is an absolute IRI, typed literals,
and plain Python values for results.

Everything above `kg.rdf` and `kg.store` builds and inspects terms through this module, so there is one place that
decides what an IRI is and what error a bad one gives.
"""

from __future__ import annotations

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple, Variable  # noqa: F401 (the term model)

from kg.core.errors import KgError, UsageError

Term = NamedNode | BlankNode | Literal | Triple
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {"integer", "positiveInteger", "nonNegativeInteger", "negativeInteger", "nonPositiveInteger", "int",
                 "long", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"}


def iri(value: str, what: str = "", error: type[KgError] = UsageError) -> NamedNode:
    """The IRI as a term; `error` (naming `what`) when the text is not an absolute IRI."""
    try:
        return NamedNode(value)
    except (ValueError, TypeError) as reason:
        raise error(f"{what + ': ' if what else ''}{value!r} is not an absolute IRI ({reason})") from None


def typed(value: str, datatype: str) -> Literal:
    """A literal of an XML Schema datatype given by local name (`typed("2023", "gYear")`)."""
    return Literal(value, datatype=NamedNode(XSD + datatype))


def graph_node(graph: str | None) -> NamedNode | DefaultGraph:
    """A named graph's node, or the default graph for None."""
    return DefaultGraph() if graph is None else NamedNode(graph)


def quad(triple: Triple, graph: str | None) -> Quad:
    return Quad(triple.subject, triple.predicate, triple.object, graph_node(graph))


def is_node(term) -> bool:
    """An IRI or a blank node: something that can be a subject."""
    return isinstance(term, (NamedNode, BlankNode))


def python_value(term):
    """A plain Python value for a term: IRIs and strings as str, numbers as numbers, unbound as None."""
    if term is None:
        return None
    if isinstance(term, Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in INTEGER_TYPES:
            return int(term.value)
        if datatype in {"decimal", "double", "float"}:
            return float(term.value)
        if datatype == "boolean":
            return term.value == "true"
    return term.value


__all__ = ["BlankNode", "DefaultGraph", "Literal", "NamedNode", "Quad", "Term", "Triple", "Variable", "graph_node",
           "iri", "is_node", "python_value", "quad", "typed"]
