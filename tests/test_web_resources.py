"""Linked data (kg.web.routes.resources): resource pages by content negotiation and suffix, the ontology, shapes, VoID
and the query page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pyoxigraph
import pytest

from kg.core.project import ontology_files, shapes_files
from kg.store.embedded import EmbeddedStore
from kg.web.app import create_app
from kg.rdf import jsonld
from kg.web.routes import resources

from helpers import BASE

ART_205 = "eli/kz/code/2014/226-V/art_205"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDF_FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}
VOID = "http://rdfs.org/ns/void#"


def parse(response) -> set[pyoxigraph.Triple]:
    rdf_format = RDF_FORMATS[response.mimetype]
    return {q.triple for q in pyoxigraph.parse(with_context(response.data, response.mimetype), format=rdf_format)}


def with_context(data: bytes, media: str) -> bytes:
    """Compacted JSON-LD with the published context put in place of its URL (what a document loader does)."""
    if media != "application/ld+json":
        return data
    document = json.loads(data)
    if isinstance(document, dict) and str(document.get("@context", "")).endswith("/context.jsonld"):
        document["@context"] = jsonld.CONTEXT["@context"]
    return json.dumps(document).encode()


def n(iri: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(iri if "://" in iri else BASE + iri)


class Links(HTMLParser):
    """Every <a href> of a page with its text, and the section (h2) it sits under."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (section, href, text)
        self.section, self._href, self._text, self._in_h2 = "", None, [], False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []
        self._in_h2 = self._in_h2 or tag == "h2"

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)
        if self._in_h2:
            self.section = data.strip() or self.section

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self.section, self._href, "".join(self._text).strip()))
            self._href = None
        if tag == "h2":
            self._in_h2 = False

    def hrefs(self, section: str | None = None) -> set[str]:
        return {href for s, href, _ in self.links if section is None or s == section}


# ---------------------------------------------------------------- content negotiation

CONNEG = [  # (path, Accept, format parameter, expected media type)
    (ART_205, "text/turtle", None, "text/turtle"),
    (ART_205, "application/ld+json", None, "application/ld+json"),
    (ART_205, "application/n-triples", None, "application/n-triples"),
    (ART_205, "application/rdf+xml", None, "application/rdf+xml"),
    (ART_205, BROWSER, None, "text/html"),
    (ART_205, "*/*", None, "text/html"),
    (ART_205, None, None, "text/html"),
    (ART_205, "text/turtle;q=0.5, application/ld+json", None, "application/ld+json"),
    (ART_205, "text/html;q=0.1, application/*", None, "application/n-triples"),
    (ART_205 + ".ttl", BROWSER, None, "text/turtle"),
    (ART_205 + ".jsonld", BROWSER, None, "application/ld+json"),
    (ART_205 + ".nt", None, None, "application/n-triples"),
    (ART_205 + ".rdf", "text/turtle", None, "application/rdf+xml"),
    (ART_205, BROWSER, "ttl", "text/turtle"),
    (ART_205, None, "jsonld", "application/ld+json"),
    ("id/dataset/table-1", "text/turtle", None, "text/turtle"),
    ("id/dataset/table-1.nt", None, None, "application/n-triples"),
]


@pytest.mark.parametrize("path, accept, format_, media", CONNEG)
def test_resource_conneg(client, store, path, accept, format_, media):
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/{path}", headers=headers, query_string={"format": format_} if format_ else None)
    assert response.status_code == 200
    assert response.mimetype == media
    assert "Accept" in response.headers.get("Vary", "")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    if media == "text/html":
        return
    iri = n(path.rsplit(".", 1)[0] if path.endswith((".ttl", ".jsonld", ".nt", ".rdf")) else path)
    triples = parse(response)
    expected = {q.triple for q in store.quads() if iri in (q.subject, q.object)}
    assert triples == expected  # the resource as subject and as object, nothing else, nothing missing


def test_description_has_outgoing_and_incoming_triples(client):
    triples = parse(client.get(f"/{ART_205}.nt"))
    assert pyoxigraph.Triple(n(ART_205), n("http://data.europa.eu/eli/ontology#number"), pyoxigraph.Literal("205")) in triples
    assert pyoxigraph.Triple(n("eli/kz/code/2014/226-V/chp_7"), n("http://data.europa.eu/eli/ontology#has_part"),
                             n(ART_205)) in triples


@pytest.mark.parametrize("accept, format_", [("application/pdf", None), ("text/plain", None), (None, "pdf")])
def test_resource_unacceptable_format_is_406(client, accept, format_):
    response = client.get(f"/{ART_205}", headers={"Accept": accept} if accept else {},
                          query_string={"format": format_} if format_ else None)
    assert response.status_code == 406
    assert response.get_json()["error"] == "NotAcceptable"


@pytest.mark.parametrize("path", ["eli/kz/code/2014/226-V/art_999", "id/state/atlantis", "id/a%20b", "eli/kz/code/2014/226-V/art_999.ttl"])
def test_unknown_iri_is_404(client, path):
    response = client.get(f"/{path}", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "NotFound"


def test_unknown_iri_is_404_page_for_browsers(client):
    response = client.get("/id/state/atlantis", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "https://w3id.org/infosec-law-kg/id/state/atlantis" in response.get_data(as_text=True)


# ---------------------------------------------------------------- the HTML page

@pytest.fixture(scope="module")
def article_page(app) -> str:
    response = app.test_client().get(f"/{ART_205}", headers={"Accept": BROWSER})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_page_shows_labels_in_kk_ru_en(article_page):
    assert "205 бап (Қазақстан Республикасының Қылмыстық кодексі)" in article_page
    assert "Статья 205. Неправомерный доступ к информации" in article_page
    assert "Article 205 of the Criminal Code of the Republic of Kazakhstan" in article_page
    labels = article_page.split("<h2>Labels</h2>")[1].split("</table>")[0]
    assert [row for row in re.findall(r'<th scope="row" lang="en">(\w+)</th>', labels)] == ["kk", "ru", "en"]
    assert "@en-t-kk" in labels  # a translated label says so


def test_page_shows_types_linked_to_the_ontology(article_page):
    types = article_page.split('class="types"')[1].split("</p>")[0]
    assert 'href="/ontology#Article"' in types
    assert ">Article</a>" in types  # the class's label, not its IRI


def test_page_links_properties_locally_and_incoming_links(article_page):
    links = Links(article_page)
    properties, incoming = links.hrefs("Properties"), links.hrefs("Incoming links")
    assert "/id/protected-object/right-to-receive-information" in properties
    assert "/id/offence-type/unlawful-access" in properties
    assert "/eli/kz/code/2014/226-V/chp_7" in properties  # eli:is_part_of
    assert "/eli/kz/code/2014/226-V/chp_7" in incoming  # eli:has_part
    assert "/id/correspondence/kz-205-coe-2" in incoming
    assert "http://data.europa.eu/eli/ontology#has_part" in incoming  # a property outside the base links out
    assert {f"/{ART_205}{s}" for s in (".ttl", ".jsonld", ".nt", ".rdf")} <= links.hrefs()
    assert not any(href.startswith(BASE) for href in links.hrefs())  # the base never links off this server


def test_page_uses_names_not_iris_for_linked_resources(article_page):
    links = {(href, text) for _, href, text in Links(article_page).links}
    assert ("/eli/kz/code/2014/226-V/chp_7", "Chapter 7 of the Criminal Code of the Republic of Kazakhstan") in links


@pytest.mark.parametrize("query, headers, title", [
    ({}, {}, "Article 205 of the Criminal Code of the Republic of Kazakhstan"),
    ({"lang": "kk"}, {}, "205 бап (Қазақстан Республикасының Қылмыстық кодексі)"),
    ({}, {"Accept-Language": "ru, en;q=0.5"}, "Статья 205. Неправомерный доступ к информации, в информационную систему или сеть телекоммуникаций"),
    ({"lang": "xx"}, {}, "Article 205 of the Criminal Code of the Republic of Kazakhstan"),
])
def test_page_title_in_the_readers_language(client, query, headers, title):
    page = client.get(f"/{ART_205}", query_string=query, headers={"Accept": "text/html", **headers}).get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page


def test_iri_is_the_base_whatever_the_host(client):
    response = client.get(f"/{ART_205}.nt", base_url="http://kg.example.org:9999")
    assert response.status_code == 200
    subjects = {t.subject for t in parse(response)}
    assert n(ART_205) in subjects
    assert not any("kg.example.org" in s.value for s in subjects)
    page = client.get(f"/{ART_205}", base_url="http://kg.example.org:9999", headers={"Accept": BROWSER})
    assert f"<code>{BASE}{ART_205}</code>" in page.get_data(as_text=True)


def test_resource_iri_comes_from_the_configured_base(make_client):
    """Another base, same data: the server answers for the other base's IRIs only, so art_205 is unknown."""
    other = make_client(base="http://localhost/kg/")
    assert other.get(f"/{ART_205}", base_url="https://w3id.org/infosec-law-kg/").status_code == 404


def test_text_from_the_data_is_escaped(make_client):
    store = EmbeddedStore()
    evil, linked = n("id/test/evil"), n("id/test/linked")
    label = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    graph = BASE + "graph/test"
    store.add_to_graph(graph, [
        pyoxigraph.Triple(evil, label, pyoxigraph.Literal("<script>alert(1)</script>", language="en")),
        pyoxigraph.Triple(evil, n("https://w3id.org/infosec-law-kg/ontology#note"), pyoxigraph.Literal('"><img src=x onerror=alert(2)>')),
        pyoxigraph.Triple(evil, n("http://www.w3.org/2004/02/skos/core#related"), linked),
        pyoxigraph.Triple(linked, label, pyoxigraph.Literal("<b>bold</b>", language="kk")),
    ])
    page = make_client(store=store).get("/id/test/evil", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; · infosec-law-kg</title>" in page


# ---------------------------------------------------------------- /ontology

def test_ontology_page_is_built_at_first_request_and_cached(settings, store, monkeypatch):
    calls = []
    real = resources.ontology_html
    monkeypatch.setattr(resources, "ontology_html", lambda *a: calls.append(a) or real(*a))
    app = create_app(settings, store)
    assert calls == [] and app.extensions["kg.linked_data"].items == {}  # nothing at start-up
    client = app.test_client()
    first = client.get("/ontology", headers={"Accept": BROWSER})
    second = client.get("/ontology", headers={"Accept": BROWSER})
    assert len(calls) == 1
    assert first.status_code == second.status_code == 200 and first.data == second.data


@pytest.fixture(scope="module")
def ontology_page(app) -> str:
    response = app.test_client().get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_ontology_page_is_pylode_with_term_anchors(ontology_page):
    assert "pyLODE" in ontology_page
    assert "<title>Information-security criminal law ontology</title>" in ontology_page
    for term in ("Article", "CriminalCode", "OffenceType", "protects", "criminalises", "ArticleClaim"):
        assert f'id="{term}"' in ontology_page, term  # {base}ontology#Term lands on the term
    assert "Names in other languages: Бап (kk); Статья (ru)" in ontology_page


def test_every_ontology_term_has_its_anchor(ontology_page, settings):
    """`{base}ontology#Term` must land somewhere for every term, the code lists pyLODE leaves out included."""
    namespace = BASE + "ontology#"
    terms = {q.subject.value[len(namespace):] for f in ontology_files(settings) for q in pyoxigraph.parse(path=str(f.path))
             if isinstance(q.subject, pyoxigraph.NamedNode) and q.subject.value.startswith(namespace)}
    anchors = set(re.findall(r' id="([^"]+)"', ontology_page))
    assert {"Article", "code", "documentTypes", "high", "offenceStatisticsStructure"} <= terms
    assert terms - anchors == set()


def test_ontology_page_loads_nothing_from_elsewhere(ontology_page):
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', ontology_page)


@pytest.mark.parametrize("path, accept, media", [
    ("/ontology", "text/turtle", "text/turtle"),
    ("/ontology", "application/ld+json", "application/ld+json"),
    ("/ontology", "application/rdf+xml", "application/rdf+xml"),
    ("/ontology.nt", BROWSER, "application/n-triples"),
])
def test_ontology_rdf(client, settings, path, accept, media):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media
    triples = parse(response)
    expected = {q.triple for f in ontology_files(settings) for q in pyoxigraph.parse(path=str(f.path))}
    assert len(triples) == len(expected)  # blank nodes get new labels, so compare sizes and named triples
    named = {t for t in expected if not any(isinstance(x, pyoxigraph.BlankNode) for x in (t.subject, t.object))}
    assert named <= triples
    assert pyoxigraph.Triple(n("ontology#Article"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                             n("http://www.w3.org/2002/07/owl#Class")) in triples


# ---------------------------------------------------------------- /shapes

def test_shapes_default_to_turtle(client, settings):
    response = client.get("/shapes")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    triples = parse(response)
    expected = {q.triple for f in shapes_files(settings) for q in pyoxigraph.parse(path=str(f))}
    assert len(triples) == len(expected)
    assert pyoxigraph.Triple(n("shapes#LegalResourceShape"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                             n("http://www.w3.org/ns/shacl#NodeShape")) in triples


@pytest.mark.parametrize("path, accept, media", [
    ("/shapes", "application/ld+json", "application/ld+json"),
    ("/shapes.rdf", None, "application/rdf+xml"),
    ("/shapes", "application/n-triples", "application/n-triples"),
])
def test_shapes_rdf_formats(client, path, accept, media):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media
    assert len(parse(response)) > 1000


def test_shapes_html_listing(client):
    response = client.get("/shapes", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'id="LegalResourceShape"' in page and 'href="#LegalResourceShape"' in page
    assert 'href="/shapes.ttl"' in page


# ---------------------------------------------------------------- /void

@pytest.fixture(scope="module")
def void(app) -> set[pyoxigraph.Triple]:
    response = app.test_client().get("/void", base_url="http://kg.example.org:9999")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    return parse(response)


def objects(triples, subject, predicate) -> set:
    return {t.object for t in triples if t.subject == subject and t.predicate == n(predicate)}


DATASET = n("void#infosec-law-kg")


def test_void_counts_triples_per_named_graph(void, store):
    sizes = store.graph_sizes()
    subsets = objects(void, DATASET, VOID + "subset")
    assert {s.value for s in subsets} == set(sizes)
    for subset in subsets:
        assert n(VOID + "Dataset") in objects(void, subset, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        (count,) = objects(void, subset, VOID + "triples")
        assert int(count.value) == sizes[subset.value], subset
    (total,) = objects(void, DATASET, VOID + "triples")
    assert int(total.value) == sum(sizes.values()) > 5000


def test_void_names_the_requests_sparql_endpoint_and_the_dataset(void):
    assert objects(void, DATASET, VOID + "sparqlEndpoint") == {n("http://kg.example.org:9999/sparql")}
    assert objects(void, DATASET, VOID + "uriSpace") == {pyoxigraph.Literal(BASE)}
    assert objects(void, DATASET, "http://purl.org/dc/terms/license") == {n("https://creativecommons.org/licenses/by/4.0/")}
    assert objects(void, DATASET, "http://purl.org/dc/terms/source") == {n("id/source/article-2025")}
    types = objects(void, DATASET, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert {n(VOID + "Dataset"), n("http://www.w3.org/ns/dcat#Dataset")} <= types
    examples = objects(void, DATASET, VOID + "exampleResource")
    assert {n("eli/kz/code/2014/226-V"), n(ART_205), n("id/dataset/table-1")} <= examples


def test_void_example_resources_dereference(client, void):
    for example in objects(void, DATASET, VOID + "exampleResource"):
        assert client.get("/" + example.value.removeprefix(BASE), headers={"Accept": "text/turtle"}).status_code == 200


def test_void_lists_every_vocabulary_the_data_uses(void, store):
    vocabularies = {v.value for v in objects(void, DATASET, VOID + "vocabulary")}
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    used = {q.predicate.value for q in store.quads()} | {q.object.value for q in store.quads() if q.predicate == rdf_type}
    unlisted = {term for term in used if not any(term.startswith(v) for v in vocabularies)}
    assert unlisted == set()


@pytest.mark.parametrize("path, accept, media", [
    ("/void", "application/ld+json", "application/ld+json"),
    ("/void.nt", None, "application/n-triples"),
    ("/void", "application/rdf+xml", "application/rdf+xml"),
    ("/void", BROWSER, "text/html"),
])
def test_void_formats(client, path, accept, media):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media
    if media != "text/html":
        assert objects(parse(response), DATASET, VOID + "uriSpace") == {pyoxigraph.Literal(BASE)}


# ---------------------------------------------------------------- the query page

def test_query_page(client):
    response = client.get("/", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<div id="yasgui">' in page and 'data-config="/query-config.json"' in page  # YASGUI (issue 12)
    config = client.get("/query-config.json").get_json()
    assert config["endpoint"] == "/sparql" and config["canned"] == "/api/queries" and config["base"] == BASE
    assert len(config["examples"]) >= 4
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', page)  # works offline
    for asset in re.findall(r'(?:src|href)="(/assets/[^"]+)"', page):
        with client.get(asset) as response:
            assert response.status_code == 200, asset


def test_query_page_examples_answer(store):
    """The examples are data files (kg/web/examples/*.rq); each must parse and find something."""
    examples = resources._examples()
    assert len(examples) >= 4 and all(e["title"] and not e["title"].startswith("#") for e in examples)
    for example in examples:
        result = store.query(example["query"])
        assert getattr(result, "rows", None) or getattr(result, "triples", None), example["title"]


def test_query_page_opens_a_shared_query_escaped(client):
    query = 'SELECT * WHERE { ?s ?p "</textarea><script>alert(1)</script>" }'
    page = client.get("/", query_string={"query": query}).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "alert(1)" not in page  # the page's script reads it from the URL


@pytest.mark.parametrize("path", ["/ontology", "/shapes"])
def test_missing_project_files_are_a_clear_404(make_client, tmp_path, path):
    client = make_client(root=tmp_path)
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert "KG_ROOT" in response.get_data(as_text=True)
