"""Every answer of `/sparql`, errors included, carries `Vary: Accept` once; reads carry CORS once, updates never.

The headers are set on each response as one precomputed list (results) or by the blueprint's error handler
(errors), not by an after-request hook; these tests pin that no kind of answer lost or doubled them."""

from __future__ import annotations

import pytest


ASK = "ASK { ?s ?p ?o }"
UPDATE = "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"
READS = {
    "select": dict(method="GET", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}),
    "ask by form": dict(method="POST", data={"query": ASK}),
    "direct post": dict(method="POST", data=ASK, content_type="application/sparql-query"),
    "description": dict(method="GET"),
    "head": dict(method="HEAD", query_string={"query": ASK}),
    "malformed: 400": dict(method="GET", query_string={"query": "SELEC"}),
    "not acceptable: 406": dict(method="GET", query_string={"query": ASK}, headers={"Accept": "image/png"}),
    "service refused: 403": dict(method="GET", query_string={
        "query": "SELECT * WHERE { SERVICE <http://elsewhere.example/sparql> { ?s ?p ?o } }"}),
    "preflight": dict(method="OPTIONS", headers={"Access-Control-Request-Method": "POST"}),
}
UPDATES = {
    "no token configured: 403": dict(token=None, headers={}),
    "wrong token: 401": dict(token="s3cr3t", headers={"Authorization": "Bearer wrong"}),
    "applied: 204": dict(token="s3cr3t", headers={"Authorization": "Bearer s3cr3t"}),
}


@pytest.mark.parametrize("name", list(READS))
def test_reads_carry_vary_and_cors_once(make_client, name):
    response = make_client().open("/sparql", **READS[name])
    assert response.headers.getlist("Vary") == ["Accept"]
    assert response.headers.getlist("Access-Control-Allow-Origin") == ["*"]
    assert response.headers.getlist("Access-Control-Expose-Headers") == ["X-KG-Truncated, X-KG-Row-Limit"]
    if ":" in name:
        assert response.status_code == int(name.rsplit(" ", 1)[1])
        assert set(response.get_json()) >= {"error", "detail"}


@pytest.mark.parametrize("name", list(UPDATES))
def test_updates_carry_vary_but_no_cors(make_client, monkeypatch, name):
    applied = []
    monkeypatch.setattr("kg.services.writes.apply_update", lambda settings, store, text, using=None: applied.append(text))
    case = UPDATES[name]
    response = make_client(write_token=case["token"]).post("/sparql", data={"update": UPDATE}, headers=case["headers"])
    assert response.status_code == int(name.rsplit(" ", 1)[1])
    assert response.headers.getlist("Vary") == ["Accept"]
    assert "Access-Control-Allow-Origin" not in response.headers
    assert applied == ([UPDATE] if response.status_code == 204 else [])


def test_an_unexpected_error_is_a_generic_500_with_the_headers(make_client, store, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(store, "query", fail)
    response = make_client().get("/sparql", query_string={"query": ASK})
    assert response.status_code == 500 and "secret" not in response.get_data(as_text=True)
    assert response.headers.getlist("Vary") == ["Accept"]
    assert response.headers.getlist("Access-Control-Allow-Origin") == ["*"]
