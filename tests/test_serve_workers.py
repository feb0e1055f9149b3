"""kg.serve and kg.web.watchdog: a read-only service runs pre-forked gunicorn workers that query in process; a
runaway is answered 503 and stopped by ending its worker, while the others keep serving; with a write token one
process owns the store. Real `kg serve` processes on free 127.0.0.1 ports, stopped at the end; every wait bounded."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.config import Settings
from kg.serve import MODES, mode_name, server_options
from kg.web.watchdog import EXIT_CODE, Watchdog

BASE = "https://w3id.org/infosec-law-kg/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = f"ASK {{ <{BASE}eli/kz/code/2014/226-V/art_205> ?p ?o }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
LIMIT = 1.0  # KG_QUERY_TIMEOUT of the servers started here
JSON = {"Accept": "application/sparql-results+json"}


# ------------------------------------------------------------------ the modes (a table)

@pytest.mark.parametrize("changes, name, worker_class, workers, threads", [
    ({}, "read-only, in memory", "sync", 3, 1),
    ({"store_path": "/data/db"}, "read-only, on disk", "sync", 3, 1),
    ({"write_token": "t"}, "read-write", "gthread", 1, 5),
    ({"write_token": "t", "store_path": "/data/db"}, "read-write", "gthread", 1, 5),
    ({"endpoint": "http://127.0.0.1:7878/query"}, "remote", "gthread", 3, 5),
])
def test_each_deployment_gets_its_process_model(changes, name, worker_class, workers, threads):
    settings = Settings(workers=3, threads=5, **changes)
    options = server_options(settings, MODES[mode_name(settings)])
    assert mode_name(settings) == name
    assert (options["worker_class"], options["workers"], options["threads"]) == (worker_class, workers, threads)


@pytest.mark.parametrize("limit, timeout", [(10.0, 40), (0.5, 31), (0.0, 0)])
def test_gunicorn_never_kills_before_the_watchdog(limit, timeout):
    assert server_options(Settings(query_timeout=limit), MODES["read-only, in memory"])["timeout"] == timeout


# ------------------------------------------------------------------ an in-memory store survives fork

FORK_CHECK = textwrap.dedent("""
    import json, os, sys
    from kg.config import Settings
    from kg.files import project_files
    from kg.store.embedded import EmbeddedStore

    store = EmbeddedStore.from_files(project_files(Settings()))
    query = sys.argv[1]
    before = store.select(query)
    children = []
    for n in range(2):
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # a worker: the parent's store, copy-on-write; it may even write to its own copy
            rows = store.select(query)
            store.update("INSERT DATA { GRAPH <http://example.org/child> { <http://a> <http://b> %d } }" % n)
            os.write(writing, json.dumps([rows, store.select(query)]).encode())
            os._exit(0)
        os.close(writing)
        children.append((pid, reading))
    answers = []
    for pid, reading in children:
        answers.append(json.loads(os.read(reading, 1 << 20)))
        os.waitpid(pid, 0)
    print(json.dumps({"before": before, "children": answers, "after": store.select(query)}))
""")


def test_an_in_memory_store_loaded_before_fork_answers_alike_in_each_child():
    """Run in a fresh interpreter: forking this test process (which may hold a JVM's threads) would be unsafe."""
    done = subprocess.run([sys.executable, "-c", FORK_CHECK, COUNT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    total = result["before"][0]["n"]
    assert total > 6000
    for rows, after_own_write in result["children"]:
        assert rows == result["before"]
        assert after_own_write == [{"n": total + 1}]  # the child's write is its own
    assert result["after"] == result["before"]  # ... and never reaches the parent


# ------------------------------------------------------------------ the watchdog, in process

class Recorder:
    """Stands in for os._exit: records the exit code (the watchdog then leaves the lock held)."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.called = threading.Event()

    def __call__(self, code: int) -> None:
        self.codes.append(code)
        self.called.set()


def call(watchdog: Watchdog, environ: dict) -> tuple[str, bytes]:
    """One WSGI call as a server makes it (iterate, then close); the status and the body."""
    statuses = []
    result = watchdog(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return statuses[0], body


def bounded_call(watchdog: Watchdog, environ: dict, seconds: float = 5) -> tuple[str, bytes]:
    """`call` in a thread, so that a wrong stop (which leaves the app blocked) fails the test instead of hanging it."""
    answers: list = []
    caller = threading.Thread(target=lambda: answers.append(call(watchdog, environ)), daemon=True)
    caller.start()
    caller.join(seconds)
    assert answers, "the request did not finish (the watchdog stopped it?)"
    return answers[0]


def test_a_request_within_the_limit_is_untouched():
    recorder = Recorder()

    def app(environ, start_response):
        time.sleep(0.1)
        start_response("200 OK", [])
        return [b"done"]

    watchdog = Watchdog(app, limit=0.3, interval=0.01, exit=recorder).start()
    for _ in range(5):  # 0.5 s in all: only each request's own time counts
        assert bounded_call(watchdog, {"REQUEST_METHOD": "GET"}) == ("200 OK", b"done")
    assert not recorder.called.wait(0.4)


class SlowBody:
    """A client that sends its body slowly: 0.15 s per read."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks

    def read(self, size: int = -1) -> bytes:
        time.sleep(0.15)
        self.chunks -= 1
        return b"x" if self.chunks >= 0 else b""


def test_waiting_for_the_client_is_not_counted():
    """Both a slow upload (read by the app) and a slow download (after the response started) exceed the limit."""
    recorder = Recorder()

    def app(environ, start_response):
        body = b""
        while chunk := environ["wsgi.input"].read(1):
            body += chunk
        start_response("200 OK", [])
        return slowly(body)

    def slowly(body):
        for _ in range(3):
            time.sleep(0.15)
            yield body

    watchdog = Watchdog(app, limit=0.3, interval=0.01, exit=recorder).start()
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "4", "wsgi.input": SlowBody(4)}
    assert bounded_call(watchdog, environ) == ("200 OK", b"xxxx" * 3)
    assert not recorder.called.wait(0.4)


def eager(started: threading.Event, finish: threading.Event, responses: list):
    def app(environ, start_response):  # a query that runs until told to stop, then answers
        started.set()
        finish.wait(10)
        start_response("200 OK", [])
        responses.append("the app answered too")
        return [b"late"]
    return app


def lazy(started: threading.Event, finish: threading.Event, responses: list):
    def app(environ, start_response):  # the same as a generator: it runs when the server iterates it
        yield from eager(started, finish, responses)(environ, start_response)
    return app


@pytest.mark.parametrize("make_app", [eager, lazy])
def test_an_overdue_request_gets_a_503_on_its_socket_and_the_process_ends(make_app):
    recorder, started, finish = Recorder(), threading.Event(), threading.Event()
    ours, client = socket.socketpair()
    responses: list = []
    watchdog = Watchdog(make_app(started, finish, responses), limit=0.2, interval=0.01, exit=recorder).start()
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "gunicorn.socket": ours}
    worker = threading.Thread(target=call, args=(watchdog, environ), daemon=True)
    worker.start()
    try:
        assert started.wait(5) and recorder.called.wait(5)
        assert recorder.codes == [EXIT_CODE]
        client.settimeout(5)
        head, _, body = read_all(client).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 503 ") and b"Connection: close" in head
        error = json.loads(body)
        assert error["error"] == "QueryTimeout" and "KG_QUERY_TIMEOUT" in error["detail"]
        finish.set()
        worker.join(0.3)
        assert worker.is_alive() and not responses  # the app cannot start a response of its own any more
    finally:
        finish.set()
        watchdog._lock.release()  # only because `exit` returned here: let the app thread end
        worker.join(5)
        ours.close()
        client.close()


def read_all(connection: socket.socket) -> bytes:
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    return data


# ------------------------------------------------------------------ real servers

@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def get(self, query: str, timeout: float = 10) -> tuple[int, dict | bytes, float]:
        """GET /sparql: status, JSON (or raw bytes), seconds taken."""
        return self.request("GET", "/sparql?" + urlencode({"query": query}), None, JSON, timeout)

    def request(self, method: str, path: str, body: bytes | None, headers: dict, timeout: float = 10):
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(tmp_path: Path, *options: str, **env: str) -> Server:
    port, log = free_port(), tmp_path / f"serve-{time.monotonic_ns()}.log"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("KG_")}
    environment.update({"KG_QUERY_TIMEOUT": str(LIMIT), "KG_WORKERS": "2", **env})
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), *options],
                                   stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment)
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"kg serve exited:\n{server.text()}"
        try:
            if server.get("ASK {}", timeout=5)[0] == 200 and len(server.workers()) >= 1:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    stop(server)
    raise AssertionError(f"kg serve did not answer within 60 s:\n{server.text()}")


def stop(server: Server) -> None:
    """SIGTERM to the master (gunicorn stops its workers), then SIGKILL to what is left; only our processes."""
    workers = server.workers()
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(5)
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} within {seconds} s")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("store") / "db"
    done = subprocess.run([sys.executable, "-m", "kg.cli", "load", "--store", str(path)], capture_output=True,
                          text=True, timeout=120, env={k: v for k, v in os.environ.items() if not k.startswith("KG_")})
    assert done.returncode == 0, done.stderr
    return str(path)


@pytest.fixture(params=["in memory", "on disk"])
def read_only(request, built, tmp_path):
    server = start(tmp_path, *(["--store", built] if request.param == "on disk" else []))
    yield server
    stop(server)


def test_a_read_only_service_answers_from_its_workers_with_no_executor_processes(read_only):
    status, answer, _ = read_only.get(COUNT)
    assert status == 200 and int(answer["results"]["bindings"][0]["n"]["value"]) > 6000
    workers = wait_for(lambda: len(read_only.workers()) == 2 and read_only.workers(), 20, "two workers")
    assert all(not children(pid) for pid in workers)  # queries run in the workers: no executor processes
    text = read_only.text()
    assert "ready in" in text and "2 sync workers" in text and "per-worker watchdog" in text and "MiB" in text
    assert re.search(r"[\d,]+ triples in \d+ named graphs", text)


def test_a_runaway_is_stopped_at_the_limit_while_the_other_worker_answers(read_only):
    before = wait_for(lambda: len(read_only.workers()) == 2 and read_only.workers(), 20, "two workers")
    runaway: dict = {}

    def send_runaway():
        runaway["status"], runaway["answer"], runaway["seconds"] = read_only.get(RUNAWAY)

    sender = threading.Thread(target=send_runaway)
    sender.start()
    time.sleep(0.3)  # the runaway has been taken by a worker
    status, answer, seconds = read_only.get(SIMPLE)
    assert status == 200 and answer["boolean"] is True and seconds < 0.5, seconds
    assert sender.is_alive()  # ... and was answered while the runaway still ran
    sender.join(LIMIT + 5)
    assert runaway["status"] == 503 and runaway["seconds"] < LIMIT + 1, runaway
    assert runaway["answer"]["error"] == "QueryTimeout" and "KG_QUERY_TIMEOUT" in runaway["answer"]["detail"]

    stopped = int(wait_for(lambda: re.search(r"stopping worker (\d+)", read_only.text()), 5, "the watchdog's log")[1])
    assert stopped in before
    wait_for(lambda: stopped not in read_only.workers() and len(read_only.workers()) == 2, 20, "a replacement")
    assert not Path(f"/proc/{stopped}").exists()  # the process that ran the query is gone (and reaped)
    assert f"Worker (pid:{stopped}) exited with code {EXIT_CODE}" in read_only.text()
    for _ in range(4):  # the replacement and the untouched worker both serve
        assert read_only.get(SIMPLE)[0] == 200


ARTICLE = f"{BASE}eli/kz/code/2014/226-V/art_999"
WRITE = f"""PREFIX kg: <{BASE}ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{ GRAPH <{BASE}graph/kz-criminal-code> {{
  <{ARTICLE}> a kg:Article ; rdfs:label "999 бап"@kk , "Article 999"@en-t-kk , "Статья 999"@ru-t-kk ; eli:number "999" ;
    eli:is_part_of <{BASE}eli/kz/code/2014/226-V/chp_7> ; kg:source <{BASE}id/location/intro> . }} }}"""


def test_with_a_write_token_one_process_owns_the_store(tmp_path):
    server = start(tmp_path, "--threads", "4", KG_WRITE_TOKEN="s3cret")
    try:
        assert "1 gthread worker × 4 threads" in server.text()
        status, _, _ = server.request("POST", "/sparql", WRITE.encode("utf-8"),
                                      {"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"})
        assert status in (200, 204)
        number = "<http://data.europa.eu/eli/ontology#number>"
        assert server.get(f'ASK {{ <{ARTICLE}> {number} "999" }}')[1]["boolean"] is True  # the next query sees it
        status, answer, seconds = server.get(RUNAWAY)  # the executor processes still enforce the limit
        assert status == 503 and answer["error"] == "QueryTimeout" and seconds < LIMIT + 2
        assert server.get(f"ASK {{ <{ARTICLE}> ?p ?o }}")[1]["boolean"] is True  # the write survived the kill
    finally:
        stop(server)
