"""HTTP caching: strong ETags from the store's version, 304 without running anything, the service's response cache,
and a write visible in the very next read."""

from __future__ import annotations

import pytest
from helpers import BASE

from kg.core.project import project_files
from kg.store.embedded import EmbeddedStore

KZ = f"{BASE}id/state/kz"
PAGE = "/id/state/kz"
CANNED = "/api/queries/label-search?text=" + "Қазақстан"


@pytest.fixture
def writable(settings, make_client):
    store = EmbeddedStore.from_files(project_files(settings), base=settings.base)
    return store, make_client(store=store, write_token="s3cr3t")


def test_a_read_carries_a_strong_etag_and_cache_control(client):
    response = client.get(PAGE, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith('W/')
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert {"Accept", "Accept-Language"} <= set(response.vary)


def test_a_matching_if_none_match_is_a_304_before_any_route_runs(client, store, monkeypatch):
    tag = client.get(CANNED).headers["ETag"]
    monkeypatch.setattr(store, "query", lambda *a, **k: pytest.fail("the store was asked"))
    response = client.get(CANNED, headers={"If-None-Match": tag})
    assert response.status_code == 304 and response.data == b"" and response.headers["ETag"] == tag


def test_each_representation_has_its_own_tag(client):
    turtle = client.get(PAGE, headers={"Accept": "text/turtle"}).headers["ETag"]
    jsonld = client.get(PAGE, headers={"Accept": "application/ld+json"}).headers["ETag"]
    assert turtle != jsonld


def test_equal_data_has_equal_versions_in_every_worker(settings):
    first, second = (EmbeddedStore.from_files(project_files(settings)) for _ in range(2))
    assert first.version == second.version


def test_canned_answers_come_from_the_cache_until_a_write(writable, monkeypatch):
    store, client = writable
    first = client.get(CANNED)
    asked = []
    original = store.query
    monkeypatch.setattr(store, "query", lambda *a, **k: asked.append(1) or original(*a, **k))
    again = client.get(CANNED)
    assert again.data == first.data and asked == []  # a hit: the store was not asked
    update = f'INSERT DATA {{ GRAPH <{BASE}graph/states> {{ <{KZ}> <http://www.w3.org/2004/02/skos/core#altLabel> "Қазақстан жаңа"@kk }} }}'
    assert client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer s3cr3t"}).status_code == 204
    after = client.get(CANNED)
    assert asked and "Қазақстан жаңа" in after.get_data(as_text=True)  # the very next read sees the write
    assert after.headers["ETag"] != first.headers["ETag"]
    assert after.headers["Cache-Control"] == "no-cache"


def test_caching_off_sends_no_etag(make_client):
    response = make_client(cache="off").get(PAGE)
    assert response.status_code == 200 and "ETag" not in response.headers


def test_the_answer_says_whether_the_cache_served_it(make_client):
    client = make_client(cache="on")
    assert client.get(CANNED).headers["X-KG-Cache"] == "miss"
    assert client.get(CANNED).headers["X-KG-Cache"] == "hit"
