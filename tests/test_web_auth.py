"""kg.web.auth: writes need the configured bearer token; with none configured the service is read-only."""

from __future__ import annotations

import pytest

from kg.core.config import Settings
from kg.core.project import project_files
from kg.store.embedded import EmbeddedStore

from helpers import BASE, english_only

TOKEN = "s3cret-token"
LABEL = f'<{BASE}id/note/u5> <http://www.w3.org/2000/01/rdf-schema#label> "Язык статьи"@ru .'
GRAPH = f"{BASE}graph/auth-test"

WRITES = {  # one write through each write route
    "GSP PUT": lambda c, h: c.put("/data", query_string={"graph": GRAPH}, data=LABEL,
                                  headers={**h, "Content-Type": "application/n-triples"}),
    "GSP DELETE": lambda c, h: c.delete("/data?default", headers=h),
    "SPARQL update": lambda c, h: c.post("/sparql", data={"update": f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {LABEL} }} }}"},
                                         headers=h),
}
CASES = [  # (configured token, Authorization header, status)
    (None, None, 403),
    (None, f"Bearer {TOKEN}", 403),
    (TOKEN, None, 401),
    (TOKEN, "Bearer wrong-token", 401),
    (TOKEN, f"Bearer {TOKEN}x", 401),
    (TOKEN, f"Basic {TOKEN}", 401),
    (TOKEN, "Bearer", 401),
]


@pytest.fixture(scope="module")
def project(settings) -> EmbeddedStore:
    return EmbeddedStore.from_files(project_files(settings))


@pytest.mark.parametrize("route", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("configured, header, status", CASES)
def test_a_write_without_the_right_token_is_refused(make_client, project, route, configured, header, status):
    before = project.graph_sizes()
    client = make_client(store=project, write_token=configured)
    response = route(client, {"Authorization": header} if header else {})
    assert response.status_code == status
    assert project.graph_sizes() == before
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if status == 403:
        assert "KG_WRITE_TOKEN" in response.get_json()["detail"]


@pytest.mark.parametrize("route", WRITES.values(), ids=WRITES.keys())
def test_the_right_token_lets_the_write_through(settings, make_client, route):
    fresh = EmbeddedStore.from_files(project_files(settings))
    english_only(fresh, f"{BASE}id/note/u5")  # so that LABEL gives the note its only Russian label (issue 13)
    client = make_client(store=fresh, write_token=TOKEN)
    response = route(client, {"Authorization": f"bearer  {TOKEN} "})  # scheme case and spacing as RFC 6750 allows
    assert response.status_code in (201, 204)


@pytest.mark.parametrize("source", ["environment", "config file"])
def test_the_token_comes_from_the_environment_or_the_config_file(tmp_path, source):
    environ = {"KG_WRITE_TOKEN": TOKEN}
    if source == "config file":
        (tmp_path / "kg.toml").write_text(f'write_token = "{TOKEN}"\n', encoding="utf-8")
        environ = {"KG_CONFIG": str(tmp_path / "kg.toml")}
    assert Settings.from_env(environ).write_token == TOKEN
    assert Settings.from_env({}).write_token is None  # nothing configured: read-only
