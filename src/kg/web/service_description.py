"""Describe the endpoint with the SPARQL 1.1 Service Description: https://www.w3.org/TR/sparql11-service-description/

Triple counts use VoID (https://www.w3.org/TR/void/). The vocabulary is kept in the tables below, so the builder
is a list of statements; the route serialises them by content negotiation.
"""

from __future__ import annotations

from kg.core.config import Settings
from kg.core.errors import ProtocolError
from kg.rdf import formats
from kg.rdf.formats import W3C
from kg.rdf.namespaces import PREFIXES as KNOWN
from kg.rdf.terms import BlankNode, Literal, NamedNode, Triple, iri

SD, VOID = KNOWN["sd"], KNOWN["void"]
RDF_TYPE = NamedNode(KNOWN["rdf"] + "type")
SIMPLE_ENTAILMENT = NamedNode("http://www.w3.org/ns/entailment/Simple")  # Oxigraph evaluates without inference
PREFIXES = {"sd": SD, "void": VOID, "formats": W3C}

# The media types the description itself is offered in; the first is the default.
DESCRIPTION_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]


def sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def void(name: str) -> NamedNode:
    return NamedNode(VOID + name)


def describe(endpoint: str, settings: Settings, sizes: dict[str, int], result_types: list[str]) -> list[Triple]:
    """The service description of `endpoint`, with one sd:namedGraph per entry of `sizes` (graph IRI -> triples)."""
    service, dataset, default_graph = BlankNode(), BlankNode(), BlankNode()
    statements = [
        (service, RDF_TYPE, sd("Service")),
        (service, sd("endpoint"), endpoint_node(endpoint)),
        *((service, sd("supportedLanguage"), sd(language)) for language in languages(settings)),
        *((service, sd("resultFormat"), NamedNode(formats.iri(media))) for media in result_types),
        *((service, sd("feature"), sd(feature)) for feature in features(settings)),
        (service, sd("defaultEntailmentRegime"), SIMPLE_ENTAILMENT),
        (service, sd("defaultDataset"), dataset),
        (dataset, RDF_TYPE, sd("Dataset")),
        (dataset, sd("defaultGraph"), default_graph),
        (default_graph, RDF_TYPE, sd("Graph")),
        # the union of the named graphs, counted as Oxigraph counts `SELECT (COUNT(*) AS ?n) { ?s ?p ?o }` on it
        (default_graph, void("triples"), Literal(sum(sizes.values()))),
    ]
    for name, size in sorted(sizes.items()):
        statements += _named_graph(dataset, name, size)
    return [Triple(*statement) for statement in statements]


def languages(settings: Settings) -> list[str]:
    """SPARQL 1.1 Update is offered only when writes are enabled (a write token is configured)."""
    return ["SPARQL11Query", "SPARQL11Update"] if settings.writable else ["SPARQL11Query"]


def features(settings: Settings) -> list[str]:
    """SERVICE is only usable when the operator allow-lists hosts, so only then is it advertised."""
    return ["UnionDefaultGraph", "BasicFederatedQuery"] if settings.service_allowlist else ["UnionDefaultGraph"]


def endpoint_node(url: str) -> NamedNode:
    return iri(url, "the request URL (check the Host header)", ProtocolError)


def _named_graph(dataset: BlankNode, name: str, size: int) -> list[tuple]:
    named, graph = BlankNode(), BlankNode()
    return [
        (dataset, sd("namedGraph"), named),
        (named, RDF_TYPE, sd("NamedGraph")),
        (named, sd("name"), NamedNode(name)),
        (named, sd("graph"), graph),
        (graph, RDF_TYPE, sd("Graph")),
        (graph, void("triples"), Literal(size)),
    ]
