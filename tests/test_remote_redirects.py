"""A remote SPARQL server cannot send the service to another origin: cross-origin redirects are refused."""

from __future__ import annotations

import http.server
import threading

import pytest

from kg.core.errors import BackendError
from kg.store.remote import RemoteStore

ANSWER = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'


@pytest.fixture
def listener():
    """Start a local HTTP server whose handler is `answer(handler)`; yields (url, requests, set_answer)."""
    servers = []

    def start(answer):
        requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                requests.append(self.path)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                answer(self)

            do_GET = do_POST

            def log_message(self, *arguments):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", requests

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def results(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.send_header("Content-Length", str(len(ANSWER)))
    handler.end_headers()
    handler.wfile.write(ANSWER)


def redirect_to(location: str, status: int = 303):
    def answer(handler):
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


def test_a_redirect_to_another_origin_is_not_followed(settings, listener):
    elsewhere, reached = listener(results)
    backend, _ = listener(redirect_to(f"{elsewhere}/sparql"))
    store = RemoteStore(settings.with_(endpoint=f"{backend}/sparql", store_path=None))
    with pytest.raises(BackendError):
        store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert reached == []


def test_a_redirect_on_the_same_origin_is_followed(settings, listener):
    holder = {}
    backend, requests = listener(lambda h: (redirect_to(f"{holder['url']}/moved")(h) if h.path == "/sparql"
                                            else results(h)))
    holder["url"] = backend
    store = RemoteStore(settings.with_(endpoint=f"{backend}/sparql", store_path=None))
    assert store.query("SELECT ?s WHERE { ?s ?p ?o }").rows == []
    assert requests == ["/sparql", "/moved"]
