"""SPARQL 1.1 Update over the Protocol, completely: `using-graph-uri` / `using-named-graph-uri` (§2.2.3) and
relative IRIs resolved against the graph's base (KG_BASE), on a write-capable app with its own store."""

from __future__ import annotations

import pytest
from helpers import BASE

from kg.core.errors import ProtocolError
from kg.core.project import project_files
from kg.rdf.sparql_update import with_using
from kg.store.embedded import EmbeddedStore
from kg.web.app import create_app

TOKEN = {"Authorization": "Bearer s3cr3t"}
STATES, BODIES = f"{BASE}graph/states", f"{BASE}graph/bodies"
KZ = f"{BASE}id/state/kz"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


@pytest.mark.parametrize("update, expected", [
    ("INSERT { ?s <urn:p> 1 } WHERE { ?s ?p ?o }", "INSERT { ?s <urn:p> 1 } USING <urn:g> USING NAMED <urn:n> WHERE"),
    ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
     "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } USING <urn:g> USING NAMED <urn:n> WHERE"),
    ("INSERT DATA { <urn:a> <urn:b> 'WHERE' } ; DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
     "INSERT DATA { <urn:a> <urn:b> 'WHERE' } ; DELETE { ?s ?p ?o } USING <urn:g> USING NAMED <urn:n> WHERE"),
    ("CLEAR GRAPH <urn:x>", "CLEAR GRAPH <urn:x>"),
])
def test_using_clauses_go_before_each_where(update, expected):
    assert with_using(update, ("urn:g",), ("urn:n",)).startswith(expected)


@pytest.mark.parametrize("update", ["WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                    "DELETE { ?s ?p ?o } USING <urn:h> WHERE { ?s ?p ?o }",
                                    "DELETE WHERE { ?s ?p ?o }"])
def test_an_update_with_its_own_dataset_or_the_shorthand_is_refused(update):
    with pytest.raises(ProtocolError):
        with_using(update, ("urn:g",), ())


@pytest.fixture
def writable(settings):
    store = EmbeddedStore.from_files(project_files(settings), base=settings.base)
    return store, create_app(settings.with_(write_token="s3cr3t"), store).test_client()


def comments(store, subject: str) -> set[str]:
    return {row["c"] for row in store.select(f"SELECT ?c WHERE {{ <{subject}> <{COMMENT}> ?c }}")}


def test_using_graph_uri_chooses_the_graph_the_where_clause_reads(writable):
    store, client = writable
    update = f'INSERT {{ GRAPH <{STATES}> {{ ?s <{COMMENT}> "seen"@en }} }} WHERE {{ BIND(<{KZ}> AS ?s) ?s ?p ?o }}'
    # the state's triples are in graph/states (and graph/kz-laws), not in graph/bodies: reading bodies finds nothing
    assert client.post("/sparql", data={"update": update, "using-graph-uri": BODIES}, headers=TOKEN).status_code == 204
    assert comments(store, KZ) == set()
    assert client.post("/sparql", data={"update": update, "using-graph-uri": STATES}, headers=TOKEN).status_code == 204
    assert comments(store, KZ) == {"seen"}


def test_using_parameters_with_a_using_clause_are_a_400(writable):
    store, client = writable
    update = f"DELETE {{ ?s ?p ?o }} USING <{STATES}> WHERE {{ ?s ?p ?o }}"
    response = client.post("/sparql", data={"update": update, "using-graph-uri": STATES}, headers=TOKEN)
    assert response.status_code == 400 and "use one or the other" in response.json["detail"]


def test_relative_iris_in_an_update_resolve_against_the_base(writable):
    store, client = writable
    update = 'INSERT DATA { GRAPH <graph/states> { <id/state/kz> <http://www.w3.org/2000/01/rdf-schema#comment> "relative"@en } }'
    response = client.post("/sparql", data=update, headers={**TOKEN, "Content-Type": "application/sparql-update"})
    assert response.status_code == 204, response.data
    assert comments(store, KZ) == {"relative"}
