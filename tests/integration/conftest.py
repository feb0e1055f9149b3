"""Real SPARQL servers on 127.0.0.1 for the session, loaded with the project graph by `kg load`: the Oxigraph server
(every remote test), and Virtuoso (Debian's virtuoso-opensource, which scripts/install.sh installs) for
tests/integration/test_virtuoso.py. Each is started and stopped here, in its own folder."""

from __future__ import annotations

import os
import shutil
import sys
import urllib.request
from pathlib import Path

import pytest

from kg.cli import main
from kg.store.remote import RemoteStore
from kg.web.app import create_app

from helpers import start_server, stop, wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import virtuoso  # noqa: E402  (bench/virtuoso.py: also the remote-mode bench's)

STARTUP_SECONDS = 20


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
def virtuoso_url(tmp_path_factory) -> str:
    """Virtuoso 7 (bench/virtuoso.py) with its own database folder; anonymous SPARQL may update (SPARQL_UPDATE
    granted to its "SPARQL" user, as an operator would for a service that is its only writer). Its default graph is
    the union of the graphs, as the service expects."""
    if virtuoso.binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Virtuoso is missing: scripts/install.sh installs Debian's virtuoso-opensource")
        pytest.skip("no Virtuoso here (scripts/install.sh installs it)")
    server = virtuoso.start(tmp_path_factory.mktemp("virtuoso"))
    try:
        server.grant_update()
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
def virtuoso_settings(settings, virtuoso_url):
    """Settings for Virtuoso after `kg load --endpoint ...`: one endpoint for queries and updates, no Graph Store
    (its /sparql-graph-crud needs an authenticated user)."""
    endpoint = f"{virtuoso_url}/sparql"
    assert main(["load", "--endpoint", endpoint]) == 0
    return settings.with_(endpoint=endpoint, update_endpoint=endpoint, graph_store_endpoint=None)


@pytest.fixture(scope="session", params=["graph-store", "sparql-update", "virtuoso"])
def remote(request, remote_settings) -> RemoteStore:
    """The Oxigraph server through the Graph Store Protocol, and through SPARQL Update alone (servers without one);
    and Virtuoso 7.2 through SPARQL Update alone. A test module lists the cases Virtuoso is known to fail in its
    VIRTUOSO_XFAIL table (test name: reason), marked strict xfail for that engine only."""
    if request.param == "graph-store":
        return RemoteStore(remote_settings)
    if request.param == "virtuoso":
        return RemoteStore(request.getfixturevalue("virtuoso_settings"))
    return RemoteStore(remote_settings.with_(graph_store_endpoint=None))


def pytest_collection_modifyitems(items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        reason = getattr(item.module, "VIRTUOSO_XFAIL", {}).get(item.name.replace("[virtuoso", "[").replace("[-", "[")
                                                               .replace("-virtuoso]", "]").replace("[]", ""))
        if params.get("remote") == "virtuoso" and reason:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(scope="module")
def clients(remote_settings, app):
    """The service over the server, and over the embedded store (the shared `app`), to compare their answers."""
    return {"remote": create_app(remote_settings, RemoteStore(remote_settings)).test_client(),
            "embedded": app.test_client()}
