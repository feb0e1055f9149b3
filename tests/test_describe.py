"""A resource's description (kg.services.describe): the triples about it either way, and the labels of its neighbours."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.services.describe import describe, linked_labels
from kg.core.errors import NotFound
from kg.store.embedded import EmbeddedStore

from helpers import BASE

ART_205 = BASE + "eli/kz/code/2014/226-V/art_205"


def test_description_splits_outgoing_and_incoming(store):
    description = describe(store, ART_205)
    node = pyoxigraph.NamedNode(ART_205)
    assert description.outgoing and description.incoming
    assert all(t.subject == node for t in description.outgoing)
    assert all(t.object == node for t in description.incoming)
    assert len(description.triples) == len(set(description.triples))
    assert {t.subject.value for t in description.incoming} >= {BASE + "eli/kz/code/2014/226-V/chp_7"}


def test_a_row_limit_marks_the_description_truncated(store):
    assert describe(store, ART_205, max_rows=3).truncated
    assert not describe(store, ART_205).truncated


@pytest.mark.parametrize("iri", [BASE + "id/state/atlantis", BASE + "id/a b", BASE + "ontology#nothing"])
def test_unknown_or_invalid_iris_are_not_found(store, iri):
    with pytest.raises(NotFound):
        describe(store, iri)


def test_blank_nodes_the_resource_points_to_are_included():
    store = EmbeddedStore()
    s, b = pyoxigraph.NamedNode(BASE + "id/x"), pyoxigraph.BlankNode()
    p, q = pyoxigraph.NamedNode(BASE + "ontology#p"), pyoxigraph.NamedNode(BASE + "ontology#q")
    store.add_to_graph(BASE + "graph/t", [pyoxigraph.Triple(s, p, b), pyoxigraph.Triple(b, q, pyoxigraph.Literal("v"))])
    description = describe(store, s.value)
    (blank,) = [t.object for t in description.outgoing]
    assert [t.object for t in description.about(blank)] == [pyoxigraph.Literal("v")]


def test_linked_labels_cover_types_properties_and_neighbours(store):
    labels = linked_labels(store, ART_205)
    assert {BASE + "ontology#Article", BASE + "ontology#protects", BASE + "eli/kz/code/2014/226-V/chp_7",
            BASE + "id/correspondence/kz-205-coe-2"} <= set(labels)
    assert {label.language for label in labels[BASE + "eli/kz/code/2014/226-V/chp_7"]} >= {"kk", "en-t-kk"}


def test_linked_labels_are_only_the_neighbours(store):
    """Regression: `BIND(?resource AS ?node)` does not see a pyoxigraph substitution (0.5.13), so a branch using
    it matched every labelled node of the graph; the query must give the neighbours' labels and nothing else."""
    description = describe(store, ART_205)
    neighbours = {term.value for t in description.triples for term in (t.subject, t.predicate, t.object)
                  if isinstance(term, pyoxigraph.NamedNode)} - {ART_205}
    labels = linked_labels(store, ART_205)
    assert set(labels) <= neighbours
    assert BASE + "id/state/kz" not in labels
