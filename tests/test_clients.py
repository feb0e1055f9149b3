"""Clients nobody here wrote, against a live `kg serve`, as users call them (issue 11): SPARQLWrapper with every
return format and query form, rdflib's SPARQLStore, Comunica (JavaScript, tests/js), long GET queries, JSON-LD
with its context, and the linked-data headers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from helpers import BASE, serve, stop_service

ART_205 = BASE + "eli/kz/code/2014/226-V/art_205"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    running = serve(tmp_path_factory.mktemp("clients"))
    yield running
    stop_service(running)


@pytest.fixture(scope="module")
def endpoint(service) -> str:
    return f"http://127.0.0.1:{service.port}/sparql"


def fetch(url: str, headers: dict | None = None, data: bytes | None = None):
    """(status, headers, body) of one request; an error status is returned, not raised."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# ------------------------------------------------------------------ long GET queries

def long_query(size: int) -> str:
    """A SELECT of about `size` bytes: a VALUES block of IRIs of the graph's base, most of them unknown."""
    rows, n = [], 0
    while sum(map(len, rows)) < size:
        rows.append(f"<{BASE}id/state/x{n}>\n")
        n += 1
    return f"SELECT ?s WHERE {{ VALUES ?s {{ <{BASE}id/state/kz>\n{''.join(rows)}}} ?s ?p ?o }} LIMIT 1"


def test_a_get_query_of_32_kb_is_answered(endpoint):
    query = long_query(32 * 1024)
    status, headers, body = fetch(f"{endpoint}?{urlencode({'query': query})}",
                                  {"Accept": "application/sparql-results+json"})
    assert len(query) >= 32 * 1024 and status == 200, body[:300]
    assert json.loads(body)["results"]["bindings"][0]["s"]["value"] == BASE + "id/state/kz"


@pytest.mark.parametrize("size", [62 * 1024, 70 * 1024])  # past the app's limit; past the workers' head limit
def test_past_the_limit_a_get_is_414_in_the_error_shape_saying_post(endpoint, size):
    status, headers, body = fetch(f"{endpoint}?{urlencode({'query': long_query(size)})}",
                                  {"Accept": "application/json"})
    error = json.loads(body)
    assert status == 414 and headers["Content-Type"].startswith("application/json")
    assert error["error"] == "URITooLong" and "POST" in error["detail"]


# ------------------------------------------------------------------ SPARQLWrapper: every return format, every form

SELECT = f"SELECT ?p ?o WHERE {{ <{ART_205}> ?p ?o }}"
ASK = f"ASK {{ <{ART_205}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{ART_205}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{ART_205}>"
TABLE_FORMATS = ["XML", "JSON", "CSV", "TSV"]
GRAPH_FORMATS = ["XML", "JSON", "N3", "RDFXML", "TURTLE", "JSONLD"]


def wrapper(endpoint, query, fmt, method):
    from SPARQLWrapper import SPARQLWrapper
    import SPARQLWrapper as module

    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(getattr(module, fmt))
    client.setMethod(getattr(module, method))
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", TABLE_FORMATS)
@pytest.mark.parametrize("query", [SELECT, ASK], ids=["select", "ask"])
def test_sparqlwrapper_tables(endpoint, query, fmt, method):
    result = wrapper(endpoint, query, fmt, method).query()
    assert result.response.status == 200
    converted = result.convert()
    assert converted  # parsed by SPARQLWrapper itself: a DOM, a dict, or CSV/TSV bytes


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_graphs(endpoint, query, fmt, method, recwarn):
    import rdflib

    result = wrapper(endpoint, query, fmt, method).query()
    converted = result.convert()
    graph = converted if isinstance(converted, rdflib.Graph) else rdflib.Graph().parse(
        data=converted, format="json-ld" if fmt in ("JSON", "JSONLD") else "turtle")
    assert (rdflib.URIRef(ART_205), rdflib.RDF.type, rdflib.URIRef(BASE + "ontology#Article")) in graph


# ------------------------------------------------------------------ rdflib's SPARQLStore

def test_rdflib_sparql_store(endpoint):
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(SPARQLStore(endpoint))  # its default: RDF/XML and SPARQL XML accepted
    rows = list(graph.query(SELECT))
    assert len(rdflib.Graph(SPARQLStore(endpoint, returnFormat="json")).query(SELECT)) == len(rows)
    assert (rdflib.RDF.type, rdflib.URIRef(BASE + "ontology#Article")) in {(row.p, row.o) for row in rows}
    assert graph.query(ASK).askAnswer is True
    assert len(graph.query(CONSTRUCT).graph) == len(rows)
    assert (rdflib.URIRef(ART_205), rdflib.RDF.type, None) in graph  # triples() as SPARQLStore sends it


# ------------------------------------------------------------------ Comunica 4.x (JavaScript, tests/js)

JS = Path(__file__).parent / "js"


def comunica(kind: str, source: str, query: str):
    if shutil.which("node") is None or not (JS / "node_modules" / "@comunica" / "query-sparql").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("Comunica is not installed: scripts/install.sh runs `npm ci` in tests/js")
        pytest.skip("Comunica is not installed (node and `npm ci` in tests/js)")
    done = subprocess.run(["node", str(JS / "comunica.mjs"), kind, source, query], capture_output=True, text=True,
                          timeout=120, cwd=JS)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_comunica_select_ask_construct(endpoint):
    rows = comunica("select", endpoint, SELECT)
    assert {"p": {"type": "NamedNode", "value": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"},
            "o": {"type": "NamedNode", "value": BASE + "ontology#Article"}} in rows
    assert comunica("ask", endpoint, ASK) is True
    assert len(comunica("construct", endpoint, CONSTRUCT)) == len(rows)


@pytest.mark.parametrize("suffix", [".jsonld", ".ttl", ""])
def test_comunica_reads_the_linked_data_documents(service, suffix):
    """JSON-LD is expanded with the published @context, fetched by Comunica's own JSON-LD parser."""
    url = f"http://127.0.0.1:{service.port}/eli/kz/code/2014/226-V/art_205{suffix}"
    rows = comunica("document", url, f"SELECT ?c WHERE {{ <{ART_205}> a ?c }}")
    assert {"c": {"type": "NamedNode", "value": BASE + "ontology#Article"}} in rows


def test_the_dump_linked_from_void_is_the_dataset(service):
    status, headers, body = fetch(f"http://127.0.0.1:{service.port}/void.jsonld")
    document = json.loads(body)
    assert status == 200 and document["@context"] == f"http://127.0.0.1:{service.port}/context.jsonld"
    dumps = [node for node in document["@graph"] if "dcat:downloadURL" in node]
    urls = {node["dcat:downloadURL"]["@id"] for node in dumps}
    assert {url.rsplit(".", 1)[1] for url in urls} == {"nq", "trig"}
    for url in urls:
        status, headers, body = fetch(url)
        assert status == 200 and len(body) > 100_000
