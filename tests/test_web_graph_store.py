"""`/data`: the SPARQL 1.1 Graph Store HTTP Protocol: reads in every RDF syntax, token-guarded validated writes."""

from __future__ import annotations

import hashlib
import json

import pyoxigraph
import pytest

from kg.rdf import results
from kg.rdf.formats import engine_format
from kg.core.project import project_files
from kg.store.embedded import EmbeddedStore

from helpers import BASE, english_only

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CODE_GRAPH = f"{BASE}graph/kz-criminal-code"
NEW_GRAPH = f"{BASE}graph/gsp-test"
CLAIM_M5 = f"{BASE}id/note/u5"  # a note left with its English label only (`store`), so it may get a Russian one
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PARSERS = {media: engine_format(media) for media in results.RDF_TYPES + results.DATASET_TYPES}

# the same statement, a Russian label for claim M5, in each syntax a request body may use
BODIES = {
    "text/turtle": f'@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<{CLAIM_M5}> rdfs:label "Язык статьи"@ru .',
    "application/n-triples": f'<{CLAIM_M5}> <{RDFS_LABEL}> "Язык статьи"@ru .\n',
    "application/rdf+xml": f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="{CLAIM_M5}"><rdfs:label xml:lang="ru">Язык статьи</rdfs:label></rdf:Description>
</rdf:RDF>""",
    "application/ld+json": json.dumps({"@id": CLAIM_M5, RDFS_LABEL: {"@value": "Язык статьи", "@language": "ru"}}),
}
LABEL = BODIES["application/n-triples"]


@pytest.fixture
def store(settings) -> EmbeddedStore:
    """A fresh copy to write to; since issue 13 every resource with a Kazakh label has a Russian one, so note u5 keeps
    only its English label here and the module's writes can give it a Russian one."""
    fresh = EmbeddedStore.from_files(project_files(settings))
    english_only(fresh, CLAIM_M5)
    return fresh


@pytest.fixture
def client(make_client):
    """With the write token, over this module's fresh `store`."""
    return make_client(write_token=TOKEN)


def fingerprint(store) -> tuple[dict[str, int], str]:
    """Triples per graph and a hash of every quad, sorted: equal fingerprints mean byte-for-byte equal data."""
    return store.graph_sizes(), hashlib.sha256("\n".join(sorted(str(q) for q in store.quads())).encode()).hexdigest()


def put(client, body: str, media: str = "application/n-triples", graph: str = NEW_GRAPH, headers=AUTH):
    return client.put("/data", query_string={"graph": graph}, data=body.encode(), headers={**headers, "Content-Type": media})


def parsed(response) -> list:
    media = response.mimetype
    return list(pyoxigraph.parse(input=response.data, format=PARSERS[media]))


# ---------------------------------------------------------------------------------------------- reads

@pytest.mark.parametrize("media", list(results.RDF_TYPES) + list(results.DATASET_TYPES))
def test_get_a_graph_in_each_syntax(client, store, media):
    response = client.get("/data", query_string={"graph": CODE_GRAPH}, headers={"Accept": media})
    assert response.status_code == 200
    assert response.mimetype == media
    assert len(parsed(response)) == store.graph_sizes()[CODE_GRAPH]


@pytest.mark.parametrize("alias, media", [("ttl", "text/turtle"), ("nt", "application/n-triples"),
                                          ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml")])
def test_the_format_parameter_overrides_accept(client, alias, media):
    response = client.get("/data", query_string={"graph": CODE_GRAPH, "format": alias}, headers={"Accept": "text/turtle"})
    assert response.mimetype == media


def test_turtle_is_the_default(client):
    assert client.get("/data", query_string={"graph": CODE_GRAPH}).mimetype == "text/turtle"


@pytest.mark.parametrize("media", list(results.DATASET_TYPES))
def test_get_without_a_graph_returns_the_whole_dataset(client, store, media):
    response = client.get("/data", headers={"Accept": media})
    assert response.status_code == 200
    quads = parsed(response)
    assert len(quads) == len(list(store.quads()))
    assert {q.graph_name.value for q in quads} == set(store.graph_sizes())


def test_the_default_graph_is_the_stores_own(client):
    """Every project file has its named graph, so the store's own default graph is empty (queries see the union)."""
    response = client.get("/data?default", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.data.strip() == b""


def test_head_answers_like_get_without_a_body(client):
    get = client.get("/data", query_string={"graph": CODE_GRAPH})
    head = client.head("/data", query_string={"graph": CODE_GRAPH})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Content-Length"] == str(len(get.data))


@pytest.mark.parametrize("method", ["get", "head"])
def test_an_unknown_graph_is_404(client, method):
    assert getattr(client, method)("/data", query_string={"graph": f"{BASE}graph/nothing"}).status_code == 404


def test_reads_are_open_without_a_token_and_to_other_origins(make_client):
    response = make_client().get("/data", query_string={"graph": CODE_GRAPH})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_406_when_no_offered_syntax_is_acceptable(client):
    assert client.get("/data", query_string={"graph": CODE_GRAPH}, headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/data", headers={"Accept": "text/turtle"}).status_code == 406  # a dataset needs quads


BAD_TARGETS = {
    "both default and graph": {"default": "", "graph": CODE_GRAPH},
    "two graphs": [("graph", CODE_GRAPH), ("graph", NEW_GRAPH)],
    "not an IRI": {"graph": "not an iri"},
}


@pytest.mark.parametrize("query", BAD_TARGETS.values(), ids=BAD_TARGETS.keys())
@pytest.mark.parametrize("method", ["get", "put", "post", "delete"])
def test_a_request_must_name_exactly_one_graph(client, method, query):
    response = getattr(client, method)("/data", query_string=query, data=LABEL.encode(),
                                       headers={**AUTH, "Content-Type": "application/n-triples"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "ProtocolError"


@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_a_write_without_a_graph_parameter_is_400(client, method):
    response = getattr(client, method)("/data", data=LABEL.encode(), headers={**AUTH, "Content-Type": "application/n-triples"})
    assert response.status_code == 400


# ---------------------------------------------------------------------------------------------- writes

def test_put_post_delete_status_codes(client, store):
    assert put(client, LABEL).status_code == 201  # a new graph
    assert put(client, LABEL).status_code == 204  # replaced
    comment = f'<{CLAIM_M5}> <http://www.w3.org/2000/01/rdf-schema#comment> "checked"@en .'
    assert client.post("/data", query_string={"graph": NEW_GRAPH}, data=comment,
                       headers={**AUTH, "Content-Type": "application/n-triples"}).status_code == 204
    assert store.graph_sizes()[NEW_GRAPH] == 2
    assert client.delete("/data", query_string={"graph": NEW_GRAPH}, headers=AUTH).status_code == 204
    assert client.delete("/data", query_string={"graph": NEW_GRAPH}, headers=AUTH).status_code == 404
    assert NEW_GRAPH not in store.graph_sizes()


def test_post_to_a_new_graph_creates_it(client):
    response = client.post("/data", query_string={"graph": NEW_GRAPH}, data=LABEL,
                           headers={**AUTH, "Content-Type": "application/n-triples"})
    assert response.status_code == 201
    assert NEW_GRAPH in response.headers["Location"]


def test_a_put_replaces_the_graph_and_the_next_read_sees_it(client):
    put(client, LABEL)
    response = client.get("/data", query_string={"graph": NEW_GRAPH}, headers={"Accept": "application/n-triples"})
    assert [str(q.object) for q in parsed(response)] == ['"Язык статьи"@ru']
    query = f'ASK {{ GRAPH <{NEW_GRAPH}> {{ <{CLAIM_M5}> <{RDFS_LABEL}> "Язык статьи"@ru }} }}'
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.get_json()["boolean"] is True


@pytest.mark.parametrize("media", BODIES)
def test_each_body_syntax_is_read(client, store, media):
    assert put(client, BODIES[media], media).status_code == 201
    triples = store.graph_triples(NEW_GRAPH)
    assert [(t.subject.value, t.object.value, t.object.language) for t in triples] == [(CLAIM_M5, "Язык статьи", "ru")]


def test_relative_iris_in_the_body_resolve_against_the_graph(client, store):
    put(client, f'<#note> <{RDFS_LABEL}> "note"@en .', "text/turtle")
    assert store.graph_triples(NEW_GRAPH)[0].subject.value == f"{NEW_GRAPH}#note"


@pytest.mark.parametrize("media", ["text/plain", "application/octet-stream", "application/sparql-update", ""])  # application/json is JSON-LD
def test_a_body_in_another_syntax_is_415(client, store, media):
    before = fingerprint(store)
    response = put(client, LABEL, media)
    assert response.status_code == 415
    assert fingerprint(store) == before


@pytest.mark.parametrize("media, body, position", [
    ("text/turtle", f'<{CLAIM_M5}> <{RDFS_LABEL}> "Язык статьи"@ru .\n<{CLAIM_M5}> <{RDFS_LABEL}> "x" ', ":2:"),
    ("application/n-triples", f"<{CLAIM_M5}> <{RDFS_LABEL}> .\n", ":1:"),
    ("application/ld+json", '{"@id": "http://example.org/a", ', ":1:"),
])
def test_a_body_with_a_syntax_error_is_400_with_its_position(client, store, media, body, position):
    before = fingerprint(store)
    response = put(client, body, media)
    assert response.status_code == 400
    assert response.get_json()["error"] == "ParseError"
    assert position in response.get_json()["detail"]
    assert fingerprint(store) == before


def test_a_body_with_named_graphs_is_refused(client):
    body = json.dumps({"@id": "http://example.org/g", "@graph": [{"@id": CLAIM_M5, RDFS_LABEL: "x"}]})
    assert put(client, body, "application/ld+json").status_code == 400


def test_an_invalid_graph_is_422_with_the_shacl_report_and_changes_nothing(client, store):
    before = fingerprint(store)
    second_label = f'<{BASE}eli/kz/code/2014/226-V/art_205> <{RDFS_LABEL}> "Article 205, again"@en-t-kk .'
    response = put(client, second_label)
    assert response.status_code == 422
    report = response.get_json()["report"]
    assert report["conforms"] is False
    assert report["results"][0]["focusNode"] == f"{BASE}eli/kz/code/2014/226-V/art_205"
    assert report["results"][0]["sourceShape"] == f"{BASE}shapes#LabelUniqueLang"
    assert fingerprint(store) == before


def test_a_body_over_the_size_limit_is_413(make_client, store):
    client = make_client(write_token=TOKEN, max_body=64)
    before = fingerprint(store)
    assert put(client, LABEL * 10).status_code == 413
    assert fingerprint(store) == before


def test_delete_of_the_default_graph_empties_it(client, store):
    assert client.put("/data?default", data=LABEL, headers={**AUTH, "Content-Type": "application/n-triples"}).status_code == 204
    assert len(store.graph_triples(None)) == 1
    assert client.delete("/data?default", headers=AUTH).status_code == 204
    assert store.graph_triples(None) == []
