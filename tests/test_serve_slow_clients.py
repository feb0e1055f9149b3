"""kg.serving.workers: slow clients cannot hold the service. Connections that send part of a request and idle (or
trickle) wait in each worker's selector, not in a worker, and are cut at KG_HEADER_TIMEOUT / KG_BODY_TIMEOUT; other
clients keep being answered. Real `kg serve` processes, read-only and write-capable; every wait bounded and on an
event (a trickler's pacing is its load, not a synchronisation). The gathering itself is checked on socket pairs."""

from __future__ import annotations

import http.client
import math
import selectors
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from kg.serving.arriving import GONE, HEAD_LIMIT, READY, WAITING, Arriving, Deadlines, Primed

from helpers import BASE, connection_holder, serve, stop_service, wait_until

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = 4.0  # KG_HEADER_TIMEOUT and KG_BODY_TIMEOUT of the servers started here
SLOW = 8
PARTIAL = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n"  # the blank line never comes
CHEAP = f"ASK {{ <{BASE}id/state/kz> ?p ?o }}"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module", params=["read-only", "write-capable"])
def service(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    env = {"KG_HEADER_TIMEOUT": str(DEADLINE), "KG_BODY_TIMEOUT": str(DEADLINE)}
    if request.param == "write-capable":  # its store goes into KG_ROOT/.kg/store: a copy of the project
        for part in ("ontology", "graph", "shapes"):
            shutil.copytree(ROOT / part, folder / part)
        env.update(KG_ROOT=str(folder), KG_WRITE_TOKEN="s3cret")
    running = serve(folder, **env)
    yield running
    stop_service(running)


def slow_connection(port: int, source: str = "127.0.0.3") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0))
    sock.sendall(PARTIAL)
    return sock


def held(service, sock: socket.socket) -> bool:
    """Whether a server process (master or worker) has accepted this connection (not in the listen backlog)."""
    return connection_holder(service.port, sock.getsockname()[1], service.workers()) is not None


def answer_of(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when it closed it."""
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data, time.monotonic()


# ------------------------------------------------------------------ against a real service, in both modes

def test_slow_connections_do_not_keep_other_clients_waiting(service):
    slow = [slow_connection(service.port) for _ in range(SLOW)]
    try:
        for sock in slow:
            wait_until(lambda: held(service, sock), 10, "the server has accepted the slow connection")
        status, answer, seconds = service.request("GET", "/sparql?query=" + CHEAP.replace(" ", "%20"), None, JSON,
                                                  timeout=30, source="127.0.0.2")
        assert status == 200 and answer["boolean"] is True and seconds < 2, (status, seconds)
        for sock in slow:  # still open (the deadline has not passed): they were there while the query was answered
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
    finally:
        for sock in slow:
            sock.close()


@pytest.mark.parametrize("opening, trickle", [
    (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Pad: ", b"a"),  # a head that never ends
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 1000\r\n\r\n",
     b"#"),  # a body that never ends
], ids=["head", "body"])
def test_a_trickling_client_is_cut_at_the_deadline(service, opening, trickle):
    sock = slow_connection(service.port)
    sock.sendall(opening)
    started, closed = time.monotonic(), threading.Event()

    def trickling():  # a byte every 0.3 s: each read sees progress, the request never completes in time
        while not closed.wait(0.3):
            try:
                sock.sendall(trickle)
            except OSError:
                return

    sender = threading.Thread(target=trickling, daemon=True)
    sender.start()
    try:
        data, ended = answer_of(sock)
    finally:
        closed.set()
        sender.join(5)
        sock.close()
    assert data.startswith(b"HTTP/1.1 408 "), data[:200]
    assert DEADLINE - 0.5 <= ended - started <= DEADLINE + 3, ended - started


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(service):
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as sock:
        started = time.monotonic()
        data, ended = answer_of(sock)
    assert data == b"" and ended - started <= DEADLINE + 3


def test_requests_with_a_body_are_answered(service):
    query = f"ASK {{ <{BASE}id/state/kz> ?p ?o }}".encode()
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    try:
        headers = {**JSON, "Content-Type": "application/sparql-query"}
        connection.request("POST", "/sparql", body=query, headers=headers)  # Content-Length
        first = connection.getresponse()
        assert first.status == 200 and b"true" in first.read()
        connection.request("POST", "/sparql", body=iter([query[:5], query[5:]]), headers=headers)  # chunked
        second = connection.getresponse()
        assert second.status == 200 and b"true" in second.read()
    finally:
        connection.close()


def test_expect_100_continue_gets_the_body_sent(service):
    body = f"ASK {{ <{BASE}id/state/kz> ?p ?o }}".encode()
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n"
                     b"Content-Type: application/sparql-query\r\nExpect: 100-continue\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        assert sock.recv(4096).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")  # the client sends the body only now
        sock.sendall(body)
        data, _ = answer_of(sock)
    assert b"HTTP/1.1 200 " in data and b"true" in data, data[-300:]


# ------------------------------------------------------------------ the gathering, on socket pairs

@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    yield ours, theirs
    ours.close()
    theirs.close()


def fed(pair, *pieces: bytes, deadlines: Deadlines = Deadlines()) -> list[str]:
    ours, theirs = pair
    arriving = Arriving(ours, deadlines)
    states = []
    for piece in pieces:
        theirs.sendall(piece)
        states.append(arriving.read())
    return states


def test_a_request_is_ready_once_its_head_and_body_are_there(pair):
    assert fed(pair, b"GET / HTTP/1.1\r\nHost: x\r", b"\n\r\n") == [WAITING, READY]
    assert fed(pair, b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n", b"ab", b"cd") == [WAITING, WAITING, READY]


def test_a_chunked_body_is_ready_at_its_last_chunk(pair):
    states = fed(pair, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", b"3\r\nabc\r\n", b"0\r\n",
                 b"X-Trailer: 1\r\n", b"\r\n")
    assert states == [WAITING, WAITING, WAITING, WAITING, READY]


def test_what_the_app_refuses_anyway_is_handed_over_after_the_head(pair):
    too_large = b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n"
    assert fed(pair, too_large, deadlines=Deadlines(max_body=10)) == [READY]  # 413 by its length, no body read


def test_a_broken_chunk_framing_is_left_to_the_parser(pair):
    assert fed(pair, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") == [READY]


def gathered(pair, request: bytes, deadlines: Deadlines = Deadlines()) -> Arriving:
    ours, theirs = pair
    arriving = Arriving(ours, deadlines)
    theirs.sendall(request)
    assert arriving.read() == READY
    return arriving


@pytest.mark.parametrize("request_bytes, whole", [
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", True),
    (b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", True),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", True),
    (b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", False),  # refused by its length: its body may still come
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", False),  # broken framing: no telling
])
def test_a_request_is_whole_when_nothing_of_it_is_still_to_come(pair, request_bytes, whole):
    assert gathered(pair, request_bytes, Deadlines(max_body=10)).whole is whole


def test_a_whole_request_is_closed_at_once_not_when_the_client_closes(pair):
    """gunicorn's close lingers up to 2 s for the client to close first (unread request bytes would turn the close
    into a reset); when the whole request was read, nothing can come, and the worker goes on to the next request."""
    from gunicorn.util import close_graceful

    ours, theirs = pair
    arriving = gathered(pair, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    ours.setblocking(True)
    primed = Primed(ours, bytes(arriving.data), 10, arriving.whole)
    assert primed.recv(65536) == bytes(arriving.data)  # what gunicorn's parser reads first
    primed.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
    started = time.monotonic()
    close_graceful(primed)  # the client keeps its end open all along
    assert time.monotonic() - started < 1
    theirs.settimeout(5)
    assert theirs.recv(1024).startswith(b"HTTP/1.1 204") and theirs.recv(1024) == b""  # the answer, then the end


def test_an_overlong_head_is_refused_and_a_closed_connection_is_gone(pair):
    ours, theirs = pair
    arriving = Arriving(ours, Deadlines())
    theirs.sendall(b"GET / HTTP/1.1\r\n" + b"X-Pad: " + b"a" * HEAD_LIMIT)
    assert [arriving.read(), arriving.read()] == [WAITING, "431 Request Header Fields Too Large"]  # 64 KiB a read
    theirs.shutdown(socket.SHUT_WR)
    assert Arriving(ours, Deadlines()).read() == GONE


def test_the_deadline_moves_from_the_head_to_the_body(pair):
    ours, theirs = pair
    arriving = Arriving(ours, Deadlines(header=100, body=1))
    theirs.sendall(b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n")
    assert arriving.read() == WAITING and arriving.deadline <= time.monotonic() + 1
    assert Arriving(ours, Deadlines(header=0)).deadline == math.inf  # 0: no deadline


def test_a_gathered_request_is_answered_503_when_its_worker_is_ended(pair, monkeypatch):
    """The watchdog ends a worker that ran a runaway: what that worker had gathered and not started is told to send
    it again (503), not dropped with the process."""
    from kg.serving import watchdog as watchdog_module
    from kg.serving.workers import SyncWorker

    ours, theirs = pair
    theirs.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")  # not yet complete
    arriving = Arriving(ours, Deadlines())
    arriving.read()
    worker = SyncWorker.__new__(SyncWorker)  # only its gathering state matters here
    worker.arriving = {ours: (arriving, None, None)}
    monkeypatch.setattr(watchdog_module, "BEFORE_EXIT", [worker._turn_away])
    ended = []
    dog = watchdog_module.Watchdog(lambda environ, start: [], limit=1, exit=ended.append)
    dog._stop({"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql"})
    assert ended == [watchdog_module.EXIT_CODE]
    answer = theirs.recv(4096)
    assert answer.startswith(b"HTTP/1.1 503 ") and b"send it again" in answer


def test_a_request_that_arrived_while_its_worker_was_busy_is_answered_503_not_reset(pair, monkeypatch):
    """Accepted before its head came (the worker then started a long query): the head waits unread in the socket.
    Ending the worker reads it and answers 503; closing over unread bytes would reset the connection instead."""
    from kg.serving import watchdog as watchdog_module
    from kg.serving.workers import SyncWorker

    ours, theirs = pair
    arriving = Arriving(ours, Deadlines())
    assert arriving.read() == WAITING  # nothing yet
    theirs.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n")  # arrives while the worker is busy
    worker = SyncWorker.__new__(SyncWorker)
    worker.arriving = {ours: (arriving, None, None)}
    worker._turn_away()
    theirs.settimeout(5)
    answer = theirs.recv(4096)
    assert answer.startswith(b"HTTP/1.1 503 ") and b"send it again" in answer and theirs.recv(4096) == b""


def test_a_listener_hands_over_a_connection_only_once_its_first_bytes_are_there():
    """A connection that has sent nothing stays in the kernel: the one that came later with its head is accepted
    first, so a worker has nothing half-arrived to hold while it serves."""
    from kg.serving.workers import defer_accept

    with socket.create_server(("127.0.0.1", 0)) as listener:
        defer_accept([listener])
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as silent, \
                socket.create_connection(("127.0.0.1", port)) as talking:
            talking.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            listener.settimeout(10)
            accepted, address = listener.accept()
            with accepted:
                assert address[1] == talking.getsockname()[1] != silent.getsockname()[1]
                assert accepted.recv(4096).startswith(b"GET / ")


def test_a_select_batch_serves_arrived_requests_before_gathering_more():
    from kg.serving.workers import _listener_last

    listener, client = socket.socket(), socket.socket()
    try:
        listening = selectors.SelectorKey(listener, listener.fileno(), selectors.EVENT_READ, listener)
        arrived = selectors.SelectorKey(client, client.fileno(), selectors.EVENT_READ, None)
        batch = [(listening, selectors.EVENT_READ), (arrived, selectors.EVENT_READ)]
        assert [key for key, _ in sorted(batch, key=_listener_last)] == [arrived, listening]
    finally:
        listener.close()
        client.close()
