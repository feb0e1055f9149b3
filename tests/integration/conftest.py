"""Real SPARQL servers on 127.0.0.1 for the session, loaded with the project graph by `kg load`: the Oxigraph server
(every remote test), and Virtuoso (Debian's virtuoso-opensource, which scripts/install.sh installs) for
tests/integration/test_virtuoso.py. Each is started and stopped here, in its own folder."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import urllib.request
from pathlib import Path
from unittest import mock

import pytest

from kg.cli import main
from kg.store.remote import RemoteStore
from kg.web.app import create_app

from helpers import start_server, stop, wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import virtuoso  # noqa: E402  (bench/virtuoso.py: also the remote-mode bench's)

STARTUP_SECONDS = 20
VIRTUOSO_WRITER = "kgwriter"  # the SQL user with SPARQL_UPDATE the tests log in as; anonymous SPARQL only reads


def oxigraph_binary() -> str:
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the `oxigraph` server binary is missing: pip install -e '.[test]' (it provides it)")
    return binary


def answering(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory) -> str:
    """`oxigraph serve` with the union of the named graphs as default graph, like the embedded store; one per
    pytest-xdist worker, each on a port the kernel picked and in its own folder."""
    binary, folder = oxigraph_binary(), tmp_path_factory.mktemp("oxigraph")
    process, port = start_server(lambda port: [binary, "serve", "--location", str(folder / "data"),
                                               "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                 folder / "server.log", timeout=STARTUP_SECONDS)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answering(f"{url}/query?query=ASK%7B%7D"), STARTUP_SECONDS, f"{url} answers")
        yield url
    finally:
        stop(process)


def endpoint_options(url: str, graph_store: bool = True) -> list[str]:
    options = ["--endpoint", f"{url}/query", "--update-endpoint", f"{url}/update"]
    return options + (["--graph-store-endpoint", f"{url}/store"] if graph_store else [])


@pytest.fixture(scope="session")
def virtuoso_login(tmp_path_factory) -> Path:
    """The file holding the Virtuoso writer's password (a fresh one per session), as KG_REMOTE_PASSWORD_FILE."""
    path = tmp_path_factory.mktemp("virtuoso-login") / "password"
    path.write_text(secrets.token_urlsafe(16) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory, virtuoso_login) -> str:
    """Virtuoso 7 (bench/virtuoso.py) with its own database folder, where anonymous SPARQL only reads and the user
    VIRTUOSO_WRITER (SPARQL_UPDATE) logs in by HTTP Digest at /sparql-auth and /sparql-graph-crud-auth. Its default
    graph is the union of the graphs, as the service expects."""
    if virtuoso.binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Virtuoso is missing: scripts/install.sh installs Debian's virtuoso-opensource")
        pytest.skip("no Virtuoso here (scripts/install.sh installs it)")
    server = virtuoso.start(tmp_path_factory.mktemp("virtuoso"))
    try:
        server.create_writer(VIRTUOSO_WRITER, virtuoso_login.read_text(encoding="utf-8").strip())
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def remote_argv(oxigraph_url) -> list[str]:
    """The command-line options that point `kg` at the server."""
    return endpoint_options(oxigraph_url)


@pytest.fixture(scope="session")
def remote_settings(settings, oxigraph_url, remote_argv):
    """Settings for the server, after `kg load --endpoint ...` has uploaded the project's files to it."""
    assert main(["load", *remote_argv]) == 0
    return settings.with_(endpoint=f"{oxigraph_url}/query", update_endpoint=f"{oxigraph_url}/update",
                          graph_store_endpoint=f"{oxigraph_url}/store")


@pytest.fixture(scope="session")
def virtuoso_settings(settings, virtuoso_url, virtuoso_login):
    """Settings for Virtuoso after `kg load --endpoint ... --remote-user ...` (the password from its file): one
    endpoint for queries and updates, /sparql-auth, and no Graph Store, all as VIRTUOSO_WRITER."""
    endpoint = f"{virtuoso_url}/sparql-auth"
    with mock.patch.dict(os.environ, {"KG_REMOTE_PASSWORD_FILE": str(virtuoso_login)}):
        assert main(["load", "--endpoint", endpoint, "--remote-user", VIRTUOSO_WRITER]) == 0
    return settings.with_(endpoint=endpoint, update_endpoint=endpoint, graph_store_endpoint=None,
                          remote_user=VIRTUOSO_WRITER, remote_password_file=virtuoso_login)


@pytest.fixture(scope="session", params=["graph-store", "sparql-update", "virtuoso", "virtuoso-graph-store"])
def remote(request, remote_settings) -> RemoteStore:
    """The Oxigraph server through the Graph Store Protocol, and through SPARQL Update alone (servers without one);
    Virtuoso 7.2 through SPARQL Update alone, and through its Graph Store endpoint, logged in as VIRTUOSO_WRITER
    either way. A test module lists the cases Virtuoso is known to fail in its VIRTUOSO_XFAIL table (test name:
    reason; VIRTUOSO_GRAPH_STORE_XFAIL for the second), marked strict xfail for that engine only."""
    if request.param == "graph-store":
        return RemoteStore(remote_settings)
    if request.param.startswith("virtuoso"):
        settings = request.getfixturevalue("virtuoso_settings")
        if request.param == "virtuoso-graph-store":
            settings = settings.with_(graph_store_endpoint=settings.endpoint.replace("/sparql-auth",
                                                                                     "/sparql-graph-crud-auth"))
        return RemoteStore(settings)
    return RemoteStore(remote_settings.with_(graph_store_endpoint=None))


XFAIL_TABLES = {"virtuoso": "VIRTUOSO_XFAIL", "virtuoso-graph-store": "VIRTUOSO_GRAPH_STORE_XFAIL"}


def pytest_collection_modifyitems(items):
    for item in items:
        engine = getattr(getattr(item, "callspec", None), "params", {}).get("remote")
        if engine not in XFAIL_TABLES:
            continue
        case = item.name.replace(f"[{engine}]", "").replace(f"[{engine}-", "[").replace(f"-{engine}]", "]")
        reason = getattr(item.module, XFAIL_TABLES[engine], {}).get(case)
        if reason:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(scope="module")
def clients(remote_settings, app):
    """The service over the server, and over the embedded store (the shared `app`), to compare their answers."""
    return {"remote": create_app(remote_settings, RemoteStore(remote_settings)).test_client(),
            "embedded": app.test_client()}
