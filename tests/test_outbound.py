"""kg.store.outbound: SERVICE and LOAD reach only hosts on the operator's allow-list; words in data are not refused."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest

from kg.core.errors import Forbidden, InputRefused
from kg.store.guard import Guard
from kg.store.open import open_store
from kg.store.outbound import allowed
from kg.store.embedded import EmbeddedStore

from helpers import loopback_http, reply

EX = "PREFIX ex: <http://example.org/> "
ALLOW_EXAMPLE = ("example.org",)

# (text, allow-list, None = accepted | a fragment of the refusal's message)
CASES = [
    # the common case: no keyword at all
    ("SELECT * WHERE { ?s ?p ?o }", (), None),
    ("ASK { <http://example.org/a> ?p ?o }", (), None),
    # the words as data, not as keywords
    ("# SERVICE <http://evil.test/sparql> { ?s ?p ?o }\nSELECT * WHERE { ?s ?p ?o }", (), None),
    ("SELECT * WHERE { ?s ?p 'SERVICE <http://evil.test/> { }' }", (), None),
    ('SELECT * WHERE { ?s ?p """LOAD <http://evil.test/x>""" }', (), None),
    ("SELECT ?service WHERE { ?service <http://ex.test/load> ?x }", (), None),
    ("PREFIX service: <http://ex.test/service#> SELECT * WHERE { ?s service:load ?o }", (), None),
    ("SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(?o, 'service')) } # load", (), None),
    ("INSERT DATA { <http://ex.test/a> <http://ex.test/p> \"load the service\" }", (), None),
    ("PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?u WHERE { ?d dcat:downloadURL ?u }", (), None),
    ("PREFIX ex: <http://ex.test/> SELECT * WHERE { ?s ex:a\\#b ?o }  # ex:a\\#b is one name", (), None),
    # SERVICE in a query: refused by default, allowed by host, host:port or URL prefix
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", (), "example.org is not on"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", ALLOW_EXAMPLE, None),
    ("select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }", (), "SERVICE <http://example.org"),
    ("SELECT * WHERE { SERVICE <http://example.org:8890/sparql> { ?s ?p ?o } }", ("example.org:3030",), "not on"),
    ("SELECT * WHERE { SERVICE <http://example.org:8890/sparql> { ?s ?p ?o } }", ("example.org:8890",), None),
    ("SELECT * WHERE { SERVICE <https://example.org/sparql> { ?s ?p ?o } }", ("example.org:443",), None),
    ("SELECT * WHERE { SERVICE <https://example.org/other> { ?s ?p ?o } }", ("https://example.org/sparql",), "not on"),
    ("SELECT * WHERE { SERVICE <https://example.org/sparql> { ?s ?p ?o } }", ("https://example.org/sparql",), None),
    ("SELECT * WHERE { SERVICE <http://example.org.evil.test/> { ?s ?p ?o } }", ALLOW_EXAMPLE, "not on"),
    ("SELECT * WHERE { SERVICE <http://example.org@evil.test/> { ?s ?p ?o } }", ALLOW_EXAMPLE, "no user part"),
    ("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", ("",), "only an absolute http(s) IRI"),
    ("LOAD <ftp://example.org/data.ttl>", ALLOW_EXAMPLE, "only an absolute http(s) IRI"),
    # the target after PREFIX resolution, nested anywhere, or one that cannot be checked
    (EX + "SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }", (), "<http://example.org/sparql>"),
    (EX + "SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }", ALLOW_EXAMPLE, None),
    ("PREFIX ex: <http://example.org> SELECT * WHERE { SERVICE ex:.evil.test\\/x { ?s ?p ?o } }", ALLOW_EXAMPLE,
     "<http://example.org.evil.test/x>"),  # the name is joined to the namespace as the engine joins it
    ("BASE <http://evil.test/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }", ALLOW_EXAMPLE, "SERVICE <sparql> is refused"),
    ("SELECT * WHERE { SERVICE nope:x { ?s ?p ?o } }", ALLOW_EXAMPLE, "SERVICE nope:x is refused"),
    ("SELECT * WHERE { ?s ?p ?o OPTIONAL { { SELECT ?x WHERE { SERVICE <http://evil.test/> { ?x ?y ?z } } } } }", ALLOW_EXAMPLE, "evil.test"),
    ("SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://evil.test/> { ?s ?p ?o } } }", (), "evil.test"),
    ("SELECT * WHERE { SERVICE <http://example.org/a> { ?s ?p ?o } SERVICE <http://evil.test/b> { ?s ?p ?o } }", ALLOW_EXAMPLE, "evil.test"),
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", ALLOW_EXAMPLE, "variable endpoint"),
    (r"SELECT * WHERE { \u0053ERVICE <http://evil.test/> { ?s ?p ?o } }", (), "backslash"),  # a §19.2 engine's SERVICE
    (r"SELECT * WHERE { \U00000053ERVICE <http://evil.test/> { ?s ?p ?o } }", (), "backslash"),
    (r"SELECT * WHERE { ?s ?p '\u0053ERVICE <http://evil.test/> { }' }", (), None),  # an escape in a string is data
    (r"SELECT * WHERE { ?s ?p '\u0027' . SERVICE <http://evil.test/> { } }", (), "evil.test"),
    (r"SELECT * WHERE { ?s ?p '\uD800' }", (), "no character"),
    ("SELECT * WHERE { SERVICE <http://evil.test/> { ?s ?p ?o } ", (), "evil.test"),  # unfinished: still refused
    # LOAD and SERVICE in updates, prefixes carried across operations
    ("LOAD <http://example.org/data.ttl>", (), "LOAD <http://example.org/data.ttl>"),
    ("LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <urn:g>", ALLOW_EXAMPLE, None),
    ("PREFIX a: <http://evil.test/> INSERT DATA { <urn:x> <urn:p> 1 } ; LOAD a:data", (), "LOAD <http://evil.test/data>"),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }", ALLOW_EXAMPLE, "query.wikidata.org"),
]


@pytest.mark.parametrize(("text", "allowlist", "refusal"), CASES)
def test_outbound_table(text, allowlist, refusal):
    guard = Guard(outbound_allowlist=allowlist)
    if refusal is None:
        guard.check(text)
        return
    with pytest.raises((Forbidden, InputRefused)) as caught:
        guard.check(text)
    assert refusal in str(caught.value)


def test_refusal_names_the_host_and_the_setting():
    with pytest.raises(Forbidden) as caught:
        Guard().check("SELECT * WHERE { SERVICE <https://dbpedia.org/sparql> { ?s ?p ?o } }")
    assert "KG_SERVICE_ALLOWLIST=dbpedia.org" in str(caught.value)
    assert caught.value.http_status == 403


@pytest.mark.parametrize(("iri", "entries", "expected"), [
    ("http://Example.ORG/x", ("example.org",), True),
    ("http://example.org/x", (" example.org ",), True),
    ("http://example.org/x", ("other.org", "example.org"), True),
    ("http://example.org/x", (), False),
    ("ftp://example.org/x", ("example.org",), False),
    ("http://[::1]:3030/sparql", ("[::1]:3030",), True),
    ("http://example.org:80/x", ("example.org:80",), True),
    ("http://example.org/x", ("example.org:notaport",), False),
])
def test_allowed_table(iri, entries, expected):
    assert allowed(iri, entries) is expected


# ------------------------------------------------------------------ why the check exists: the engine fetches

@pytest.fixture
def sparql_server():
    """A local HTTP server that answers every request with one SPARQL JSON row and records what it was asked."""
    requests = []
    row = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://remote.test/x"}}]}}'

    def handle(handler, body: bytes) -> None:
        requests.append((handler.command, handler.path, body) if handler.command == "POST"
                        else (handler.command, handler.path))
        reply(handler, 200, row, "application/sparql-results+json")

    with loopback_http(handle) as url:
        yield url.removeprefix("http://"), requests


def test_oxigraph_evaluates_service_by_itself(sparql_server):
    """pyoxigraph has no switch against federation: the bare engine POSTs the sub-query to the SERVICE IRI."""
    host, requests = sparql_server
    rows = list(pyoxigraph.Store().query(f"SELECT ?s WHERE {{ SERVICE <http://{host}/sparql> {{ ?s ?p ?o }} }}"))
    assert [row["s"].value for row in rows] == ["http://remote.test/x"]
    assert requests and requests[0][:2] == ("POST", "/sparql")


def test_oxigraph_loads_by_itself(sparql_server):
    host, requests = sparql_server
    with pytest.raises(Exception):  # the answer is not RDF, but the request was made
        pyoxigraph.Store().update(f"LOAD <http://{host}/data.ttl>")
    assert requests == [("GET", "/data.ttl")]


def test_the_store_guard_stops_the_request_before_the_engine(sparql_server):
    host, requests = sparql_server
    query = f"SELECT ?s WHERE {{ SERVICE <http://{host}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(Forbidden):
        EmbeddedStore().query(query)  # a store's default guard allows no outbound request
    with pytest.raises(Forbidden):
        EmbeddedStore().update(f"LOAD <http://{host}/data.ttl>")
    assert requests == []
    allowed_store = EmbeddedStore(guard=Guard(outbound_allowlist=(host,)))  # the operator allowed it
    assert allowed_store.query(query).rows[0]["s"].value == "http://remote.test/x"


def test_a_store_opened_from_settings_guards_with_the_operators_allow_list(settings):
    for options in ({}, {"store_path": None, "query_timeout": 0}):
        store = open_store(settings.with_(service_allowlist="sparql.example.org", **options), serving=False)
        assert store.guard.outbound_allowlist == ("sparql.example.org",)


# ------------------------------------------------------------------ the class of bypasses: where a lexer and the engine disagree

BYPASSES = {vector["name"]: vector for vector in json.loads(
    (Path(__file__).parent / "fixtures" / "outbound" / "bypasses.json").read_text(encoding="utf-8"))["vectors"]}


@pytest.mark.parametrize("name", list(BYPASSES))
def test_each_bypass_is_real_and_refused(sparql_server, name):
    host, requests = sparql_server
    vector = BYPASSES[name]
    text = vector["text"].format(U=f"http://{host}/")
    run = pyoxigraph.Store().update if vector["update"] else lambda t: list(pyoxigraph.Store().query(t))
    try:
        run(text)
    except (OSError, SyntaxError, RuntimeError):
        pass  # the stand-in server's answer need not be RDF: the request was made
    assert requests, "the bare engine should have fetched: this vector is real"
    requests.clear()
    with pytest.raises((Forbidden, InputRefused)):
        Guard(outbound_allowlist=("allowed.test",)).check(text)
    with pytest.raises((Forbidden, InputRefused)):
        (EmbeddedStore().update if vector["update"] else EmbeddedStore().query)(text)
    assert requests == []


ROOT = Path(__file__).resolve().parents[1]
ORDINARY_WORDS = [  # the words as data, in every place a word can be data
    "SELECT ?service ?load WHERE { ?service ?load ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(LCASE(?o), 'service') || CONTAINS(?o, \"LOAD\")) }",
    "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s schema:serviceType ?t ; schema:loadingTime ?l }",
    "SELECT * WHERE { ?s <http://example.org/service#load> ?o } # SERVICE <http://evil.test/> { }",
    "SELECT * WHERE { ?s ?p '''a long\nservice text\nLOAD it''' }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?p = <http://www.w3.org/2000/01/rdf-schema#label>) FILTER(?o != 'service') }",
    "SELECT * WHERE { VALUES ?kind { 'service' 'load' } ?s ?p ?kind }",
]


def ordinary_queries() -> list[str]:
    files = [*ROOT.glob("src/kg/queries/*/*.rq"), *ROOT.glob("tests/competency/*.rq"), *ROOT.glob("bench/queries/*.rq")]
    return [path.read_text(encoding="utf-8") for path in sorted(files)] + ORDINARY_WORDS


def test_ordinary_queries_pass_the_guard():
    texts = ordinary_queries()
    assert len(texts) > 30
    for text in texts:
        Guard().check(text)
