"""kg.store.keepalive: queries to a remote server reuse one connection, and never read another answer's bytes."""

from __future__ import annotations

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError
from urllib.request import Request

import pytest

from kg.store.http import opener_for

BODY = b"x" * 100_000  # larger than the socket buffers: an answer closed early leaves bytes on the wire


class Server(ThreadingHTTPServer):
    """HTTP/1.1 on loopback: /n answers n; /big answers BODY; /bye answers, then closes without saying so;
    /close answers with `Connection: close`; /away redirects to /n on the same origin. Counts its connections."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.connections, self.requests = 0, []
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def handle_error(self, request, client_address) -> None:
        pass  # a connection closed with an answer unread is reset: expected here

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.do_GET()

    def do_GET(self) -> None:
        self.server.requests.append((self.command, self.path, self.headers.get("Connection")))
        if self.path == "/slow":
            time.sleep(1)  # past the client's time limit
        if self.path in ("/away", "/elsewhere"):
            self.send_response(303)
            self.send_header("Location", "/7" if self.path == "/away" else "http://localhost:9/7")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = BODY if self.path == "/big" else self.path.strip("/").encode()
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        if self.path in ("/bye", "/close"):
            self.close_connection = True


@pytest.fixture()
def server():
    running = Server()
    yield running
    running.shutdown()
    running.server_close()


@pytest.fixture(params=["anonymous", "logged in"])
def open_url(request, server):
    credentials = None if request.param == "anonymous" else ("reader", "secret")
    return opener_for(credentials, [server.url("/")], keep_alive=True)


def read(open_url, url: str, data: bytes | None = None) -> bytes:
    with open_url(Request(url, data=data), timeout=5) as answer:
        return answer.read()


def test_queries_share_one_connection_and_never_ask_to_close_it(server, open_url):
    answers = [read(open_url, server.url(f"/{n}"), data=b"query=ASK{}" if n % 2 else None) for n in range(5)]
    assert answers == [b"0", b"1", b"2", b"3", b"4"]
    assert server.connections == 1
    assert all(connection is None for _, _, connection in server.requests)


def test_an_answer_closed_before_its_end_closes_its_connection(server, open_url):
    with open_url(Request(server.url("/big")), timeout=5) as answer:
        assert answer.read(10) == b"x" * 10  # then closed: the rest is still on the wire
    assert read(open_url, server.url("/2")) == b"2"  # not the rest of /big
    assert server.connections == 2


def test_a_connection_the_server_closed_while_idle_is_replaced(server, open_url):
    assert read(open_url, server.url("/bye")) == b"bye"  # the server closes it without a word
    assert read(open_url, server.url("/3")) == b"3"
    assert read(open_url, server.url("/4")) == b"4"
    assert server.connections == 2


def test_a_server_that_says_close_gets_a_new_connection_each_time(server, open_url):
    assert [read(open_url, server.url("/close")) for _ in range(3)] == [b"close"] * 3
    assert server.connections == 3


def test_redirects_and_errors_keep_working_on_a_kept_connection(server, open_url):
    assert read(open_url, server.url("/away")) == b"7"  # a 303 read to its end: the same connection follows it
    with pytest.raises(HTTPError) as raised:
        read(open_url, server.url("/missing"))
    assert raised.value.code == 404 and raised.value.read() == b"missing"
    raised.value.close()
    assert read(open_url, server.url("/5")) == b"5"
    assert server.connections == 1


def test_each_thread_keeps_its_own_connection(server, open_url):
    results = []
    workers = [threading.Thread(target=lambda: results.append([read(open_url, server.url(f"/{n}")) for n in range(3)]))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    assert results == [[b"0", b"1", b"2"]] * 3
    assert server.connections == 3


def test_a_forked_worker_opens_its_own_connection(server):
    open_url = opener_for(None, [server.url("/")], keep_alive=True)
    assert read(open_url, server.url("/1")) == b"1"  # the parent (gunicorn's master) keeps a connection
    child = os.fork()
    if child == 0:  # the worker: its first query must not go down the parent's socket
        os._exit(0 if read(open_url, server.url("/2")) == b"2" else 1)
    assert os.waitpid(child, 0)[1] == 0
    assert read(open_url, server.url("/3")) == b"3"  # the parent's connection is intact
    assert server.connections == 2


def test_a_redirect_to_another_origin_is_refused_on_a_kept_connection(server, open_url):
    with pytest.raises(HTTPError, match="another origin"):
        read(open_url, server.url("/elsewhere"))
    assert read(open_url, server.url("/1")) == b"1"


def test_a_query_past_its_time_limit_fails_and_its_connection_is_not_reused(server, open_url):
    assert read(open_url, server.url("/1")) == b"1"
    with pytest.raises(TimeoutError):
        with open_url(Request(server.url("/slow")), timeout=0.2) as answer:
            answer.read()
    assert read(open_url, server.url("/2")) == b"2"  # not the late answer of /slow
    assert server.connections == 2
