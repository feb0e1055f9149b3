"""The headers that tie a linked-data document to its other representations (W3C Best Practices for Publishing
Linked Data; RFC 8288 web linking; RFC 9110 §8.7 Content-Location): `Link` with `rel="alternate"` and the type for
each format, `rel="describedby"` (the resource's description in Turtle), the dataset it belongs to
(`void:inDataset`, the VoID description) and its dump; `Content-Location` names the representation sent."""

from __future__ import annotations

from flask import Response, request

from kg.rdf import jsonld
from kg.rdf.formats import LINK_SUFFIXES
from kg.rdf.namespaces import PREFIXES
from kg.rdf.results import serialize_triples
from kg.rdf.terms import Literal, NamedNode
from kg.web.responses import READ_CORS

HTML = "text/html"
ALTERNATES = [(HTML, "html"), *((media, suffix) for suffix, media in LINK_SUFFIXES.items())]  # (type, suffix)
SUFFIX_OF = {media: suffix for media, suffix in ALTERNATES}
VOID_IN_DATASET = "http://rdfs.org/ns/void#inDataset"


def link(response: Response, path: str, media: str, root: str, dump: str | None = None,
         in_dataset: bool = True) -> Response:
    """Add the Link and Content-Location headers for the document at `path` (this server's path, without suffix)
    sent as `media`."""
    links = [f'<{path}.{suffix}>; rel="alternate"; type="{kind}"' for kind, suffix in ALTERNATES if kind != media]
    links.append(f'<{path}.ttl>; rel="describedby"; type="text/turtle"')
    if in_dataset:
        links.append(f'<{root}/void>; rel="{VOID_IN_DATASET}"')
    if dump:
        links.append(f'<{dump}>; rel="{VOID_IN_DATASET.replace("inDataset", "dataDump")}"; type="application/n-quads"')
    response.headers["Link"] = ", ".join(links)
    if media in SUFFIX_OF:
        response.headers["Content-Location"] = f"{path}.{SUFFIX_OF[media]}"
    return response


def rdf_response(triples, media: str, first: str | None = None) -> Response:
    """Triples sorted by subject (Turtle groups each subject's statements), with only the prefixes used; JSON-LD
    compacted with the published context and `first`'s node leading, unless the expanded form is asked for."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if media == jsonld.MEDIA_TYPE and not jsonld.expanded_requested(request.headers.get("Accept"),
                                                                     request.args.get("profile")):
        body = jsonld.compact(ordered, request.url_root + "context.jsonld", first)
        response = Response(body, mimetype=media)
        response.headers["Content-Type"] = f'{media}; profile="{jsonld.COMPACTED}"'
    else:
        response = Response(serialize_triples(ordered, media, prefixes=used_prefixes(ordered)), mimetype=media)
    response.vary.add("Accept")
    response.headers.update(READ_CORS)
    return response


def used_prefixes(triples) -> dict[str, str]:
    iris = {term.value for t in triples for term in (t.subject, t.predicate, t.object) if isinstance(term, NamedNode)}
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, Literal)}
    return {prefix: ns for prefix, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}
