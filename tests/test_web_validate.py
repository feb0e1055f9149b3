"""`POST /validate` and the `/validate` page: the CLI's report over HTTP, writing nothing, within the limits."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from kg.web import admission

FIXTURES = Path(__file__).parent / "fixtures" / "editing"
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture
def roomy(make_client):
    """A client with room for a busy machine (the suite runs in parallel with others)."""
    return make_client(query_timeout=120)


def test_an_addition_that_fits_the_graph_conforms(roomy, store):
    before = len(store)
    response = roomy.post("/validate", data=(FIXTURES / "art214.ttl").read_bytes(), headers=TURTLE)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["conforms"] is True and report["against"] == "the served graph"
    assert len(store) == before  # nothing written


def test_alone_reports_what_the_graph_would_have_given(roomy):
    response = roomy.post("/validate?mode=alone", data=(FIXTURES / "art214.ttl").read_bytes(), headers=TURTLE)
    report = response.get_json()
    assert response.status_code == 200 and report["conforms"] is False
    assert any("kg:SourceLocation" in r["message"] and r["line"] == 12 for r in report["results"])


def test_typos_come_with_line_and_suggestion(roomy):
    response = roomy.post("/validate", data=(FIXTURES / "typos.ttl").read_bytes(), headers=TURTLE)
    results = response.get_json()["results"]
    typo = next(r for r in results if "kg:Artcle" in r["message"])
    assert "did you mean kg:Article?" in typo["message"] and (typo["line"], typo["column"]) == (6, 36)
    assert typo["file"] == "request body"


def test_turtle_report_by_accept(roomy):
    response = roomy.post("/validate?mode=alone", data=(FIXTURES / "typos.ttl").read_bytes(),
                           headers={**TURTLE, "Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert response.status_code == 200 and (None, SH.conforms, rdflib.Literal(False)) in graph


def test_the_time_limit_holds(make_client, monkeypatch):
    monkeypatch.setitem(sys.modules, "jpype", None)  # as in the service, which never starts a JVM (kg.core.bounded)
    response = make_client(query_timeout=0.001).post("/validate", data=(FIXTURES / "art214.ttl").read_bytes(),
                                                     headers=TURTLE)
    assert response.status_code == 503 and "KG_QUERY_TIMEOUT" in response.get_json()["detail"]


def test_json_ld_bodies_are_read(client):
    body = b'{"@id": "https://w3id.org/infosec-law-kg/x", "@type": "https://w3id.org/infosec-law-kg/ontology#Artcle"}'
    response = client.post("/validate?mode=alone", data=body, headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 200 and "did you mean kg:Article?" in response.get_data(as_text=True)


def test_bad_requests(client):
    assert client.post("/validate?mode=sideways", data=b"", headers=TURTLE).status_code == 400
    assert client.post("/validate", data=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    bad = client.post("/validate", data=b"<a> <b> .", headers=TURTLE)
    assert bad.status_code == 400 and "request body:1:" in bad.get_json()["detail"]


def test_change_mode_against_a_remote_store_is_501(make_client, settings):
    from kg.store.remote import RemoteStore

    remote = RemoteStore(settings.with_(endpoint="http://127.0.0.1:9/sparql", store_path=None))
    client = make_client(store=remote, query_timeout=120)
    response = client.post("/validate", data=b"", headers=TURTLE)
    assert response.status_code == 501 and "mode=alone" in response.get_json()["detail"]
    alone = client.post("/validate?mode=alone", data=(FIXTURES / "art214.ttl").read_bytes(), headers=TURTLE)
    assert alone.status_code == 200


def test_the_page_passes_the_csp(client):
    page = client.get("/validate")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert '<script src="/assets/validate.js"' in html and "<script>" not in html


def test_validation_is_a_costly_request_and_documented(client):
    assert admission.costly("POST", "/validate", {})
    assert "/validate" in client.get("/openapi.json").get_json()["paths"]
