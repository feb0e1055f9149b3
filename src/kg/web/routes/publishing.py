"""What linked-data consumers need beside the resources (W3C Best Practices for Publishing Linked Data, Cool URIs):
the JSON-LD `@context` at `/context.jsonld`, the named graphs at their own IRIs (`{base}graph/kz-laws` is served at
`/graph/kz-laws`: its description and content), the dumps named by the store's version at `/dumps/`, and one URL per
resource (a trailing slash redirects to the path without it).
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for

from kg.core.errors import NotFound
from kg.rdf import jsonld
from kg.rdf.formats import LINK_SUFFIXES, RDF_TYPES
from kg.rdf.namespaces import PREFIXES
from kg.rdf.terms import Literal, NamedNode, Triple, typed
from kg.services import dumps
from kg.web.context import settings, store
from kg.web.linking import HTML, link, rdf_response
from kg.web.negotiation import choose
from kg.web.resource_page import RDF_LINKS, listing
from kg.web.responses import READ_CORS, open_read

blueprint = Blueprint("publishing", __name__)

SUFFIXES = {**LINK_SUFFIXES, "html": HTML, "json": jsonld.MEDIA_TYPE}  # `/graph/kz-laws.ttl`, `.html`, `.json`
VOID, RDFS, DCTERMS = PREFIXES["void"], PREFIXES["rdfs"], PREFIXES["dcterms"]


@blueprint.before_app_request
def one_url_per_resource():
    """`/eli/.../art_205/` and `/void/` redirect (301) to the path without the slash."""
    path = request.path
    if request.method in ("GET", "HEAD") and path != "/" and path.endswith("/"):
        query = request.query_string.decode("latin-1")
        return redirect(request.script_root + path.rstrip("/") + (f"?{query}" if query else ""), 301)
    return None


@blueprint.app_context_processor
def dump_link() -> dict:
    """Every page's navigation links the current N-Quads dump (none when the store has no version)."""
    return {"dump_url": dump_url()}


def dump_url(suffix: str = "nq", external: bool = False) -> str | None:
    """The URL of the current version's dump (a path, or with `external` the whole URL)."""
    version = dumps.version_of(store())
    return None if version is None else url_for("publishing.dump", name=dumps.file_name(version, suffix),
                                                _external=external)


@blueprint.get("/context.jsonld")
def context() -> Response:
    return open_read(Response(jsonld.context_document(), mimetype=jsonld.MEDIA_TYPE))


@blueprint.get("/dumps/<name>")
def dump(name: str) -> Response:
    found = dumps.find(settings(), store(), name)
    if found is None:
        raise NotFound(f"no dump {name!r}: the current ones are linked from /void (void:dataDump)")
    response = send_file(found[0], mimetype=found[1], as_attachment=False, conditional=True, max_age=86400)
    response.headers.update(READ_CORS)
    return response


@blueprint.get("/graph/<path:name>")
def graph(name: str) -> Response:
    """A named graph's description (VoID: its size, the dataset it is part of) and its content."""
    stem, dot, suffix = name.rpartition(".")
    media = None
    if dot and suffix in SUFFIXES:
        name, media = stem, SUFFIXES[suffix]
    iri = f"{settings().base}graph/{name}"
    content = store().graph_triples(iri)
    if content is None:
        raise NotFound(f"<{iri}> is not a named graph of this dataset")
    media = media or choose(request.headers.get("Accept"), [HTML, *RDF_TYPES], {"html": HTML},
                            request.args.get("format"))
    node, dataset = NamedNode(iri), NamedNode(settings().base + "void#infosec-law-kg")
    triples = [Triple(node, NamedNode(PREFIXES["rdf"] + "type"), NamedNode(VOID + "Dataset")),
               Triple(node, NamedNode(RDFS + "label"), Literal(f"Named graph {name}", language="en")),
               Triple(node, NamedNode(VOID + "triples"), typed(str(len(content)), "integer")),
               Triple(node, NamedNode(DCTERMS + "isPartOf"), dataset),
               Triple(dataset, NamedNode(VOID + "subset"), node), *content]
    path = f"{request.script_root}/graph/{name}"
    if media != HTML:
        return link(rdf_response(triples, media, first=iri), path, media, request.script_root, dump_url())
    formats = [(label, f"{path}{suffix}") for label, suffix in RDF_LINKS]
    page = render_template("linked-data/graph.html", title=f"Named graph {name}", formats=formats,
                           sections=listing(triples, settings().base, request.script_root))
    return link(open_read(Response(page, mimetype=HTML)), path, HTML, request.script_root, dump_url())

