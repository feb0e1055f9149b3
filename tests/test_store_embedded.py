"""The embedded store's own rules: the default graph is the union unless a dataset is named; graph replacement
is one update built from serialised terms."""

import pyoxigraph as ox
import pytest

from kg.rdf.sparql_lexer import has_dataset_clause
from kg.store.base import Dataset
from kg.store.embedded import EmbeddedStore

A, P = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p")


@pytest.fixture
def two_graphs():
    store = EmbeddedStore()
    store.replace_graph("http://example.org/g1", [ox.Triple(A, P, ox.Literal("one"))])
    store.replace_graph("http://example.org/g2", [ox.Triple(A, P, ox.Literal("two"))])
    return store


def values(result):
    return sorted(row["o"].value for row in result.rows)


def test_without_a_dataset_the_default_graph_is_the_union(two_graphs):
    assert values(two_graphs.query("SELECT ?o WHERE { ?s ?p ?o }")) == ["one", "two"]


def test_a_from_clause_in_the_query_is_honoured(two_graphs):
    """Regression: the union option used to override the query's own FROM."""
    assert values(two_graphs.query("SELECT ?o FROM <http://example.org/g2> WHERE { ?s ?p ?o }")) == ["two"]


def test_the_protocol_dataset_wins(two_graphs):
    result = two_graphs.query("SELECT ?o WHERE { ?s ?p ?o }", dataset=Dataset(default_graphs=("http://example.org/g1",)))
    assert values(result) == ["one"]


@pytest.mark.parametrize("text, expected", [
    ("SELECT * FROM <x:g> WHERE {}", True),
    ("select * from named <x:g> where {}", True),
    ("SELECT * WHERE { ?s ?p 'FROM' }", False),
    ("SELECT * WHERE { ?s <http://x/from> ?o } # from here", False),
    ("SELECT ?from WHERE { ?s ?p ?from }", False),
    ("SELECT * WHERE { ?s ?p ?o }", False),
])
def test_dataset_clause_detection(text, expected):
    assert has_dataset_clause(text) is expected


def test_replace_keeps_hostile_literals_as_data_and_empty_graphs(two_graphs):
    hostile = ox.Literal('x" } } ; DROP ALL ; #')
    two_graphs.replace_graph("http://example.org/g1", [ox.Triple(A, P, hostile)])
    assert two_graphs.graph_triples("http://example.org/g1") == [ox.Triple(A, P, hostile)]
    assert two_graphs.graph_sizes()["http://example.org/g2"] == 1
    two_graphs.replace_graph("http://example.org/g1", [])
    assert two_graphs.graph_triples("http://example.org/g1") == []
