"""Describe one resource of the graph: the triples that mention it and the labels of what they link to.

A resource's description is every triple with it as subject (with the triples of the blank nodes it points
to, one level deep) plus every triple with it as object: the symmetric concise bounded description, so a
linked-data client sees both the links a resource makes and the links made to it. Both queries are `.rq` files
with the resource bound as a typed term, so they run the same on the embedded and the remote store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg import queries
from kg.core.errors import NotFound
from kg.rdf.terms import BlankNode, Literal, NamedNode, Triple, iri
from kg.store.base import Store

DESCRIPTION = queries.text("services/resource-description")
LABELS = queries.text("services/resource-labels")


@dataclass
class Description:
    iri: str
    triples: list[Triple]
    truncated: bool = False  # the row limit cut the description short

    @property
    def node(self) -> NamedNode:
        return NamedNode(self.iri)

    @property
    def outgoing(self) -> list[Triple]:
        return [t for t in self.triples if t.subject == self.node]

    @property
    def incoming(self) -> list[Triple]:
        return [t for t in self.triples if t.object == self.node]

    def about(self, blank: BlankNode) -> list[Triple]:
        """The triples of a blank node the resource points to."""
        return [t for t in self.triples if t.subject == blank]


def describe(store: Store, resource: str, max_rows: int | None = None) -> Description:
    """The description of `iri`; NotFound when no triple has it as subject or object."""
    node = iri(resource, "the path", NotFound)  # a path that makes no valid IRI (a space, say) names nothing
    result = store.query(DESCRIPTION, bindings={"resource": node}, max_rows=max_rows)
    triples = list(dict.fromkeys(result.triples))  # one triple may be stated in several named graphs
    if not triples:
        raise NotFound(f"<{resource}> is not in the graph: no triple has it as subject or object")
    return Description(resource, triples, result.truncated)


def linked_labels(store: Store, resource: str, max_rows: int | None = None) -> dict[str, list[Literal]]:
    """Labels (rdfs:label, skos:prefLabel; every language) of the resource and of each IRI it is linked with."""
    result = store.query(LABELS, bindings={"resource": NamedNode(resource)}, max_rows=max_rows)
    labels: dict[str, list[Literal]] = defaultdict(list)
    for row in result.rows:
        if isinstance(row.get("label"), Literal) and row["label"] not in labels[row["node"].value]:
            labels[row["node"].value].append(row["label"])
    return dict(labels)
