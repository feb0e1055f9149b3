"""Pages for people: the query page (YASGUI, vendored under `static/vendor/`), its configuration as JSON, a form
per canned query, and Swagger UI over `/openapi.json`. Everything they load comes from this server, and no page
has an inline script: the scripts read their settings from `data-` attributes or from `/query-config.json`."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from kg import queries
from kg.rdf.namespaces import PREFIXES
from kg.services import forms
from kg.services.canned import TYPES, CannedQuery
from kg.web.chart import charts
from kg.web.context import settings, store
from kg.web.i18n import interface_language
from kg.web.resource_page import RDF_LINKS
from kg.web.responses import open_read
from kg.web.shapes_page import shape_rows

blueprint = Blueprint("pages", __name__)


@blueprint.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals["charts"] = charts  # a data set's page draws its chart (linked-data/chart.html)
# the types a query page's download links offer, by the kind of query (format= names of kg.rdf.formats.ALIASES)
DOWNLOADS = {"table": ["csv", "tsv", "json", "xml"], "graph": ["turtle", "nt", "jsonld", "rdfxml"]}
PAGE_TYPES = ["application/json", "application/sparql-results+json", "text/turtle"]  # what a page competes with


def wants_page(others: list[str] = PAGE_TYPES) -> bool:
    """A browser's request: HTML preferred over every other type on offer, not a `*/*` that takes anything alike
    (curl, scripts) and not a `format=` asking for data."""
    accept = request.accept_mimetypes
    return "format" not in request.args and accept["text/html"] > max(accept[media] for media in others)


@blueprint.get("/query-config.json")
def query_config() -> Response:
    """The query page's settings: endpoint, prefixes (also YASQE's prefix completion), examples, canned queries."""
    root = request.script_root
    examples = [{"title": e.header["title"][0], "query": e.text.partition("\n")[2]} for e in queries.folder("examples")]
    return open_read(jsonify({
        "endpoint": f"{root}/sparql", "root": root, "base": settings().base, "canned": f"{root}/api/queries",
        "prefixes": PREFIXES, "prefixesUrl": f"{root}/query-config/prefixes.json", "examples": examples,
        "downloads": DOWNLOADS}))


@blueprint.get("/query-config/prefixes.json")
def prefixes() -> Response:
    """The project's prefixes in prefix.cc's shape, so YASQE completes them without asking prefix.cc."""
    return open_read(jsonify(PREFIXES))


def query_ui() -> Response:
    """The query page (`/`, and `/sparql` for a browser): YASGUI, set up by static/query.js."""
    return open_read(Response(render_template("linked-data/query.html", root=request.script_root),
                              mimetype="text/html"))


def canned_page(query: CannedQuery, values: list[tuple[str, str]]) -> Response:
    """A canned query as a form (IRI parameters as pickers of the right kind of resource, a language select, year and
    date inputs); with parameters in the URL its results are fetched and shown by static/canned.js."""
    language = interface_language()
    given = dict(values)
    options = forms.choices(store(), query, settings().base, language)
    fields = [{"name": p.name, "type": p.type, "required": p.required, "default": p.default or "",
               "description": p.description, "expected": TYPES[p.type].expected,
               "value": given.get(p.name, "") or ("" if p.type != "language" else p.default or language),
               "choices": options.get(p.name, [])} for p in query.parameters]
    title = query.titles.get(language) or query.titles.get("en") or query.name
    page = render_template("linked-data/canned.html", query=query, title=title, fields=fields, root=request.script_root,
                           run=bool(values), sparql=query.text, base=settings().base)
    return open_read(Response(page, mimetype="text/html"))


@blueprint.get("/api/docs")
def api_docs() -> Response:
    """Swagger UI over `/openapi.json` (static/vendor/swagger-ui, started by static/api-docs.js)."""
    return open_read(Response(render_template("linked-data/api-docs.html", root=request.script_root),
                              mimetype="text/html"))


def shapes_html(triples, language: str) -> str:
    """`/shapes` for people: a table of constraints (kg.web.shapes_page), the RDF formats beside it."""
    formats = [(label, f"{request.script_root}/shapes{suffix}") for label, suffix in RDF_LINKS]
    return render_template("linked-data/shapes.html", rows=shape_rows(triples, language), formats=formats)


def with_site_header(page: str) -> str:
    """pyLODE's ontology page with the site's header (navigation, label search, languages) and its stylesheet."""
    header = render_template("linked-data/header.html")
    style = f'<link rel="stylesheet" href="{request.script_root}/assets/kg.css">'
    page = page.replace("</head>", style + "</head>", 1)
    body = page.find("<body")
    end = page.find(">", body) + 1 if body >= 0 else -1
    return page[:end] + header + page[end:] if end > 0 else page
