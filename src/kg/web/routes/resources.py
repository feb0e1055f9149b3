"""Linked data (https://www.w3.org/TR/cooluris/): every IRI of the graph's base answers at its own path on this
server, whatever host the server runs on, as HTML for people and as RDF for programs (by `Accept`, `format` or
a file suffix); beside them the ontology (pyLODE), the SHACL shapes, the VoID description and the query page.

The resource IRI is always `settings.base + path`, never built from the request's host, so a server on
localhost answers for `https://w3id.org/infosec-law-kg/eli/...` exactly as the public one does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request

from kg import queries
from kg.core.errors import NotFound
from kg.core.project import DEFAULT_LANGUAGE, LANGUAGES, fallback, ontology_files, shapes_files
from kg.rdf.formats import LINK_SUFFIXES, RDF_TYPES
from kg.rdf.parsing import read_triples
from kg.rdf.terms import Triple
from kg.services import dumps
from kg.services.annotations import annotate
from kg.services.describe import describe, linked_labels
from kg.web.context import settings, store
from kg.web.linking import link, rdf_response
from kg.web.negotiation import choose
from kg.web.ontology_doc import ontology_html
from kg.web.resource_page import RDF_LINKS, listing, resource_page
from kg.web.responses import CSP_INLINE_STYLES, open_read
from kg.web.routes import pages
from kg.web.routes.publishing import dump_url
from kg.web.void import Release, void_triples

WEB = Path(__file__).resolve().parents[1]
blueprint = Blueprint("resources", __name__, template_folder=str(WEB / "templates"), static_folder=str(WEB / "static"),
                      static_url_path="/assets")  # the app's own /static route would shadow /static

SUFFIXES = {**LINK_SUFFIXES, "html": "text/html", "json": "application/ld+json"}  # `.json`: JSON-LD
RDF_MEDIA = RDF_TYPES
PAGE_FIRST = ["text/html", *RDF_MEDIA]  # resources and the ontology: a page unless RDF is asked for
DATA_FIRST = [*RDF_MEDIA, "text/html"]  # shapes and VoID: Turtle unless a browser asks for HTML
FORMAT_ALIASES = {"html": "text/html"}
FIRST = {"void": "void#infosec-law-kg"}  # the node a document's JSON-LD leads with (its path otherwise)


@blueprint.record_once
def _add_cache(state) -> None:
    state.app.extensions["kg.linked_data"] = _Cache()


@blueprint.get("/<any(eli, id):space>/<path:rest>")
def resource(space: str, rest: str) -> Response:
    """The description of `{base}{space}/{rest}`; 404 when the graph has no triple about it."""
    path, media = _split_suffix(f"{space}/{rest}")
    iri = settings().base + path
    description = describe(store(), iri, settings().max_rows)  # an unknown IRI is 404 whatever the Accept
    media = media or _negotiate(PAGE_FIRST)
    if media != "text/html":
        return _linked(_rdf(description.triples, media, iri), path, media)
    labels = linked_labels(store(), iri, settings().max_rows)
    page = resource_page(description, labels, settings().base, request.script_root, _language(), path)
    notes = annotate(store(), iri, page.language)  # sources' locations, editorial notes, uncertain statements
    return _linked(_html(render_template("linked-data/resource.html", page=page, notes=notes,
                                                 base=settings().base)), path, media)


@dataclass(frozen=True)
class Document:
    """A graph served whole at one path: the media types in order of preference, its triples, its HTML page."""

    title: str
    offered: list[str]
    triples: Callable[[], list[Triple]]
    html: Callable[[list[Triple]], str]


def _ontology_triples() -> list[Triple]:
    return _cached("ontology-triples", lambda: _parse(_present([f.path for f in ontology_files(settings())])))


def _ontology_page(_triples) -> str:
    paths = [f.path for f in ontology_files(settings())]
    return _cached("ontology-html", lambda: ontology_html(paths, settings().base + "ontology#"))


def _shapes_triples() -> list[Triple]:
    return _cached("shapes-triples", lambda: _parse(_present(shapes_files(settings()))))


def _present(paths: list) -> list:
    """The files, read from the project folder (`KG_ROOT`) whichever store serves the data."""
    if not paths:
        raise NotFound(f"no Turtle files in {settings().root}: set KG_ROOT to the project folder")
    return paths


def _void_triples() -> list[Triple]:
    version = dumps.version_of(store())
    files = {} if version is None else {media: dump_url(suffix, external=True)
                                        for suffix, media in dumps.FORMATS.items()}
    return void_triples(settings().base, store().graph_sizes(), request.url_root + "sparql",
                        Release(version, dumps.modified(settings()), files))


def _listing_page(name: str) -> Callable[[list[Triple]], str]:
    def page(triples) -> str:
        sections = listing(triples, settings().base, request.script_root)
        formats = [(label, f"{request.script_root}/{name}{suffix}") for label, suffix in RDF_LINKS]
        return render_template("linked-data/graph.html", title=DOCUMENTS[name].title, sections=sections,
                               formats=formats)
    return page


DOCUMENTS = {
    "ontology": Document("Ontology", PAGE_FIRST, _ontology_triples, lambda t: pages.with_site_header(_ontology_page(t))),
    "shapes": Document("SHACL shapes", DATA_FIRST, _shapes_triples, lambda t: pages.shapes_html(t, _language())),
    "void": Document("Dataset description (VoID, DCAT)", DATA_FIRST, _void_triples, _listing_page("void")),
}


@blueprint.get("/<any(ontology, shapes, void):name>")
@blueprint.get(f"/<any(ontology, shapes, void):name>.<any({', '.join(SUFFIXES)}):suffix>")
def document(name: str, suffix: str | None = None) -> Response:
    """`/ontology`, `/shapes`, `/void` (`{base}ontology#Term` lands on the term's anchor in the ontology page)."""
    served = DOCUMENTS[name]
    media = SUFFIXES[suffix] if suffix else _negotiate(served.offered)
    triples = served.triples()
    if media != "text/html":
        return _linked(_rdf(triples, media, settings().base + FIRST.get(name, name)), name, media)
    page = _html(served.html(triples))
    if name == "ontology":  # pyLODE writes its stylesheet inline; scripts stay forbidden
        page.headers["Content-Security-Policy"] = CSP_INLINE_STYLES
    return _linked(page, name, media)


@blueprint.get("/")
def query_page() -> Response:
    """A SPARQL editor with examples and a results table; everything it loads comes from this server.

    `/?query=...` opens the page with that query and runs it, so a query can be shared as a link."""
    return _html(render_template("linked-data/query.html", examples=_cached("examples", _examples),
                                 base=settings().base, root=request.script_root, query=request.args.get("query")))


def _examples() -> list[dict[str, str]]:
    """The example queries, `queries/examples/*.rq`, each headed by a `# title:` line (shown, not sent)."""
    return [{"title": example.header["title"][0], "query": example.text.partition("\n")[2]}
            for example in queries.folder("examples")]


# ---------------------------------------------------------------- helpers

def _split_suffix(path: str) -> tuple[str, str | None]:
    """`eli/.../art_205.ttl` -> (`eli/.../art_205`, `text/turtle`); a path without a known suffix is kept whole."""
    stem, dot, suffix = path.rpartition(".")
    if dot and suffix in SUFFIXES:
        return stem, SUFFIXES[suffix]
    return path, None


def _negotiate(offered: list[str]) -> str:
    return choose(request.headers.get("Accept"), offered, FORMAT_ALIASES, request.args.get("format"))


def _language() -> str:
    """The reader's language for names: `?lang=`, else Accept-Language, else English."""
    asked = request.args.get("lang", "")
    return asked if asked in LANGUAGES else request.accept_languages.best_match(fallback(DEFAULT_LANGUAGE), default=DEFAULT_LANGUAGE)


def _rdf(triples, media: str, first: str | None = None) -> Response:
    """The triples in `media` (JSON-LD compacted, `first` leading: `kg.web.linking.rdf_response`)."""
    return rdf_response(triples, media, first)


def _linked(response: Response, path: str, media: str) -> Response:
    """The Link and Content-Location headers of the document at `/{path}`."""
    return link(response, f"{request.script_root}/{path}", media, request.script_root, dump_url(),
                in_dataset=path != "void")


def _html(page: str) -> Response:
    return open_read(Response(page, mimetype="text/html"))


def _parse(paths) -> list[Triple]:
    return [triple for path in paths for triple in read_triples(path)]


class _Cache:
    """Documents built once per app at their first request (the pyLODE page takes about a second)."""

    def __init__(self) -> None:
        self.items: dict[str, object] = {}
        self.lock = threading.Lock()


def _cached(key: str, build: Callable[[], object]):
    cache: _Cache = current_app.extensions["kg.linked_data"]
    with cache.lock:
        if key not in cache.items:
            cache.items[key] = build()
        return cache.items[key]
