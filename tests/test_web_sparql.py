"""`/sparql` against the SPARQL 1.1 Protocol: methods, formats, conneg, faults, datasets, limits, CORS, updates."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
import types

import pyoxigraph
import pytest
from flask import request
from werkzeug.datastructures import MultiDict

from kg.core.errors import Forbidden, Unauthorized
from kg.web.context import settings as current_settings

from helpers import BASE

CODE_GRAPH = BASE + "graph/kz-criminal-code"
LAWS_GRAPH = BASE + "graph/kz-laws"
CHAPTER_7 = f"""PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?article ?number ?label WHERE {{
  <{BASE}eli/kz/code/2014/226-V/chp_7> eli:has_part ?article .
  ?article eli:number ?number ; rdfs:label ?label .
  FILTER(lang(?label) = "kk")
}} ORDER BY ?number"""
CHAPTER_7_NUMBERS = ["205", "208", "209", "210", "211", "212", "213"]  # FACTS.md §3.1: Chapter 7 as cited
ASK_CHAPTER = f"ASK {{ <{BASE}eli/kz/code/2014/226-V/chp_7> ?p ?o }}"
CONSTRUCT_CHAPTER = f"""PREFIX eli: <http://data.europa.eu/eli/ontology#>
CONSTRUCT {{ ?article eli:is_part_of ?chapter ; eli:number ?number }}
WHERE {{ BIND(<{BASE}eli/kz/code/2014/226-V/chp_7> AS ?chapter) ?chapter eli:has_part ?article .
         ?article eli:number ?number }}"""
SELECT_ALL = "SELECT * WHERE { ?s ?p ?o }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
UPDATE = f"INSERT DATA {{ GRAPH <{BASE}graph/test> {{ <{BASE}id/x> <{BASE}id/p> 1 }} }}"
JSON_RESULTS = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"


# ------------------------------------------------------------------ fixtures: the modules other parts provide

def _module(monkeypatch, name: str, **attributes) -> types.ModuleType:
    """The real module when it exists; otherwise a stand-in (those modules are written in parallel)."""
    if importlib.util.find_spec(name) is not None:
        return importlib.import_module(name)
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    monkeypatch.setitem(sys.modules, name, module)
    return module


def _stand_in_auth() -> None:
    """What kg.web.auth is specified to do: 403 when writes are off, 401 without the configured bearer token."""
    token = current_settings().write_token
    if not token:
        raise Forbidden("writes are disabled: no write token is configured")
    if request.headers.get("Authorization") != f"Bearer {token}":
        raise Unauthorized("send Authorization: Bearer <token>")


@pytest.fixture(autouse=True)
def collaborators(monkeypatch):
    """Record apply_update calls; never let a test write to the shared store."""
    calls = {"update": []}
    writes = _module(monkeypatch, "kg.services.writes", apply_update=None)
    monkeypatch.setattr(writes, "apply_update", lambda settings, store, text, using=None: calls["update"].append(text))
    _module(monkeypatch, "kg.web.auth", require_write_token=_stand_in_auth)
    return calls


def send(client, method: str, query: str, *, headers=None, **params):
    """Send a query the three ways §2.1 allows: GET, POST form-encoded, POST direct (parameters in the URL)."""
    headers = headers or {}
    if method == "get":
        return client.get("/sparql", query_string={"query": query, **params}, headers=headers)
    if method == "form":
        return client.post("/sparql", data={"query": query, **params}, headers=headers)
    return client.post("/sparql", query_string=params, data=query.encode(), content_type="application/sparql-query",
                       headers=headers)


METHODS = ["get", "form", "direct"]


def solutions(response) -> list[dict[str, str]]:
    parsed = pyoxigraph.parse_query_results(response.data, format=pyoxigraph.QueryResultsFormat.JSON)
    names = [v.value for v in parsed.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in parsed]


def error(response, status: int) -> str:
    """The error's detail: from the JSON shape, or the page a browser-like Accept gets."""
    assert response.status_code == status, response.data
    if response.mimetype == "text/html":
        return response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) >= {"error", "detail"}
    return body["detail"]


# ------------------------------------------------------------------ §2.1.1-2.1.3 the three ways to send a query

@pytest.mark.parametrize("method", METHODS)
def test_query_by_each_method_returns_chapter_7(client, method):
    response = send(client, method, CHAPTER_7)
    assert response.status_code == 200
    assert response.content_type == f"{JSON_RESULTS}; charset=utf-8"
    rows = solutions(response)
    assert [row["number"] for row in rows] == CHAPTER_7_NUMBERS
    assert rows[0]["label"] == "205 бап (Қазақстан Республикасының Қылмыстық кодексі)"


def test_head_answers_like_get_without_a_body(client):
    response = client.head("/sparql", query_string={"query": ASK_CHAPTER})
    assert response.status_code == 200 and response.data == b""
    assert response.content_type.startswith(JSON_RESULTS)


def test_unknown_parameters_are_ignored(client):
    response = client.get("/sparql", query_string={"query": ASK_CHAPTER, "timeout": "5", "debug": "on"})
    assert response.status_code == 200 and response.get_json()["boolean"] is True


# ------------------------------------------------------------------ §2.1.5 every result format, parsed back

def _parse_table(media: str, data: bytes) -> list[list[str]]:
    """Rows of (number, label) values from each SELECT result syntax."""
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        assert rows[0] == ["article", "number", "label"]
        return [row[1:] for row in rows[1:]]
    kind = {"application/sparql-results+json": "JSON", "application/sparql-results+xml": "XML",
            "text/tab-separated-values": "TSV"}[media]
    parsed = pyoxigraph.parse_query_results(data, format=getattr(pyoxigraph.QueryResultsFormat, kind))
    return [[row["number"].value, row["label"].value] for row in parsed]


@pytest.mark.parametrize("media", [JSON_RESULTS, "application/sparql-results+xml", "text/csv",
                                   "text/tab-separated-values"])
def test_select_in_each_results_format(client, media):
    response = send(client, "get", CHAPTER_7, headers={"Accept": media})
    assert response.status_code == 200
    assert response.content_type == f"{media}; charset=utf-8"
    rows = _parse_table(media, response.data)
    assert [number for number, _ in rows] == CHAPTER_7_NUMBERS
    assert rows[-1][1] == "213 бап (Қазақстан Республикасының Қылмыстық кодексі)"


@pytest.mark.parametrize("media, answer", [
    (JSON_RESULTS, lambda data: json.loads(data)["boolean"]),
    ("application/sparql-results+xml",
     lambda data: bool(pyoxigraph.parse_query_results(data, format=pyoxigraph.QueryResultsFormat.XML))),
    ("text/csv", lambda data: data.decode().splitlines()[1] == "true"),
    ("text/tab-separated-values", lambda data: data.decode().splitlines()[1] == "true"),
])
def test_ask_in_each_results_format(client, media, answer):
    yes = send(client, "form", ASK_CHAPTER, headers={"Accept": media})
    no = send(client, "form", "ASK { <urn:nothing> ?p ?o }", headers={"Accept": media})
    assert yes.content_type == no.content_type == f"{media}; charset=utf-8"
    assert answer(yes.data) is True and answer(no.data) is False


RDF_FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD, "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
    "application/n-quads": pyoxigraph.RdfFormat.N_QUADS, "application/trig": pyoxigraph.RdfFormat.TRIG,
}


@pytest.mark.parametrize("media", list(RDF_FORMATS))
def test_construct_in_each_rdf_format(client, store, media):
    response = send(client, "direct", CONSTRUCT_CHAPTER, headers={"Accept": media})
    assert response.status_code == 200
    assert response.content_type == f"{media}; charset=utf-8"
    got = {(q.subject, q.predicate, q.object) for q in pyoxigraph.parse(response.data, format=RDF_FORMATS[media])}
    expected = {(t.subject, t.predicate, t.object) for t in store.query(CONSTRUCT_CHAPTER).triples}
    assert got == expected and len(got) == 2 * len(CHAPTER_7_NUMBERS)


def test_describe_returns_the_resource(client):
    article = f"{BASE}eli/kz/code/2014/226-V/art_205"
    response = send(client, "get", f"DESCRIBE <{article}>", headers={"Accept": "application/n-triples"})
    triples = list(pyoxigraph.parse(response.data, format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert triples and {t.subject.value for t in triples} == {article}


# ------------------------------------------------------------------ conneg: q-values, wildcards, format=

@pytest.mark.parametrize("query, accept, expected", [
    (CHAPTER_7, None, JSON_RESULTS),
    (CHAPTER_7, "*/*", JSON_RESULTS),
    (CHAPTER_7, "text/*", "text/csv"),
    (CHAPTER_7, "application/sparql-results+json;q=0.2, application/sparql-results+xml;q=0.8",
     "application/sparql-results+xml"),
    (CHAPTER_7, "application/sparql-results+xml;q=0.5, text/csv", "text/csv"),
    (CHAPTER_7, "text/csv;q=0, */*;q=0.1", JSON_RESULTS),
    (CHAPTER_7, "text/html, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    (CONSTRUCT_CHAPTER, None, "text/turtle"),
    (CONSTRUCT_CHAPTER, "application/*", "application/n-triples"),
    (CONSTRUCT_CHAPTER, "text/turtle;q=0.3, application/ld+json;q=0.9, */*;q=0.1", "application/ld+json"),
    (CONSTRUCT_CHAPTER, "application/sparql-results+json, application/trig;q=0.5", "application/trig"),
])
def test_accept_negotiation(client, query, accept, expected):
    response = send(client, "get", query, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.data
    assert response.mimetype == expected
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("method, query, fmt, expected", [
    ("get", CHAPTER_7, "csv", "text/csv"),
    ("get", CHAPTER_7, "tsv", "text/tab-separated-values"),
    ("form", CHAPTER_7, "xml", "application/sparql-results+xml"),
    ("direct", CHAPTER_7, "application/sparql-results+xml", "application/sparql-results+xml"),
    ("get", CONSTRUCT_CHAPTER, "ttl", "text/turtle"),
    ("form", CONSTRUCT_CHAPTER, "jsonld", "application/ld+json"),
    ("direct", CONSTRUCT_CHAPTER, "nt", "application/n-triples"),
])
def test_format_parameter_overrides_accept(client, method, query, fmt, expected):
    response = send(client, method, query, headers={"Accept": JSON_RESULTS + ", text/turtle"}, format=fmt)
    assert response.status_code == 200 and response.mimetype == expected


@pytest.mark.parametrize("query, headers, params", [
    (CHAPTER_7, {"Accept": "text/turtle"}, {}),
    (CHAPTER_7, {"Accept": "image/png, text/html;q=0.9"}, {}),
    (CONSTRUCT_CHAPTER, {"Accept": JSON_RESULTS}, {}),
    (ASK_CHAPTER, {"Accept": "application/rdf+xml"}, {}),
    (CHAPTER_7, {}, {"format": "pdf"}),
    (CHAPTER_7, {}, {"format": "turtle"}),
])
def test_not_acceptable(client, query, headers, params):
    detail = error(send(client, "get", query, headers=headers, **params), 406)
    assert "available" in detail or "choose one of" in detail


def test_triple_terms_in_a_syntax_without_them_are_406_not_500(client):
    query = "CONSTRUCT { <urn:a> <urn:b> <<( <urn:x> <urn:y> <urn:z> )>> } WHERE {}"
    detail = error(send(client, "get", query, headers={"Accept": "application/ld+json"}), 406)
    assert "cannot be written as application/ld+json" in detail and "text/turtle" in detail
    assert send(client, "get", query, headers={"Accept": "text/turtle"}).status_code == 200


# ------------------------------------------------------------------ §2.1.7 faults: 400 with the reason

@pytest.mark.parametrize("request_args, message", [
    (dict(method="GET", query_string={"query": "SELEC * { ?s ?p ?o }"}), "error at 1:"),
    (dict(method="GET", query_string={"query": "SELECT * {\n  ?s ?p ?o\n  FILTER(}"}), "error at 3:"),
    (dict(method="POST", data={"query": "ASK { ?s ?p }"}), "malformed query"),
    (dict(method="POST", data={"format": "csv"}), "missing query"),
    (dict(method="POST", data=b"", content_type="application/sparql-query"), "missing query"),
    (dict(method="GET", query_string={"query": "  "}), "missing query"),
    (dict(method="GET", query_string={"default-graph-uri": CODE_GRAPH}), "missing query"),
    (dict(method="GET", query_string={"query": ASK_CHAPTER, "update": UPDATE}), "not both"),
    (dict(method="POST", data={"query": ASK_CHAPTER, "update": UPDATE}), "not both"),
    (dict(method="POST", query_string={"update": UPDATE}, data=ASK_CHAPTER, content_type="application/sparql-query"),
     "remove the update parameter"),
    (dict(method="POST", query_string={"query": ASK_CHAPTER}, data=ASK_CHAPTER,
          content_type="application/sparql-query"), "remove the query parameter"),
    (dict(method="GET", query_string=[("query", ASK_CHAPTER), ("query", SELECT_ALL)]), "exactly one query"),
    (dict(method="POST", data=MultiDict([("query", ASK_CHAPTER), ("query", SELECT_ALL)])), "exactly one query"),
    (dict(method="POST", data=ASK_CHAPTER, content_type="text/plain"), "unsupported request content type 'text/plain'"),
    (dict(method="POST", data=ASK_CHAPTER), "unsupported request content type '(none)'"),
    (dict(method="POST", data={"query": ASK_CHAPTER}, content_type="multipart/form-data"),
     "unsupported request content type 'multipart/form-data'"),
    (dict(method="POST", data=b"ASK {\xff}", content_type="application/sparql-query"), "not valid utf-8"),
    (dict(method="GET", query_string={"update": UPDATE}), "must be sent with POST"),
    (dict(method="GET", query_string={"query": ASK_CHAPTER, "default-graph-uri": "not an iri"}),
     "default-graph-uri: 'not an iri' is not an absolute IRI"),
    (dict(method="GET", query_string={"query": ASK_CHAPTER, "named-graph-uri": "relative/path"}),
     "named-graph-uri: 'relative/path' is not an absolute IRI"),
    (dict(method="POST", data={"update": UPDATE, "using-graph-uri": "relative"}), "using-graph-uri: 'relative' is not an absolute IRI"),
])
def test_bad_requests(client, request_args, message):
    response = client.open("/sparql", **request_args)
    assert message in error(response, 400)
    assert response.get_json()["error"] in {"ProtocolError", "QuerySyntaxError"}


def test_malformed_query_is_reported_with_line_and_column(client):
    detail = error(send(client, "get", "SELECT * {\n  ?s ?p ?o\n  FILTER(}"), 400)
    assert detail.startswith("malformed query: error at 3:11")


@pytest.mark.parametrize("method", ["form", "direct"])
def test_body_over_the_limit_is_413_in_the_json_shape(make_client, method):
    client = make_client(max_body=2_000)
    query = f"ASK {{ ?s ?p \"{'x' * 3_000}\" }}"
    response = send(client, method, query)
    assert response.status_code == 413
    assert response.get_json()["error"] == "Request Entity Too Large"


# ------------------------------------------------------------------ §2.1.4 the RDF dataset of a request

def _count(client, method: str, query: str, **params) -> int:
    response = send(client, method, query, **params)
    assert response.status_code == 200, response.data
    return int(solutions(response)[0]["n"])


@pytest.mark.parametrize("method", METHODS)
def test_default_graph_uri_restricts_the_default_graph(client, store, method):
    sizes = store.graph_sizes()
    assert _count(client, method, COUNT_ALL, **{"default-graph-uri": CODE_GRAPH}) == sizes[CODE_GRAPH]
    both = [(("default-graph-uri", CODE_GRAPH)), ("default-graph-uri", LAWS_GRAPH)]
    response = client.get("/sparql", query_string=[("query", COUNT_ALL), *both])
    assert int(solutions(response)[0]["n"]) == sizes[CODE_GRAPH] + sizes[LAWS_GRAPH]


def test_without_a_dataset_the_default_graph_is_the_union(client, store):
    assert _count(client, "get", COUNT_ALL) == sum(store.graph_sizes().values())


@pytest.mark.parametrize("method", METHODS)
def test_named_graph_uri_limits_graph_patterns(client, method):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = send(client, method, query, **{"named-graph-uri": LAWS_GRAPH})
    assert solutions(response) == [{"g": LAWS_GRAPH}]


@pytest.mark.parametrize("query, params", [
    ("ASK { ?s ?p ?o }", {"named-graph-uri": LAWS_GRAPH}),  # no default-graph-uri: an empty default graph
    ("ASK { GRAPH ?g { ?s ?p ?o } }", {"default-graph-uri": LAWS_GRAPH}),  # no named-graph-uri: no named graphs
])
def test_a_protocol_dataset_is_the_whole_dataset(client, query, params):
    assert send(client, "get", query, **params).get_json()["boolean"] is False


def test_protocol_dataset_replaces_the_query_dataset(client, store):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{LAWS_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert _count(client, "get", query, **{"default-graph-uri": CODE_GRAPH}) == store.graph_sizes()[CODE_GRAPH]


# ------------------------------------------------------------------ limits and outbound requests

@pytest.mark.parametrize("query, truncated", [
    (SELECT_ALL, True),
    (SELECT_ALL + " LIMIT 3", False),  # exactly the limit: nothing was cut
    (CONSTRUCT_CHAPTER, True),
    (ASK_CHAPTER, False),
])
def test_row_limit_is_announced(make_client, query, truncated):
    response = send(make_client(max_rows=3), "get", query, headers={"Accept": "application/n-triples, */*;q=0.5"})
    assert response.status_code == 200
    assert response.headers.get("X-KG-Truncated") == ("true" if truncated else None)
    assert response.headers.get("X-KG-Row-Limit") == ("3" if truncated else None)
    if truncated and response.mimetype == JSON_RESULTS:
        assert len(solutions(response)) == 3
    elif truncated:
        assert len(list(pyoxigraph.parse(response.data, format=pyoxigraph.RdfFormat.N_TRIPLES))) == 3


def test_a_refused_service_call_is_403(client):
    """The store's guard refuses it (kg.store.guard); tests/test_outbound.py shows no request leaves."""
    query = "SELECT * WHERE { SERVICE <http://elsewhere.example/sparql> { ?s ?p ?o } }"
    assert "allow-list" in error(send(client, "get", query), 403)


# ------------------------------------------------------------------ CORS for reads, never for updates

READS = [
    dict(method="GET", query_string={"query": ASK_CHAPTER}),
    dict(method="POST", data={"query": ASK_CHAPTER}),
    dict(method="POST", data=ASK_CHAPTER, content_type="application/sparql-query"),
    dict(method="GET"),  # the service description
    dict(method="GET", query_string={"query": "SELEC"}),  # a client's error must be readable by its script
]


@pytest.mark.parametrize("request_args", READS)
def test_reads_allow_any_origin(client, request_args):
    response = client.open("/sparql", headers={"Origin": "https://app.example"}, **request_args)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-KG-Truncated" in response.headers["Access-Control-Expose-Headers"]


def test_preflight_allows_reads_but_not_credentials(client):
    response = client.options("/sparql", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Headers"] == "Accept, Content-Type"
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) == {"GET", "POST", "OPTIONS"}
    assert "Content-Type" not in response.headers


# ------------------------------------------------------------------ §2.2 updates go through auth and kg.services.writes

UPDATES = {
    "form": dict(data={"update": UPDATE}),
    "direct": dict(data=UPDATE.encode(), content_type="application/sparql-update"),
}


@pytest.mark.parametrize("way", list(UPDATES))
def test_update_without_a_configured_token_is_403(client, collaborators, way):
    response = client.post("/sparql", headers={"Authorization": "Bearer anything"}, **UPDATES[way])
    error(response, 403)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert collaborators["update"] == []


@pytest.mark.parametrize("way", list(UPDATES))
@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic czNjcjN0", "s3cr3t"])
def test_update_without_the_right_bearer_token_is_401(make_client, collaborators, way, authorization):
    client = make_client(write_token="s3cr3t")
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post("/sparql", headers=headers, **UPDATES[way])
    error(response, 401)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert collaborators["update"] == []


@pytest.mark.parametrize("way", list(UPDATES))
def test_authorised_update_is_applied_and_answered_204(make_client, collaborators, way):
    client = make_client(write_token="s3cr3t")
    response = client.post("/sparql", headers={"Authorization": "Bearer s3cr3t"}, **UPDATES[way])
    assert response.status_code == 204 and response.data == b""
    assert collaborators["update"] == [UPDATE]
    assert "Access-Control-Allow-Origin" not in response.headers
