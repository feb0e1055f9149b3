"""`kg.web.protocol`: the short path for a plain GET reads the same operation as the full Protocol rules."""

from __future__ import annotations

import pytest
from flask import Flask

from kg.core.errors import ProtocolError
from kg.store.base import Dataset
from kg.web import protocol

ASK = "ASK { ?s ?p ?o }"
GRAPH = "https://w3id.org/infosec-law-kg/graph/kz-laws"
GETS = [  # query strings of GET requests; the short path takes only the first kind
    {"query": ASK},
    {"query": "  SELECT * WHERE { ?s ?p ?o }  \n"},
    {"query": ASK, "format": "json"},
    {"query": ASK, "default-graph-uri": GRAPH},
    {"query": ASK, "named-graph-uri": GRAPH},
    {"query": ASK, "unknown": "1"},
    [("query", ASK), ("query", ASK)],  # two queries: 400
    {"query": "  "},  # empty: 400
    {"query": ASK, "update": "CLEAR ALL"},  # both: 400
    {"update": "CLEAR ALL"},  # an update by GET: 400
    {"default-graph-uri": GRAPH},  # no query: 400
    {},  # the service description
]


def read(query_string, method="GET"):
    with Flask(__name__).test_request_context("/sparql", method=method, query_string=query_string) as context:
        fast = protocol._plain_query(context.request)
        try:
            return fast, protocol.read_operation(context.request)
        except ProtocolError as error:
            return fast, error


@pytest.mark.parametrize("query_string", GETS)
def test_the_short_path_agrees_with_the_protocol_rules(query_string):
    fast, full = read(query_string)
    if fast is not None:
        assert full == fast
        with Flask(__name__).test_request_context("/sparql", query_string=query_string) as context:
            assert protocol._any_operation(context.request) == fast


def test_the_short_path_takes_the_plain_get():
    fast, full = read({"query": ASK})
    assert fast == full == protocol.Operation(protocol.QUERY, ASK, Dataset(), None)


@pytest.mark.parametrize("query_string", GETS[2:])
def test_the_short_path_leaves_everything_else_to_the_rules(query_string):
    assert read(query_string)[0] is None


def test_head_takes_the_full_path():
    fast, full = read({"query": ASK}, method="HEAD")
    assert fast is None and full == protocol.Operation(protocol.QUERY, ASK)
