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


def _on_disk(tmp_path, quads):
    """An on-disk store holding `quads`, reopened read-only (how `kg serve --store` workers open it)."""
    writer = EmbeddedStore(tmp_path / "db")
    writer.add_quads(quads)
    writer.close()
    del writer
    return EmbeddedStore(tmp_path / "db", read_only=True)


G1, G2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")
ONE, TWO = ox.Literal("one"), ox.Literal("two")


def test_a_read_only_store_with_one_named_graph_names_it_as_the_default_graph(tmp_path):
    """The union of one graph is that graph: the engine is asked for it by name (no merge), with the same answers,
    and GRAPH still reaches it."""
    store = _on_disk(tmp_path, [ox.Quad(A, P, ONE, G1), ox.Quad(A, P, TWO, G1)])
    assert store._union == {"default_graph": [G1]}
    assert values(store.query("SELECT ?o WHERE { ?s ?p ?o }")) == ["one", "two"]
    assert values(store.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")) == ["one", "two"]
    assert values(store.query("SELECT ?o FROM <http://example.org/none> WHERE { ?s ?p ?o }")) == []


@pytest.mark.parametrize("quads", [
    [ox.Quad(A, P, ONE, G1), ox.Quad(A, P, TWO, G2)],  # two named graphs
    [ox.Quad(A, P, ONE, G1), ox.Quad(A, P, TWO, ox.DefaultGraph())],  # data in the default graph too
], ids=["two graphs", "default graph not empty"])
def test_otherwise_a_read_only_store_asks_for_the_union(tmp_path, quads):
    store = _on_disk(tmp_path, quads)
    assert store._union == {"use_default_graph_as_union": True}
    assert values(store.query("SELECT ?o WHERE { ?s ?p ?o }")) == ["one", "two"]
