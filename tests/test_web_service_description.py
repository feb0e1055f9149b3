"""GET /sparql without a query: the SPARQL 1.1 Service Description, checked against the store it describes."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.rdf.results import DATASET_TYPES, RDF_TYPES, TABLE_TYPES
from kg.rdf.formats import BY_MEDIA_TYPE

FORMAT_IRIS = {media: row.iri for media, row in BY_MEDIA_TYPE.items()}

PREFIXES = """PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX void: <http://rdfs.org/ns/void#>
"""
NAMED_GRAPHS = PREFIXES + """SELECT ?name ?triples WHERE {
  ?service a sd:Service ; sd:defaultDataset ?dataset .
  ?dataset a sd:Dataset ; sd:namedGraph ?named .
  ?named a sd:NamedGraph ; sd:name ?name ; sd:graph [ a sd:Graph ; void:triples ?triples ] }"""
DEFAULT_GRAPH = PREFIXES + """SELECT ?triples WHERE {
  [] a sd:Service ; sd:defaultDataset [ sd:defaultGraph [ a sd:Graph ; void:triples ?triples ] ] }"""
FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML, "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
}


def description(client, **kwargs) -> pyoxigraph.Store:
    response = client.get("/sparql", **kwargs)
    assert response.status_code == 200, response.data
    graph = pyoxigraph.Store()
    graph.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.DefaultGraph())
                 for t in pyoxigraph.parse(response.data, format=FORMATS[response.mimetype]))
    return graph


def objects(graph: pyoxigraph.Store, predicate: str) -> set[str]:
    rows = graph.query(PREFIXES + f"SELECT ?o WHERE {{ [] a sd:Service ; {predicate} ?o }}")
    return {row["o"].value for row in rows}


@pytest.mark.parametrize("accept, expected", [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),  # curl (a browser, preferring text/html, gets the query page: issue 12)
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-triples;q=0.9, text/turtle;q=0.1", "application/n-triples"),
])
def test_description_by_content_negotiation(client, store, accept, expected):
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.content_type == f"{expected}; charset=utf-8"
    assert "Accept" in response.headers["Vary"]
    graph = description(client, headers={"Accept": accept} if accept else {})
    assert len(list(graph.query(NAMED_GRAPHS))) == len(store.graph_sizes())


@pytest.mark.parametrize("fmt, expected", [("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml"),
                                           ("nt", "application/n-triples")])
def test_format_parameter(client, fmt, expected):
    assert client.get("/sparql", query_string={"format": fmt}).mimetype == expected


def test_unavailable_format_is_406(client):
    response = client.get("/sparql", headers={"Accept": "text/csv"})
    assert response.status_code == 406 and response.get_json()["error"] == "NotAcceptable"


def test_named_graphs_and_triple_counts_match_the_store(client, store):
    graph = description(client)
    described = {row["name"].value: int(row["triples"].value) for row in graph.query(NAMED_GRAPHS)}
    assert described == store.graph_sizes()
    assert "https://w3id.org/infosec-law-kg/graph/kz-criminal-code" in described


def test_default_graph_count_is_what_a_count_query_answers(client, store):
    total = int(next(iter(description(client).query(DEFAULT_GRAPH)))["triples"].value)
    counted = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert total == sum(store.graph_sizes().values()) == int(counted.get_json()["results"]["bindings"][0]["n"]["value"])


def test_endpoint_is_the_request_url_without_query_string(client):
    graph = description(client, base_url="https://kg.example.org/", query_string={"format": "ttl"})
    assert objects(graph, "sd:endpoint") == {"https://kg.example.org/sparql"}


def test_result_formats_are_every_format_served(client):
    served = list(TABLE_TYPES) + list(RDF_TYPES) + list(DATASET_TYPES)
    assert objects(description(client), "sd:resultFormat") == {FORMAT_IRIS[media] for media in served}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in FORMAT_IRIS.values()


SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.mark.parametrize("changes, languages, features", [
    ({}, {"SPARQL11Query"}, {"UnionDefaultGraph"}),
    ({"write_token": "s3cr3t"}, {"SPARQL11Query", "SPARQL11Update"}, {"UnionDefaultGraph"}),
    ({"service_allowlist": "query.wikidata.org"}, {"SPARQL11Query"}, {"UnionDefaultGraph", "BasicFederatedQuery"}),
])
def test_languages_and_features_follow_the_settings(make_client, changes, languages, features):
    graph = description(make_client(**changes))
    assert objects(graph, "sd:supportedLanguage") == {SD + name for name in languages}
    assert objects(graph, "sd:feature") == {SD + name for name in features}


def test_description_allows_any_origin(client):
    assert client.get("/sparql").headers["Access-Control-Allow-Origin"] == "*"
