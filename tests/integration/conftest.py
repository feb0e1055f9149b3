"""A real Oxigraph server process on 127.0.0.1 for the session, loaded with the project graph by `kg load`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kg.cli import main
from kg.store.remote import RemoteStore

STARTUP_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory) -> str:
    """`oxigraph serve` with the union of the named graphs as default graph, like the embedded store."""
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the `oxigraph` server binary is missing: pip install -e '.[test]' (it provides it)")
    url, folder = f"http://127.0.0.1:{free_port()}", tmp_path_factory.mktemp("oxigraph")
    with (folder / "server.log").open("wb") as log:  # a file, not a pipe nobody drains
        process = subprocess.Popen([binary, "serve", "--location", str(folder / "data"),
                                    "--bind", url.removeprefix("http://"), "--union-default-graph"],
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(f"{url}/query?query=ASK%7B%7D", process)
        yield url
    finally:
        stop(process)


def endpoint_options(url: str, graph_store: bool = True) -> list[str]:
    options = ["--endpoint", f"{url}/query", "--update-endpoint", f"{url}/update"]
    return options + (["--graph-store-endpoint", f"{url}/store"] if graph_store else [])


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


@pytest.fixture(scope="session", params=["graph-store", "sparql-update"])
def remote(request, remote_settings) -> RemoteStore:
    """The server through the Graph Store Protocol, and through SPARQL Update alone (servers without one)."""
    if request.param == "graph-store":
        return RemoteStore(remote_settings)
    return RemoteStore(remote_settings.with_(graph_store_endpoint=None))
