"""`kg.web.negotiation`: `choose_each` answers, for every kind of result at once, what `choose` answers for each."""

from __future__ import annotations

import pytest

from kg.rdf import results
from kg.core.errors import NotAcceptable
from kg.web.negotiation import choose, choose_each

ACCEPTS = [
    None, "", "*/*", "application/sparql-results+json", "text/turtle", "text/*", "text/*;q=0.5, text/turtle",
    "application/sparql-results+xml;q=0.9, application/ld+json", "image/png", "text/html, */*;q=0.1",
    "text/csv;q=0, */*;q=0.2", "application/n-quads, application/sparql-results+json;q=0.5",
]
FORMATS = [None, "json", "ttl", "TSV", "application/trig", "yaml"]


def one_by_one(accept, format_param) -> dict:
    chosen = {}
    for kind, offered in results.OFFERED.items():
        try:
            chosen[kind] = choose(accept, list(offered), results.ALIASES, format_param)
        except NotAcceptable:
            pass
    return chosen


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("format_param", FORMATS)
def test_choose_each_agrees_with_choose(accept, format_param):
    for _ in range(2):  # the second answer comes from the cache
        assert choose_each(accept, results.OFFERED, results.ALIASES, format_param) == one_by_one(accept, format_param)


@pytest.mark.parametrize("accept, table, graph", [
    ("text/turtle", None, "text/turtle"),
    ("application/sparql-results+xml, text/turtle;q=0.5", "application/sparql-results+xml", "text/turtle"),
    ("text/*", "text/csv", "text/turtle"),
    ("image/png", None, None),
])
def test_choose_each_by_kind(accept, table, graph):
    chosen = choose_each(accept, results.OFFERED, results.ALIASES)
    assert chosen.get(results.SelectResult) == chosen.get(results.AskResult) == table
    assert chosen.get(results.GraphResult) == graph
