"""The one table of the syntaxes the tool reads and writes: media type, what it can hold, pyoxigraph's format,
file and URL suffixes, `format=` aliases and the W3C format IRI (https://www.w3.org/ns/formats/).

Every other place (content negotiation, result writers, the Graph Store, resource suffixes, export, `kg load`,
the Service Description, OpenAPI) reads its facts from here, so adding a syntax is adding a row.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph

RESULTS, GRAPH, DATASET = "results", "graph", "dataset"  # SELECT/ASK tables; triples; quads
W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    media_type: str
    holds: str  # RESULTS, GRAPH or DATASET
    label: str
    iri: str
    suffixes: tuple[str, ...] = ()  # file and URL suffixes, the first is the one links use
    aliases: tuple[str, ...] = ()  # short names for `format=` and `--format`
    engine: object = None  # pyoxigraph's RdfFormat (None for the result tables, written by kg.rdf.results)
    offered: bool = True  # False: read only (N3 files for `kg load`)
    other_media_types: tuple[str, ...] = ()  # other names accepted in a request body and in Accept
    # (not application/xml: browsers accept it at q=0.9, and would get RDF/XML where Turtle is the default)


TABLE = (
    Format("application/sparql-results+json", RESULTS, "SPARQL JSON", W3C + "SPARQL_Results_JSON", ("srj",), ("json",),
           other_media_types=("application/json",)),
    Format("application/sparql-results+xml", RESULTS, "SPARQL XML", W3C + "SPARQL_Results_XML", ("srx",), ("xml",)),
    Format("text/csv", RESULTS, "CSV", W3C + "SPARQL_Results_CSV", ("csv",), ("csv",)),
    Format("text/tab-separated-values", RESULTS, "TSV", W3C + "SPARQL_Results_TSV", ("tsv",), ("tsv",)),
    Format("text/turtle", GRAPH, "Turtle", W3C + "Turtle", ("ttl",), ("turtle", "ttl"), pyoxigraph.RdfFormat.TURTLE,
           other_media_types=("application/x-turtle",)),
    Format("application/n-triples", GRAPH, "N-Triples", W3C + "N-Triples", ("nt",), ("nt", "ntriples"),
           pyoxigraph.RdfFormat.N_TRIPLES),
    Format("application/ld+json", GRAPH, "JSON-LD", W3C + "JSON-LD", ("jsonld",), ("jsonld", "json-ld"),
           pyoxigraph.RdfFormat.JSON_LD, other_media_types=("application/json",)),
    Format("application/rdf+xml", GRAPH, "RDF/XML", W3C + "RDF_XML", ("rdf", "owl"), ("rdfxml", "rdf", "rdf+xml"),
           pyoxigraph.RdfFormat.RDF_XML),
    Format("application/n-quads", DATASET, "N-Quads", W3C + "N-Quads", ("nq",), ("nq", "nquads"),
           pyoxigraph.RdfFormat.N_QUADS),
    Format("application/trig", DATASET, "TriG", W3C + "TriG", ("trig",), ("trig",), pyoxigraph.RdfFormat.TRIG),
    Format("text/n3", GRAPH, "N3", W3C + "N3", ("n3",), (), pyoxigraph.RdfFormat.N3, offered=False),
)

# Names that mean a different syntax for a table than for a graph: SPARQLWrapper sends its return format (`xml`,
# `json`, `n3`, ...) as `format=`, `output=` and `results=` whatever the query form, so a name is read for the kind
# of answer the query gives (N3 is offered as Turtle, its subset). A kind's own aliases come first.
KIND_ALIASES = {
    GRAPH: {"json": "application/ld+json", "xml": "application/rdf+xml", "n3": "text/turtle",
            "text/n3": "text/turtle", "application/json": "application/ld+json", "application/xml": "application/rdf+xml"},
    RESULTS: {"application/json": "application/sparql-results+json",
              "application/xml": "application/sparql-results+xml"},
}

BY_MEDIA_TYPE = {f.media_type: f for f in TABLE}
OFFERED = [f for f in TABLE if f.offered]


def media_types(holds: str) -> list[str]:
    """The media types offered for one kind of content, in the table's order (the first is the default)."""
    return [f.media_type for f in OFFERED if f.holds == holds]


TABLE_TYPES = media_types(RESULTS)
RDF_TYPES = media_types(GRAPH)
DATASET_TYPES = media_types(DATASET)
ALIASES = {alias: f.media_type for f in OFFERED for alias in f.aliases}
BY_SUFFIX = {suffix: f for f in TABLE if f.engine is not None for suffix in f.suffixes}  # files `kg load` reads
LINK_SUFFIXES = {f.suffixes[0]: f.media_type for f in OFFERED if f.holds == GRAPH}  # `/eli/....ttl`
ACCEPTED_AS = {f.media_type: f.other_media_types for f in OFFERED if f.other_media_types}  # Accept names for a type
BODY_FORMATS = {media: f.engine for f in OFFERED if f.holds == GRAPH  # what a Graph Store body may be
                for media in (f.media_type, *f.other_media_types)}


def aliases_for(offered) -> dict[str, str]:
    """The `format=` names of the offered media types, each read for its kind (`xml` is RDF/XML when only graph
    syntaxes are offered); a name two offered kinds share keeps its table meaning."""
    names: dict[str, str] = {}
    for media in reversed(list(offered)):
        known = BY_MEDIA_TYPE.get(media)
        if known is not None:
            names.update({name: target for name, target in KIND_ALIASES.get(known.holds, {}).items()
                          if target in offered})
    for media in reversed(list(offered)):
        known = BY_MEDIA_TYPE.get(media)
        if known is not None:
            names.update({alias: media for alias in known.aliases})
    return names


def engine_format(media_type: str):
    """pyoxigraph's RdfFormat for an RDF media type."""
    return BY_MEDIA_TYPE[media_type].engine


def iri(media_type: str) -> str:
    return BY_MEDIA_TYPE[media_type].iri
