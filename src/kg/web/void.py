"""The dataset's VoID + DCAT description (https://www.w3.org/TR/void/): the static part is the data file
`void.ttl`; the triple counts come from the store and the SPARQL endpoint from the request, so the description
stays true whatever was loaded and wherever the service runs.

Each named graph is a `void:subset` identified by the graph's own IRI; the dataset's `void:triples` is the sum
over the named graphs (a triple stated in two graphs counts twice, as it is stored twice).
"""

from __future__ import annotations

from importlib.resources import files

from kg.rdf.formats import engine_format
from kg.rdf.namespaces import PREFIXES
from kg.rdf.parsing import parse_bytes
from kg.rdf.terms import Literal, NamedNode, Triple, typed

VOID = PREFIXES["void"]
RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
DATASET = NamedNode(VOID + "Dataset")
TRIPLES = NamedNode(VOID + "triples")
SUBSET = NamedNode(VOID + "subset")


def void_triples(base: str, graph_sizes: dict[str, int], sparql_endpoint: str) -> list[Triple]:
    """The description of the dataset under `base`, with `graph_sizes` (graph IRI -> triples) as its subsets."""
    static = parse_bytes((files(__package__) / "void.ttl").read_bytes(), engine_format("text/turtle"), "void.ttl",
                         base_iri=base).triples
    dataset = next(t.subject for t in static if t.predicate == RDF_TYPE and t.object == DATASET)
    computed = [
        Triple(dataset, TRIPLES, _integer(sum(graph_sizes.values()))),
        Triple(dataset, NamedNode(VOID + "uriSpace"), Literal(base)),
        Triple(dataset, NamedNode(VOID + "sparqlEndpoint"), NamedNode(sparql_endpoint)),
    ]
    for graph, size in sorted(graph_sizes.items()):
        subset = NamedNode(graph)
        computed += [Triple(dataset, SUBSET, subset), Triple(subset, RDF_TYPE, DATASET),
                     Triple(subset, TRIPLES, _integer(size))]
    return static + computed


def _integer(value: int) -> Literal:
    return typed(str(value), "integer")
