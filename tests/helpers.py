"""What the test modules share besides fixtures: the base IRI, the competency queries, bounded waits on a
condition (instead of sleeps), and servers started on a port the kernel picks (no two test processes collide).

Importable as `from helpers import ...`: pytest puts tests/ on sys.path (rootdir-relative "prepend" imports, also
under pytest-xdist), as it does for conftest.py.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

TESTS = Path(__file__).parent
BASE = "https://w3id.org/infosec-law-kg/"  # the shipped data's base IRI; test_config pins DEFAULT_BASE to it
PROC = Path("/proc/net/tcp").exists()  # Linux: listening ports can be read back from /proc

T = TypeVar("T")


@contextmanager
def loopback_http(answer: Callable[[http.server.BaseHTTPRequestHandler, bytes], None]) -> Iterator[str]:
    """A local HTTP server on a port the kernel picks, answering every method with `answer(handler, body)` (the body
    already read); yields its URL, `http://127.0.0.1:PORT`, and stops it on exit."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            answer(self, self.rfile.read(int(self.headers.get("Content-Length", 0))))

        do_GET = do_PUT = do_DELETE = do_POST

        def log_message(self, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def reply(handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes, media: str,
          headers: dict | None = None) -> None:
    """Answer a `loopback_http` request."""
    handler.send_response(status)
    for name, value in {"Content-Type": media, "Content-Length": str(len(body)), **(headers or {})}.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def competency(name: str) -> str:
    return (TESTS / "competency" / f"{name}.rq").read_text(encoding="utf-8")


def english_only(store, *resources: str) -> None:
    """Leave the resources with their English labels only (a bulk change, not checked), so that a test can give them a
    Russian one: since issue 13 every resource with a Kazakh label already has a Russian label (RussianLabelRequired),
    and a second one would break the one-label-per-language rule. A note with an English label only is valid."""
    values = " ".join(f"<{r}>" for r in resources)
    store.update("DELETE { GRAPH ?g { ?r <http://www.w3.org/2000/01/rdf-schema#label> ?l } } "
                 f"WHERE {{ VALUES ?r {{ {values} }} GRAPH ?g {{ ?r <http://www.w3.org/2000/01/rdf-schema#label> ?l }} "
                 'FILTER (!LANGMATCHES(LANG(?l), "en")) }')


def wait_until(condition: Callable[[], T], timeout: float = 10, what: str = "the condition",
               interval: float = 0.02) -> T:
    """A readiness probe: poll `condition` until it returns something true and return that, or fail the test after
    `timeout` seconds. It returns as soon as the condition holds; a slow machine only makes it poll longer.
    `condition` may raise to give up early (a server process that exited, say)."""
    deadline = time.monotonic() + timeout
    while True:
        if value := condition():
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not so within {timeout:g} s")
        time.sleep(interval)  # the probe's polling period, not a guess at how long anything takes


def free_port() -> int:
    """A port free a moment ago (only where `listening_port` cannot be used: another process may take it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening_port(pid: int) -> int | None:
    """The TCP port that process `pid` listens on, from /proc; None while it listens on none (or has exited)."""
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return None
    sockets = {link[len("socket:["):-1] for link in links if link.startswith("socket:[")}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in sockets:  # 0A: LISTEN
                return int(fields[1].rsplit(":", 1)[1], 16)
    return None


def start_server(argv: Callable[[int], Sequence[str]], log: Path, env: dict[str, str] | None = None,
                 timeout: float = 60) -> tuple[subprocess.Popen, int]:
    """Start `argv(port)` with its output in `log` and return the process and its port once it listens.

    The port is 0 (the kernel picks one, read back from /proc: parallel test workers never collide); without
    /proc a port free a moment ago is used instead. Output goes to a file, not to a pipe nobody drains."""
    port = 0 if PROC else free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(list(argv(port)), stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env)

    def listening() -> int | None:
        if process.poll() is not None:
            raise AssertionError(f"{argv(port)[:3]} exited with {process.returncode}:\n"
                                 + log.read_text(errors="replace"))
        return listening_port(process.pid) if PROC else port

    try:
        return process, wait_until(listening, timeout, f"{log.name}: the server listens")
    except BaseException:
        stop(process)
        raise


def stop(process: subprocess.Popen, seconds: float = 10) -> None:
    """SIGTERM, then SIGKILL if it is still there after `seconds`; always reaped."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ------------------------------------------------------------------ real `kg serve` processes

JSON = {"Accept": "application/sparql-results+json"}


@dataclass
class Service:
    """A `kg serve` process on 127.0.0.1 and its log."""

    process: subprocess.Popen
    port: int
    log: Path

    def get(self, query: str, timeout: float = 10, connected: Callable[[int], None] | None = None,
            source: str | None = None) -> tuple[int, dict | bytes, float]:
        """GET /sparql: status, JSON (or raw bytes), seconds taken."""
        return self.request("GET", "/sparql?" + urlencode({"query": query}), None, JSON, timeout, connected, source)

    def request(self, method: str, path: str, body: bytes | None, headers: dict, timeout: float = 10,
                connected: Callable[[int], None] | None = None, source: str | None = None):
        """One request on a new connection, from loopback address `source` (another client) if given; `connected`
        is told the connection's local port once the request is sent."""
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                                source_address=(source, 0) if source else None)
        try:
            connection.connect()
            connection.request(method, path, body=body, headers=headers)
            if connected is not None:
                connected(connection.sock.getsockname()[1])
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = data
        return response.status, parsed, time.monotonic() - started

    def workers(self) -> set[int]:
        return children(self.process.pid)

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def serve(tmp_path: Path, *options: str, **env: str) -> Service:
    """`kg serve` with these options and KG_* variables (no others from this environment), once it answers."""
    log = tmp_path / f"serve-{time.monotonic_ns()}.log"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("KG_")}
    environment.update({"KG_WORKERS": "2", **env})
    process, port = start_server(lambda port: [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), *options],
                                 log, environment)
    service = Service(process, port, log)

    def answering() -> bool:
        assert process.poll() is None, f"kg serve exited:\n{service.text()}"
        try:
            return service.get("ASK {}", timeout=5)[0] == 200 and len(service.workers()) >= 1
        except OSError:
            return False

    try:
        wait_until(answering, 60, f"kg serve answers:\n{service.text()}")
    except BaseException:
        stop_service(service)
        raise
    return service


def stop_service(service: Service) -> None:
    """SIGTERM to the master (gunicorn stops its workers), then SIGKILL to what is left; only our processes."""
    workers = service.workers()
    stop(service.process, 15)
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def connection_holder(server_port: int, client_port: int, candidates: set[int]) -> int | None:
    """Which of the `candidates` processes has accepted the TCP connection from `client_port` to `server_port`
    (None while it waits in the listen backlog): the server side's socket, matched in /proc/net/tcp, then found
    among the candidates' open files."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if (int(fields[1].rsplit(":", 1)[1], 16) == server_port and int(fields[2].rsplit(":", 1)[1], 16) == client_port
                and fields[9] != "0"):
            inode = fields[9]
    if inode is None:
        return None
    for pid in candidates:
        try:
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in Path(f"/proc/{pid}/fd").iterdir()):
                return pid
        except OSError:
            continue
    return None
