"""The dataset's VoID + DCAT description (https://www.w3.org/TR/void/): the static part is the data file
`void.ttl`; the triple counts come from the store and the SPARQL endpoint from the request, so the description
stays true whatever was loaded and wherever the service runs.

Each named graph is a `void:subset` identified by the graph's own IRI; the dataset's `void:triples` is the sum
over the named graphs (a triple stated in two graphs counts twice, as it is stored twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files

from kg.rdf.formats import engine_format, iri
from kg.rdf.namespaces import PREFIXES
from kg.rdf.parsing import parse_bytes
from kg.rdf.terms import Literal, NamedNode, Triple, typed

VOID = PREFIXES["void"]
RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
DATASET = NamedNode(VOID + "Dataset")
TRIPLES = NamedNode(VOID + "triples")
SUBSET = NamedNode(VOID + "subset")
DCAT, DCTERMS = PREFIXES["dcat"], PREFIXES["dcterms"]
MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Release:
    """What the served data is now: the store's version, when it last changed, its dumps (media type -> URL)."""

    version: str | None = None
    modified: datetime | None = None
    dumps: dict[str, str] = field(default_factory=dict)


def void_triples(base: str, graph_sizes: dict[str, int], sparql_endpoint: str,
                 release: Release = Release()) -> list[Triple]:
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
    return static + computed + _release(dataset, base, release)


def _release(dataset: NamedNode, base: str, release: Release) -> list[Triple]:
    """The version, dcterms:modified, and each dump as void:dataDump and as a DCAT distribution."""
    triples = []
    if release.version:
        triples += [Triple(dataset, NamedNode(DCAT + "version"), Literal(release.version)),
                    Triple(dataset, NamedNode(PREFIXES["owl"] + "versionInfo"), Literal(release.version))]
    if release.modified:
        triples.append(Triple(dataset, NamedNode(DCTERMS + "modified"),
                              typed(release.modified.isoformat().replace("+00:00", "Z"), "dateTime")))
    for media, url in release.dumps.items():
        name = media.rpartition("/")[2]
        distribution = NamedNode(f"{base}void#dump-{name}")
        triples += [Triple(dataset, NamedNode(VOID + "dataDump"), NamedNode(url)),
                    Triple(dataset, NamedNode(DCAT + "distribution"), distribution),
                    Triple(distribution, RDF_TYPE, NamedNode(DCAT + "Distribution")),
                    Triple(distribution, NamedNode(DCTERMS + "title"), Literal(f"Dump of the whole dataset ({name})",
                                                                                language="en")),
                    Triple(distribution, NamedNode(DCAT + "downloadURL"), NamedNode(url)),
                    Triple(distribution, NamedNode(DCAT + "mediaType"), NamedNode(MEDIA_TYPES + media)),
                    Triple(distribution, NamedNode(DCTERMS + "format"), NamedNode(iri(media))),
                    Triple(distribution, NamedNode(DCTERMS + "license"),
                           NamedNode("https://creativecommons.org/licenses/by/4.0/"))]
    return triples


def _integer(value: int) -> Literal:
    return typed(str(value), "integer")
