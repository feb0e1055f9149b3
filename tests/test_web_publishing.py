"""Linked-data publishing (issue 11): the JSON-LD context and compacted documents, Link and Content-Location headers,
named graphs at their IRIs, `.html`/`.json` suffixes, trailing slashes, VoID/DCAT metadata and the dumps."""

from __future__ import annotations

import json

import pyoxigraph
import pytest

from kg.core.project import project_files
from kg.rdf import jsonld
from kg.store.embedded import EmbeddedStore

from helpers import BASE

ART_205 = BASE + "eli/kz/code/2014/226-V/art_205"
PATH = "/eli/kz/code/2014/226-V/art_205"
VOID, DCAT, DCTERMS = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"


def triples(data: bytes, fmt=pyoxigraph.RdfFormat.TURTLE) -> set:
    return {q.triple for q in pyoxigraph.parse(data, format=fmt)}


def expand_with_published_context(data: bytes) -> set:
    document = json.loads(data)
    assert isinstance(document["@context"], str) and document["@context"].endswith("/context.jsonld")
    document["@context"] = jsonld.CONTEXT["@context"]
    return triples(json.dumps(document).encode(), pyoxigraph.RdfFormat.JSON_LD)


def test_the_context_is_published(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.get_json()["@context"]["eli"] == "http://data.europa.eu/eli/ontology#"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_json_ld_is_compacted_with_the_described_resource_first(client):
    compacted = client.get(PATH, headers={"Accept": "application/ld+json"})
    turtle = client.get(PATH, headers={"Accept": "text/turtle"})
    document = compacted.get_json()
    assert document["@context"] == "http://localhost/context.jsonld"
    assert document["@graph"][0]["@id"] == ART_205
    assert 'profile="http://www.w3.org/ns/json-ld#compacted"' in compacted.headers["Content-Type"]
    assert expand_with_published_context(compacted.data) == triples(turtle.data)


@pytest.mark.parametrize("request_args", [
    {"headers": {"Accept": 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'}},
    {"headers": {"Accept": "application/ld+json"}, "query_string": {"profile": jsonld.EXPANDED}},
])
def test_the_expanded_form_stays_available(client, request_args):
    response = client.get(PATH, **request_args)
    assert response.mimetype == "application/ld+json" and isinstance(response.get_json(), list)


@pytest.mark.parametrize("path, accept, media", [
    (PATH, "application/json", "application/ld+json"),
    (PATH + ".json", None, "application/ld+json"),
    (PATH + ".html", "text/turtle", "text/html"),
    ("/void.json", None, "application/ld+json"),
    ("/void.html", None, "text/html"),
])
def test_json_and_html(client, path, accept, media):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media


def test_link_and_content_location_headers(client):
    response = client.get(PATH, headers={"Accept": "text/turtle"})
    link = response.headers["Link"]
    for suffix, media in [(".html", "text/html"), (".jsonld", "application/ld+json"), (".nt", "application/n-triples"),
                          (".rdf", "application/rdf+xml")]:
        assert f'<{PATH}{suffix}>; rel="alternate"; type="{media}"' in link
    assert f'<{PATH}.ttl>; rel="describedby"; type="text/turtle"' in link
    assert '</void>; rel="http://rdfs.org/ns/void#inDataset"' in link
    assert "/dumps/infosec-law-kg-" in link
    assert response.headers["Content-Location"] == PATH + ".ttl"
    assert client.get(PATH, headers={"Accept": "text/html"}).headers["Content-Location"] == PATH + ".html"


@pytest.mark.parametrize("path, target", [(PATH + "/", PATH), ("/void/", "/void"), ("/graph/kz-laws/?x=1", "/graph/kz-laws?x=1")])
def test_a_trailing_slash_redirects(client, path, target):
    response = client.get(path)
    assert response.status_code == 301 and response.headers["Location"] == target


def test_a_named_graph_dereferences_to_its_description_and_content(client, store):
    response = client.get("/graph/kz-laws", headers={"Accept": "text/turtle"})
    got = triples(response.data)
    graph = pyoxigraph.NamedNode(BASE + "graph/kz-laws")
    content = {t for t in store.graph_triples(BASE + "graph/kz-laws")}
    assert response.status_code == 200 and content <= got
    assert pyoxigraph.Triple(graph, pyoxigraph.NamedNode(VOID + "triples"),
                             pyoxigraph.Literal(str(len(content)), datatype=pyoxigraph.NamedNode(
                                 "http://www.w3.org/2001/XMLSchema#integer"))) in got
    assert client.get("/graph/ontology/core.ttl").mimetype == "text/turtle"
    page = client.get("/graph/kz-laws", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and b"Named graph kz-laws" in page.data
    assert client.get("/graph/nothing-here").status_code == 404


def test_void_lists_graphs_that_dereference(client):
    void = triples(client.get("/void.ttl").data)
    subsets = {t.object.value for t in void if t.predicate.value == VOID + "subset"}
    assert BASE + "graph/kz-laws" in subsets
    for subset in subsets:
        assert client.get(subset[len(BASE) - 1:], headers={"Accept": "text/turtle"}).status_code == 200


def test_void_and_dcat_metadata_and_dumps(client, store):
    void = triples(client.get("/void.ttl").data)
    about = {t.predicate.value: t.object for t in void if t.subject.value == BASE + "void#infosec-law-kg"}
    for term in (DCTERMS + "publisher", DCTERMS + "creator", DCTERMS + "issued", DCTERMS + "modified",
                 DCAT + "version", VOID + "dataDump", DCAT + "distribution"):
        assert term in about, term
    urls = {t.object.value for t in void if t.predicate.value == DCAT + "downloadURL"}
    dumps = {t.object.value for t in void if t.predicate.value == VOID + "dataDump"}
    assert urls == dumps and {url.rsplit(".", 1)[1] for url in urls} == {"nq", "trig"}
    assert all(f"infosec-law-kg-{store.version}." in url for url in urls)
    for url in urls:
        response = client.get(url.removeprefix("http://localhost"))
        fmt = pyoxigraph.RdfFormat.N_QUADS if url.endswith(".nq") else pyoxigraph.RdfFormat.TRIG
        assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
        assert len(list(pyoxigraph.parse(response.data, format=fmt))) == len(list(store.quads()))
        response.close()
    assert client.get("/dumps/infosec-law-kg-0000.nq").status_code == 404
    assert client.get("/dumps/../pyproject.toml").status_code == 404


def test_every_page_links_the_dump(client, store):
    for path in ("/", PATH, "/void", "/graph/kz-laws"):
        page = client.get(path, headers={"Accept": "text/html"}).data.decode()
        assert f'href="/dumps/infosec-law-kg-{store.version}.nq"' in page, path


def fetched(client, path: str) -> tuple[int, bytes]:
    response = client.get(path)
    try:
        return response.status_code, response.data
    finally:
        response.close()  # a file the route sent


def test_a_write_gives_a_new_dump(make_client, settings, tmp_path):
    writable = EmbeddedStore.from_files(project_files(settings))
    client = make_client(store=writable, store_path=tmp_path / "store")
    before = writable.version
    assert fetched(client, f"/dumps/infosec-law-kg-{before}.nq")[0] == 200
    writable.update(f'INSERT DATA {{ GRAPH <{BASE}graph/test> {{ <{BASE}id/x> <{BASE}id/p> "new" }} }}')
    assert writable.version != before
    status, body = fetched(client, f"/dumps/infosec-law-kg-{writable.version}.nq")
    assert status == 200 and b'"new"' in body
    assert f"infosec-law-kg-{writable.version}.nq".encode() in client.get("/void.ttl").data
    assert b'"new"' not in fetched(client, f"/dumps/infosec-law-kg-{before}.nq")[1]  # the old name keeps its content
