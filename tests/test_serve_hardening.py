"""Hostile input against a real `kg serve` (gunicorn workers): refused with a 4xx in the service's error shape,
never a 5xx, a crash or a hang, and the workers keep serving."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from urllib.parse import quote

import pytest
from helpers import start_server, stop

DEEP = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
DEEP_SHORT = "SELECT * WHERE " + "{" * 200 + " ?s ?p ?o " + "}" * 200  # fits in a request line
CHEAP = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    process, port = start_server(lambda port: [sys.executable, "-m", "kg.cli", "serve", "--port", str(port)], log)
    yield port
    stop(process)


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def refused(answer, status: int) -> str:
    code, body = answer
    assert code == status, body[:300]
    return json.loads(body)["detail"]


def test_the_engine_really_crashes_on_deep_nesting():
    """Why the limit exists: the bare engine overflows its stack (the process dies on a signal)."""
    code = f"import pyoxigraph; list(pyoxigraph.Store().query({DEEP!r}))"
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert finished.returncode < 0 or finished.returncode > 1, finished.stderr[-300:]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_deep_nesting_is_refused_and_the_worker_lives(server, method):
    if method == "GET":
        answer = request(server, "GET", "/sparql?query=" + quote(DEEP_SHORT))
    else:
        answer = request(server, "POST", "/sparql", DEEP.encode(), {"Content-Type": "application/sparql-query"})
    assert "64 deep" in refused(answer, 400)
    assert request(server, "GET", "/sparql?query=" + quote(CHEAP))[0] == 200


def test_a_deep_json_body_to_a_canned_query_is_refused(server):
    body = ("[" * 100_000 + "]" * 100_000).encode()
    answer = request(server, "POST", "/api/queries/label-search", body, {"Content-Type": "application/json"})
    assert "deep" in refused(answer, 400)


@pytest.mark.parametrize("charset", ["utf-16", "punycode", "unicode_escape", "latin-1"])
@pytest.mark.parametrize("kind", ["query", "update"])
def test_sparql_bodies_are_utf8_only(server, charset, kind):
    text = CHEAP if kind == "query" else "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    body = text.encode("utf-16") if charset == "utf-16" else text.encode("ascii")
    headers = {"Content-Type": f"application/sparql-{kind}; charset={charset}"}
    assert "UTF-8" in refused(request(server, "POST", "/sparql", body, headers), 415)


def test_a_broken_chunked_body_is_a_400(server):
    with socket.create_connection(("127.0.0.1", server), timeout=30) as connection:
        connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                           b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nASK {}\r\n0\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer[:300]
    assert json.loads(body)["error"]
