"""The dataset's VoID + DCAT description (https://www.w3.org/TR/void/): the static part is the data file
`void.ttl`; the triple counts come from the store and the SPARQL endpoint from the request, so the description
stays true whatever was loaded and wherever the service runs.

Each named graph is a `void:subset` identified by the graph's own IRI; the dataset's `void:triples` is the sum
over the named graphs (a triple stated in two graphs counts twice, as it is stored twice).
"""

from __future__ import annotations

from importlib.resources import files

import pyoxigraph

from kg.namespaces import PREFIXES

VOID = PREFIXES["void"]
RDF_TYPE = pyoxigraph.NamedNode(PREFIXES["rdf"] + "type")
DATASET = pyoxigraph.NamedNode(VOID + "Dataset")
TRIPLES = pyoxigraph.NamedNode(VOID + "triples")
SUBSET = pyoxigraph.NamedNode(VOID + "subset")
XSD_INTEGER = pyoxigraph.NamedNode(PREFIXES["xsd"] + "integer")


def void_triples(base: str, graph_sizes: dict[str, int], sparql_endpoint: str) -> list[pyoxigraph.Triple]:
    """The description of the dataset under `base`, with `graph_sizes` (graph IRI -> triples) as its subsets."""
    static = [q.triple for q in pyoxigraph.parse((files(__package__) / "void.ttl").read_bytes(),
                                                 format=pyoxigraph.RdfFormat.TURTLE, base_iri=base)]
    dataset = next(t.subject for t in static if t.predicate == RDF_TYPE and t.object == DATASET)
    computed = [
        pyoxigraph.Triple(dataset, TRIPLES, _integer(sum(graph_sizes.values()))),
        pyoxigraph.Triple(dataset, pyoxigraph.NamedNode(VOID + "uriSpace"), pyoxigraph.Literal(base)),
        pyoxigraph.Triple(dataset, pyoxigraph.NamedNode(VOID + "sparqlEndpoint"), pyoxigraph.NamedNode(sparql_endpoint)),
    ]
    for graph, size in sorted(graph_sizes.items()):
        subset = pyoxigraph.NamedNode(graph)
        computed += [pyoxigraph.Triple(dataset, SUBSET, subset), pyoxigraph.Triple(subset, RDF_TYPE, DATASET),
                     pyoxigraph.Triple(subset, TRIPLES, _integer(size))]
    return static + computed


def _integer(value: int) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(str(value), datatype=XSD_INTEGER)
