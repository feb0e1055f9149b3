"""Clients nobody here wrote, against a live `kg serve`, as users call them (issue 11): SPARQLWrapper with every
return format and query form, rdflib's SPARQLStore, Comunica (JavaScript, tests/js), long GET queries, JSON-LD
with its context, and the linked-data headers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
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
