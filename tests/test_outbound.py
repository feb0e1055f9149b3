"""kg.store.outbound: SERVICE and LOAD reach only hosts on the operator's allow-list; words in data are not refused."""

from __future__ import annotations

import http.server
import threading

import pyoxigraph
import pytest

from kg.core.errors import Forbidden, QuerySyntaxError
from kg.store.guard import Guard
from kg.store.open import open_store
from kg.store.outbound import allowed, check_outbound
from kg.store.embedded import EmbeddedStore

EX = "PREFIX ex: <http://example.org/> "
ALLOW_EXAMPLE = ("example.org",)

# (text, allow-list, None = accepted | a fragment of the Forbidden message)
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
    ("SELECT * WHERE { SERVICE <http://example.org@evil.test/> { ?s ?p ?o } }", ALLOW_EXAMPLE, "evil.test is not on"),
    ("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", ("",), "only http(s)"),
    ("LOAD <ftp://example.org/data.ttl>", ALLOW_EXAMPLE, "only http(s)"),
    # the target after PREFIX / BASE resolution, nested anywhere, or a variable
    (EX + "SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }", (), "<http://example.org/sparql>"),
    (EX + "SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }", ALLOW_EXAMPLE, None),
    ("BASE <http://evil.test/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }", ALLOW_EXAMPLE, "<http://evil.test/sparql>"),
    ("SELECT * WHERE { ?s ?p ?o OPTIONAL { { SELECT ?x WHERE { SERVICE <http://evil.test/> { ?x ?y ?z } } } } }", ALLOW_EXAMPLE, "evil.test"),
    ("SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://evil.test/> { ?s ?p ?o } } }", (), "evil.test"),
    ("SELECT * WHERE { SERVICE <http://example.org/a> { ?s ?p ?o } SERVICE <http://evil.test/b> { ?s ?p ?o } }", ALLOW_EXAMPLE, "evil.test"),
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", ALLOW_EXAMPLE, "variable endpoint"),
    (r"SELECT * WHERE { \u0053ERVICE <http://evil.test/> { ?s ?p ?o } }", (), "evil.test"),
    # LOAD and SERVICE in updates, prefixes carried across operations
    ("LOAD <http://example.org/data.ttl>", (), "LOAD <http://example.org/data.ttl>"),
    ("LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <urn:g>", ALLOW_EXAMPLE, None),
    ("PREFIX a: <http://evil.test/> INSERT DATA { <urn:x> <urn:p> 1 } ; LOAD a:data", (), "LOAD <http://evil.test/data>"),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }", ALLOW_EXAMPLE, "query.wikidata.org"),
    # texts the check cannot parse: refused only when they really use a keyword
    ("SELECT * WHERE { SERVICE <http://evil.test/> { ?s ?p ?o } ", (), "cannot parse"),
    ("SELECT * WHERE { ?s <http://ex.test/service> ?o ", (), None),
]


@pytest.mark.parametrize(("text", "allowlist", "refusal"), CASES)
def test_outbound_table(text, allowlist, refusal):
    if refusal is None:
        check_outbound(text, allowlist)
        return
    with pytest.raises(Forbidden, match="KG_SERVICE_ALLOWLIST|cannot") as caught:
        check_outbound(text, allowlist)
    assert refusal in str(caught.value)


def test_refusal_names_the_host_and_the_setting():
    with pytest.raises(Forbidden) as caught:
        check_outbound("SELECT * WHERE { SERVICE <https://dbpedia.org/sparql> { ?s ?p ?o } }", ())
    assert "KG_SERVICE_ALLOWLIST=dbpedia.org" in str(caught.value)
    assert caught.value.http_status == 403


def test_undeclared_prefix_is_a_syntax_error():
    with pytest.raises(QuerySyntaxError, match="nope"):
        check_outbound("SELECT * WHERE { SERVICE nope:x { ?s ?p ?o } }", ())


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

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(("GET", self.path))
            self._answer()

        def do_POST(self):
            requests.append(("POST", self.path, self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            self._answer()

        def _answer(self):
            body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://remote.test/x"}}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()
    thread.join()


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
