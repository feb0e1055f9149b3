"""The remote store asks the server for the syntaxes of the query's form, whatever its prologue or length, and its
bindings do not change that form (the form is read from the text as written, and remembered for short texts)."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.rdf.sparql_lexer import REMEMBERED_LENGTH
from kg.store.remote import ACCEPT, RemoteStore

from helpers import loopback_http, reply

ANSWERS = {  # the form asked -> what the stand-in server answers
    "SELECT": (b'{"head":{"vars":["s"]},"results":{"bindings":[]}}', "application/sparql-results+json"),
    "ASK": (b'{"head":{},"boolean":true}', "application/sparql-results+json"),
    "CONSTRUCT": (b"", "application/n-triples"),
    "DESCRIBE": (b"", "application/n-triples"),
}
PROLOGUE = "".join(f"PREFIX p{n}: <https://example.org/{n}/>\n" for n in range(40))
QUERIES = {
    "SELECT": "SELECT ?s WHERE { ?s ?p ?o }",
    "ASK": "ASK { ?s ?p ?o }",
    "CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DESCRIBE": "DESCRIBE ?s WHERE { ?s ?p ?o }",
}


@pytest.fixture
def server():
    """A stand-in SPARQL server answering in the syntax of the form its Accept header names; yields (url, accepts)."""
    accepts = []

    def answer(handler, _body: bytes) -> None:
        accept = handler.headers["Accept"]
        accepts.append(accept)
        form = next(form for form, offered in ACCEPT.items() if offered == accept)
        reply(handler, 200, *ANSWERS[form])

    with loopback_http(answer) as url:
        yield url, accepts


@pytest.mark.parametrize("form", QUERIES)
@pytest.mark.parametrize("prologue", ["", PROLOGUE, f"# {'x' * REMEMBERED_LENGTH}\n"], ids=["bare", "prefixes", "long"])
def test_the_accept_header_follows_the_form(settings, server, form, prologue):
    url, accepts = server
    store = RemoteStore(settings.with_(endpoint=f"{url}/sparql", store_path=None))
    for _ in range(2):  # the second time from memory, for a short text
        store.query(prologue + QUERIES[form], bindings={"s": pyoxigraph.NamedNode("https://example.org/s")})
    assert accepts == [ACCEPT[form]] * 2
