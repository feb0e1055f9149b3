"""A write-capable service keeps its data on disk: writes it acknowledged survive `kill -9` of every process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from helpers import BASE, listening_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "s3cret"
KZ = f"{BASE}id/state/kz"
WRITES = 12


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project folder (ontology, graph, shapes): the default store goes into its `.kg/`."""
    for part in ("ontology", "graph", "shapes"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


def start(project: Path, log: Path) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "KG_ROOT": str(project), "KG_WRITE_TOKEN": TOKEN}
    with log.open("ab") as sink:
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", "0"], stdout=sink,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                   start_new_session=True)  # its own process group: kill -9 reaches every process

    def answering():
        if process.poll() is not None:
            raise AssertionError(log.read_text(errors="replace"))
        port = listening_port(process.pid)
        return port if port and ask(port, "ASK { }") is not None else None

    return process, wait_until(answering, 60, "the write-capable service answers")


def ask(port: int, query: str):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query={urllib.parse.quote(query)}",
                                    timeout=10) as response:
            return response.read()
    except OSError:
        return None


def write(port: int, number: int) -> int:
    update = f'INSERT DATA {{ GRAPH <{BASE}graph/states> {{ <{KZ}> <http://www.w3.org/2000/01/rdf-schema#comment> "write {number}"@en }} }}'
    request = urllib.request.Request(f"http://127.0.0.1:{port}/sparql", data=update.encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-update",
                                              "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def kill_all(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_acknowledged_writes_survive_kill_9(project, tmp_path):
    log = tmp_path / "serve.log"
    process, port = start(project, log)
    try:
        assert [write(port, n) for n in range(WRITES)] == [204] * WRITES
    finally:
        kill_all(process)  # right after the last acknowledgement: nothing gets a chance to flush
    assert "writes are kept on disk in" in log.read_text() and str(project / ".kg" / "store") in log.read_text()
    process, port = start(project, log)
    try:
        found = ask(port, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{KZ}> <http://www.w3.org/2000/01/rdf-schema#comment> ?c "
                          f"FILTER(STRSTARTS(?c, 'write ')) }}")
        assert f'"{WRITES}"'.encode() in found or f">{WRITES}<".encode() in found, found
    finally:
        kill_all(process)
