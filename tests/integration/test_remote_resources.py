"""Linked data on a remote store (a real Oxigraph server): the same resource pages, 404s and VoID as embedded."""

from __future__ import annotations

import pyoxigraph
import pytest

from helpers import BASE

ART_205 = "eli/kz/code/2014/226-V/art_205"


def triples(response) -> set[pyoxigraph.Triple]:
    return {q.triple for q in pyoxigraph.parse(response.data, format=pyoxigraph.RdfFormat.N_TRIPLES)}


@pytest.mark.parametrize("path", [ART_205, "id/dataset/table-1", "eli/kz/code/2014/226-V/chp_7"])
def test_resource_description_same_as_embedded(clients, path):
    answers = {name: client.get(f"/{path}.nt") for name, client in clients.items()}
    assert answers["remote"].status_code == answers["embedded"].status_code == 200
    assert triples(answers["remote"]) == triples(answers["embedded"])


def test_resource_page_on_remote_store(clients):
    page = clients["remote"].get(f"/{ART_205}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "205 бап (Қазақстан Республикасының Қылмыстық кодексі)" in page
    assert "Статья 205." in page and 'href="/ontology#Article"' in page
    assert 'href="/eli/kz/code/2014/226-V/chp_7"' in page


def test_unknown_iri_is_404_on_remote_store(clients):
    assert clients["remote"].get("/id/state/atlantis", headers={"Accept": "text/turtle"}).status_code == 404


def test_void_counts_on_remote_store(clients):
    """Each project graph has the same count; scratch graphs other tests leave on the server are ignored."""
    counts = {}
    for name, client in clients.items():
        described = triples(client.get("/void.nt"))
        counts[name] = {t.subject.value: t.object.value for t in described
                        if t.predicate.value == "http://rdfs.org/ns/void#triples" and t.subject.value.startswith(BASE + "graph/")}
    assert counts["remote"] == counts["embedded"] and len(counts["embedded"]) > 10
