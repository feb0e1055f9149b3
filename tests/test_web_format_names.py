"""`format=` names read for the kind of answer (issue 11): what SPARQLWrapper sends beside its Accept works for every
query form, `application/json` counts as JSON-LD for graphs, and a 406 lists only names that would have worked."""

from __future__ import annotations

import pytest

from helpers import BASE

SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{BASE}eli/kz/code/2014/226-V/art_205> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{BASE}eli/kz/code/2014/226-V/art_205>"
# SPARQLWrapper 2.0's Accept for each return format (Wrapper._getAcceptHeader) and the format= value it sends
TABLE_CASES = [("xml", "application/sparql-results+xml", "application/sparql-results+xml"),
               ("json", "application/sparql-results+json,application/json,text/javascript,application/javascript",
                "application/sparql-results+json"),
               ("csv", "text/csv", "text/csv"), ("tsv", "text/tab-separated-values", "text/tab-separated-values")]
GRAPH_CASES = [("xml", "application/rdf+xml", "application/rdf+xml"),
               ("rdf+xml", "application/rdf+xml", "application/rdf+xml"),
               ("json", "*/*", "application/ld+json"),
               ("n3", "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3",
                "text/turtle"),
               ("turtle", "application/turtle,text/turtle", "text/turtle"),
               ("json-ld", "application/ld+json,application/x-json+ld", "application/ld+json")]


@pytest.mark.parametrize("query", [SELECT, ASK])
@pytest.mark.parametrize("name, accept, media", TABLE_CASES)
def test_sparqlwrapper_table_formats(client, query, name, accept, media):
    for parameter in ("format", "output", "results"):
        response = client.get("/sparql", query_string={"query": query, "format": name, parameter: name},
                              headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == media, response.data


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("name, accept, media", GRAPH_CASES)
def test_sparqlwrapper_graph_formats(client, query, name, accept, media):
    response = client.post("/sparql", data={"query": query, "format": name, "output": name, "results": name},
                           headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media, response.data
    assert response.data


def test_a_satisfiable_accept_wins_over_a_name_for_another_kind(client):
    response = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "csv"},
                          headers={"Accept": "application/n-triples"})
    assert response.mimetype == "application/n-triples"


def test_application_json_is_json_ld_for_graphs_and_sparql_json_for_tables(client):
    graph = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "application/json"})
    table = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "application/json"})
    assert graph.mimetype == "application/ld+json" and table.mimetype == "application/sparql-results+json"


def test_the_406_lists_only_names_that_would_work(client):
    response = client.get("/sparql", query_string={"query": SELECT, "format": "turtle"})
    assert response.status_code == 406
    choices = response.get_json()["detail"].partition("choose one of: ")[2].split(", ")
    assert "xml" in choices and "json" in choices and "turtle" not in choices and "jsonld" not in choices
    response = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "csv"})
    choices = response.get_json()["detail"].partition("choose one of: ")[2].split(", ")
    assert response.status_code == 406 and "xml" in choices and "csv" not in choices
