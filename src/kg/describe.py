"""Describe one resource of the graph: the triples that mention it and the labels of what they link to.

A resource's description is every triple with it as subject (with the triples of the blank nodes it points
to, one level deep) plus every triple with it as object: the symmetric concise bounded description, so a
linked-data client sees both the links a resource makes and the links made to it. Both queries are `.rq` files
with the resource bound as a typed term, so they run the same on the embedded and the remote store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph

from kg.errors import NotFound
from kg.queries import query_text
from kg.store.base import Store

DESCRIPTION = query_text("resource-description")
LABELS = query_text("resource-labels")


@dataclass
class Description:
    iri: str
    triples: list[pyoxigraph.Triple]
    truncated: bool = False  # the row limit cut the description short

    @property
    def node(self) -> pyoxigraph.NamedNode:
        return pyoxigraph.NamedNode(self.iri)

    @property
    def outgoing(self) -> list[pyoxigraph.Triple]:
        return [t for t in self.triples if t.subject == self.node]

    @property
    def incoming(self) -> list[pyoxigraph.Triple]:
        return [t for t in self.triples if t.object == self.node]

    def about(self, blank: pyoxigraph.BlankNode) -> list[pyoxigraph.Triple]:
        """The triples of a blank node the resource points to."""
        return [t for t in self.triples if t.subject == blank]


def describe(store: Store, iri: str, max_rows: int | None = None) -> Description:
    """The description of `iri`; NotFound when no triple has it as subject or object."""
    try:
        node = pyoxigraph.NamedNode(iri)
    except ValueError:  # a path that makes no valid IRI (a space, say) names nothing in the graph
        raise NotFound(f"<{iri}> is not a valid IRI, so it is not in the graph") from None
    result = store.query(DESCRIPTION, bindings={"resource": node}, max_rows=max_rows)
    triples = list(dict.fromkeys(result.triples))  # one triple may be stated in several named graphs
    if not triples:
        raise NotFound(f"<{iri}> is not in the graph: no triple has it as subject or object")
    return Description(iri, triples, result.truncated)


def linked_labels(store: Store, iri: str, max_rows: int | None = None) -> dict[str, list[pyoxigraph.Literal]]:
    """Labels (rdfs:label, skos:prefLabel; every language) of the resource and of each IRI it is linked with."""
    result = store.query(LABELS, bindings={"resource": pyoxigraph.NamedNode(iri)}, max_rows=max_rows)
    labels: dict[str, list[pyoxigraph.Literal]] = defaultdict(list)
    for row in result.rows:
        if isinstance(row.get("label"), pyoxigraph.Literal) and row["label"] not in labels[row["node"].value]:
            labels[row["node"].value].append(row["label"])
    return dict(labels)
