"""`kg.store.solutions`: results collected up to the row limit, unbound variables left out of the rows."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.store.base import AskResult, GraphResult, SelectResult
from kg.store.solutions import collect, take

EX = "http://example.org/"
DATA = f"""INSERT DATA {{ <{EX}a> <{EX}p> "1" , "2" , "3" . <{EX}b> <{EX}p> "4" ; <{EX}q> <{EX}c> }}"""


@pytest.fixture(scope="module")
def oxigraph() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.update(DATA)
    return store


@pytest.mark.parametrize("limit, taken, more", [
    (None, [0, 1, 2], False), (5, [0, 1, 2], False), (3, [0, 1, 2], False),
    (2, [0, 1], True), (1, [0], True), (0, [], True), (-1, [], True),
])
def test_take(limit, taken, more):
    assert take(range(3), limit) == (taken, more)
    assert take(iter(range(3)), limit) == (taken, more)


def test_take_reads_one_item_past_the_limit_and_no_further():
    read = []

    def items():
        for i in range(100):
            read.append(i)
            yield i

    assert take(items(), 2) == ([0, 1], True)
    assert read == [0, 1, 2]


def test_select_rows_leave_unbound_variables_out(oxigraph):
    result = collect(oxigraph.query(f"SELECT ?s ?o ?x WHERE {{ ?s <{EX}q> ?o OPTIONAL {{ ?s <{EX}none> ?x }} }}"), 10)
    assert result == SelectResult(["s", "o", "x"], [{"s": pyoxigraph.NamedNode(f"{EX}b"),
                                                     "o": pyoxigraph.NamedNode(f"{EX}c")}], False)


@pytest.mark.parametrize("limit, rows, truncated", [(None, 4, False), (4, 4, False), (3, 3, True), (0, 0, True)])
def test_select_stops_at_the_row_limit(oxigraph, limit, rows, truncated):
    result = collect(oxigraph.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o"), limit)
    assert [row["o"].value for row in result.rows] == ["1", "2", "3", "4"][:rows]
    assert result.truncated is truncated


def test_ask_and_construct(oxigraph):
    assert collect(oxigraph.query(f"ASK {{ <{EX}a> ?p ?o }}"), 1) == AskResult(True)
    graph = collect(oxigraph.query(f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}"), 2)
    assert isinstance(graph, GraphResult) and len(graph.triples) == 2 and graph.truncated
