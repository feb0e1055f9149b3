"""Compacted JSON-LD (https://www.w3.org/TR/json-ld11/#compacted-document-form) for the linked-data documents:
one published `@context` (the project's prefixes, served at `/context.jsonld`), referenced by URL from every
document, with the described resource's node first.

The compaction is rdflib's (its JSON-LD serializer with the context given inline); the inline context is then
replaced by the URL that serves the very same object, so expanding the document with the published context gives
back the triples. The expanded form (what the engine writes) stays available: `expanded_requested`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import rdflib

from kg.rdf.graphs import to_rdflib
from kg.rdf.namespaces import PREFIXES

MEDIA_TYPE = "application/ld+json"
EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
COMPACTED = "http://www.w3.org/ns/json-ld#compacted"
CONTEXT = {"@context": {prefix: namespace for prefix, namespace in PREFIXES.items()}}
_PROFILE = re.compile(r"""application/(?:ld\+)?json\s*;[^,]*profile\s*=\s*"?([^",]*)""", re.IGNORECASE)


def context_document() -> bytes:
    return json.dumps(CONTEXT, indent=2, ensure_ascii=False).encode("utf-8")


def expanded_requested(accept: str | None, profile: str | None = None) -> bool:
    """Whether the client asks for expanded JSON-LD: `profile=...#expanded` in Accept (JSON-LD 1.1 §9.1) or as a
    `profile` URL parameter (`expanded` for short)."""
    if profile is not None:
        return profile in (EXPANDED, "expanded")
    return any(EXPANDED in match.split() for match in _PROFILE.findall(accept or ""))


def compact(triples: Iterable, context_url: str, first: str | None = None) -> bytes:
    """The triples as compacted JSON-LD referring to `context_url`, the node of `first` (an IRI) leading."""
    graph = rdflib.Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    document = json.loads(graph.serialize(format="json-ld", context=CONTEXT["@context"], auto_compact=True))
    if isinstance(document, list):  # an empty graph
        document = {"@graph": document}
    document["@context"] = context_url
    nodes = document.get("@graph")
    if nodes is not None and first is not None:
        names = {first, _curie(first)}
        nodes.sort(key=lambda node: node.get("@id") not in names)  # stable: the rest keep rdflib's order
    ordered = {"@context": context_url, **{key: value for key, value in document.items() if key != "@context"}}
    return json.dumps(ordered, indent=2, ensure_ascii=False).encode("utf-8")


def _curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
