"""kg.serving.gunicorn and kg.serving.watchdog: a read-only service runs pre-forked gunicorn workers that query in process; a
runaway is answered 503 and stopped by ending its worker, while the others keep serving; with a write token one
process owns the store. Real `kg serve` processes on 127.0.0.1 ports the kernel picks, stopped at the end; every wait
bounded, and on an event (no sleeps): the watchdog's own tests run on a test-driven clock."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from kg.core.config import Settings
from kg.serving.gunicorn import MODES, mode_name, server_options
import kg.serving.watchdog as watchdog_module
from kg.serving.watchdog import EXIT_CODE, Watchdog

from helpers import BASE, Service, children, connection_holder, serve, stop_service, wait_until

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = f"ASK {{ <{BASE}eli/kz/code/2014/226-V/art_205> ?p ?o }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
LIMIT = 1.0  # KG_QUERY_TIMEOUT of the servers started here


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
    assert (options["worker_class"].kind, options["workers"], options["threads"]) == (worker_class, workers, threads)


@pytest.mark.parametrize("limit, timeout", [(10.0, 40), (0.5, 31), (0.0, 0)])
def test_gunicorn_never_kills_before_the_watchdog(limit, timeout):
    assert server_options(Settings(query_timeout=limit), MODES["read-only, in memory"])["timeout"] == timeout


# ------------------------------------------------------------------ an in-memory store survives fork

FORK_CHECK = textwrap.dedent("""
    import json, os, sys
    from kg.core.config import Settings
    from kg.core.project import project_files
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


class Clock:
    """The watchdog module's `time` in the tests below (monkeypatched): no real time passes, so nothing depends on
    how fast this machine is. `monotonic()` is whatever the test has advanced it to; each `sleep()` of the watchdog's
    thread lasts until the test calls `look()`, which returns once the watchdog has looked at the clock and decided:
    asleep again, or it called `exit` (this clock's, which records the code as `Recorder` does)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.codes: list[int] = []
        self._changed = threading.Condition()
        self._sleeps = 0  # sleeps the watchdog has begun
        self._ended = 0  # sleeps the test has ended

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:  # the watchdog's thread, between looks; after the test it stays here
        with self._changed:
            self._sleeps += 1
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._ended >= self._sleeps)

    def exit(self, code: int) -> None:
        with self._changed:
            self.codes.append(code)
            self._changed.notify_all()

    def look(self) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self._sleeps > self._ended, 5), "the watchdog is not waiting"
            self._ended += 1
            codes = len(self.codes)
            self._changed.notify_all()
            assert self._changed.wait_for(lambda: self._sleeps > self._ended or len(self.codes) > codes, 5), \
                "the watchdog did not finish looking"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(watchdog_module, "time", clock)
    return clock


def test_a_request_within_the_limit_is_untouched(clock):
    def app(environ, start_response):
        clock.advance(0.25)  # the query has run 0.25 s of its 0.3 s ...
        clock.look()  # ... when the watchdog looks
        start_response("200 OK", [])
        return [b"done"]

    watchdog = Watchdog(app, limit=0.3, interval=0.01, exit=clock.exit).start()
    for _ in range(5):  # 1.25 s of queries in all: only each request's own time counts
        assert bounded_call(watchdog, {"REQUEST_METHOD": "GET"}) == ("200 OK", b"done")
        clock.advance(1)  # ... not the time between requests either
        clock.look()
    assert clock.codes == []


class SlowBody:
    """A client that sends its body slowly: each read waits 0.2 s for it, during which the watchdog looks."""

    def __init__(self, chunks: int, clock: Clock) -> None:
        self.chunks, self.clock = chunks, clock

    def read(self, size: int = -1) -> bytes:
        self.clock.advance(0.2)
        self.clock.look()
        self.chunks -= 1
        return b"x" if self.chunks >= 0 else b""


def test_waiting_for_the_client_is_not_counted(clock):
    """Both a slow upload (read by the app: 1 s) and a slow download (after the response started: 0.6 s) exceed the
    0.3 s limit."""

    def app(environ, start_response):
        body = b""
        while chunk := environ["wsgi.input"].read(1):
            body += chunk
        start_response("200 OK", [])
        return slowly(body)

    def slowly(body):
        for _ in range(3):
            clock.advance(0.2)
            clock.look()
            yield body

    watchdog = Watchdog(app, limit=0.3, interval=0.01, exit=clock.exit).start()
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "4", "wsgi.input": SlowBody(4, clock)}
    assert bounded_call(watchdog, environ) == ("200 OK", b"xxxx" * 3)
    clock.advance(1)
    clock.look()
    assert clock.codes == []


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


class ObservedLock:
    """The watchdog's lock, telling when a thread finds it taken and has to wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.contended = threading.Event()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._lock.acquire(blocking=False):
            return True
        self.contended.set()
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


@pytest.mark.parametrize("make_app", [eager, lazy])
def test_an_overdue_request_gets_a_503_on_its_socket_and_the_process_ends(make_app):
    recorder, started, finish = Recorder(), threading.Event(), threading.Event()
    ours, client = socket.socketpair()
    responses: list = []
    watchdog = Watchdog(make_app(started, finish, responses), limit=0.2, interval=0.01, exit=recorder)
    watchdog._lock = lock = ObservedLock()
    watchdog.start()
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
        finish.set()  # the app now tries to start its response ...
        assert lock.contended.wait(5)  # ... and waits for the lock the watchdog keeps
        assert worker.is_alive() and not responses  # the app cannot start a response of its own any more
    finally:
        finish.set()
        watchdog._lock.release()  # only because `exit` returned here: let the app thread end
        worker.join(5)
        ours.close()
        client.close()


def send_in_background(service: Service, query: str, source: str | None = None) -> tuple[threading.Thread, dict]:
    """`query` sent from a thread, once its connection is open: the thread, and the dict that holds the connection's
    local `port` now and the answer's `status`, `answer` and `seconds` once the thread ends."""
    sent: dict = {}
    connected = threading.Event()

    def opened(port: int) -> None:
        sent["port"] = port
        connected.set()

    def send() -> None:
        sent["status"], sent["answer"], sent["seconds"] = service.get(query, connected=opened, source=source)

    sender = threading.Thread(target=send)
    sender.start()
    assert connected.wait(10), "the request was not sent"
    return sender, sent


def read_all(connection: socket.socket) -> bytes:
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    return data


# ------------------------------------------------------------------ real servers

def start(tmp_path: Path, *options: str, **env: str) -> Service:
    return serve(tmp_path, *options, **{"KG_QUERY_TIMEOUT": str(LIMIT), **env})


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
    stop_service(server)


def test_a_read_only_service_answers_from_its_workers_with_no_executor_processes(read_only):
    status, answer, _ = read_only.get(COUNT)
    assert status == 200 and int(answer["results"]["bindings"][0]["n"]["value"]) > 6000
    workers = wait_until(lambda: len(read_only.workers()) == 2 and read_only.workers(), 20, "two workers")
    assert all(not children(pid) for pid in workers)  # queries run in the workers: no executor processes
    text = read_only.text()
    assert "ready in" in text and "2 sync workers" in text and "per-worker watchdog" in text and "MiB" in text
    if "--store" in read_only.process.args:  # each worker opens the store: it names the graphs, counting would read it all
        assert re.search(r"worker \d+ ready in [\d.]+ s; \d+ named graphs;", text) and "triples in" not in text
    else:  # the master loaded the data before the fork, and counted it
        assert re.search(r"[\d,]+ triples in \d+ named graphs", text)


def test_a_runaway_is_stopped_at_the_limit_while_the_other_worker_answers(read_only):
    before = wait_until(lambda: len(read_only.workers()) == 2 and read_only.workers(), 20, "two workers")
    sender, runaway = send_in_background(read_only, RUNAWAY)
    taker = wait_until(lambda: connection_holder(read_only.port, runaway["port"], before), 10,
                       "a worker has accepted the runaway's connection")  # a sync worker: it is busy with it now
    status, answer, seconds = read_only.get(SIMPLE, source="127.0.0.2")  # another client (admission is per client)
    assert status == 200 and answer["boolean"] is True and seconds < 0.5, seconds
    assert sender.is_alive()  # ... and was answered while the runaway still ran
    sender.join(LIMIT + 5)
    assert runaway["status"] == 503 and runaway["seconds"] < LIMIT + 1, runaway
    assert runaway["answer"]["error"] == "QueryTimeout" and "KG_QUERY_TIMEOUT" in runaway["answer"]["detail"]

    stopped = int(wait_until(lambda: re.search(r"stopping worker (\d+)", read_only.text()), 5, "the watchdog's log")[1])
    assert stopped == taker
    wait_until(lambda: stopped not in read_only.workers() and len(read_only.workers()) == 2, 20, "a replacement")
    assert not Path(f"/proc/{stopped}").exists()  # the process that ran the query is gone (and reaped)
    assert f"Worker (pid:{stopped}) exited with code {EXIT_CODE}" in read_only.text()
    for _ in range(4):  # the replacement and the untouched worker both serve
        assert read_only.get(SIMPLE)[0] == 200


def test_a_connection_whose_head_comes_late_is_not_lost_with_a_worker_the_watchdog_ends(tmp_path):
    """One worker. A client connects and is slow to send its head; a runaway arrives meanwhile. The worker takes only
    the runaway (a connection is accepted once its first bytes are there), so when the watchdog ends it the slow
    client is served by the replacement, not answered 503 with the ended worker's gathered connections."""
    server = start(tmp_path, KG_WORKERS="1")
    try:
        before = wait_until(lambda: server.workers(), 20, "the worker")
        with socket.create_connection(("127.0.0.1", server.port), timeout=30, source_address=("127.0.0.3", 0)) as late:
            sender, runaway = send_in_background(server, RUNAWAY, source="127.0.0.2")
            wait_until(lambda: connection_holder(server.port, runaway["port"], before), 10, "the worker runs it")
            assert connection_holder(server.port, late.getsockname()[1], before) is None  # still in the kernel
            late.sendall(f"GET /sparql?query={quote(SIMPLE)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                         "Accept: application/sparql-results+json\r\n\r\n".encode())
            head, _, body = read_all(late).partition(b"\r\n\r\n")
        sender.join(LIMIT + 5)
        assert runaway["status"] == 503
        assert head.startswith(b"HTTP/1.1 200 ") and json.loads(body)["boolean"] is True, head
    finally:
        stop_service(server)


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
        stop_service(server)
