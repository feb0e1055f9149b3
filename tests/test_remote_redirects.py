"""A remote SPARQL server cannot send the service to another origin: cross-origin redirects are refused."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from kg.core.errors import BackendError
from kg.store.remote import RemoteStore

from helpers import loopback_http, reply

ANSWER = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'


@pytest.fixture
def listener():
    """Start a local HTTP server whose handler is `answer(handler)`; yields (url, requests)."""
    with ExitStack() as servers:
        def start(answer):
            requests = []

            def handle(handler, _body: bytes) -> None:
                requests.append(handler.path)
                answer(handler)
            return servers.enter_context(loopback_http(handle)), requests

        yield start


def results(handler):
    reply(handler, 200, ANSWER, "application/sparql-results+json")


def redirect_to(location: str, status: int = 303):
    def answer(handler):
        reply(handler, status, b"", "text/plain", {"Location": location})
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
