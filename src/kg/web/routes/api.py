"""Canned queries over HTTP (`/api/queries`, `/api/queries/{name}`) and the OpenAPI 3.1 document of the service.

Routes only: the registry (`kg.services.canned`) validates and binds the parameters, the store evaluates, `kg.rdf.results`
writes the result in the format chosen by `kg.web.negotiation`, exactly as `/sparql` does.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, request

from kg.core.errors import InvalidParameter, NotFound, UsageError
from kg.services import canned, forms
from kg.services.canned import CannedQuery
from kg.web import bodies, openapi
from kg.web.context import settings, store
from kg.web.routes import pages
from kg.web.responses import PREFLIGHT, READ_CORS, answer, negotiate

blueprint = Blueprint("api", __name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
WARNING = "X-KG-Warning"  # an IRI parameter that names nothing in the graph (percent-encoded UTF-8)


@blueprint.record_once
def _load_registry(state) -> None:
    """Read the query files once per app, so a test app can be given its own registry."""
    state.app.extensions.setdefault("kg.services.canned", canned.load())


def registry() -> dict[str, CannedQuery]:
    return current_app.extensions["kg.services.canned"]


@blueprint.get("/api/queries")
def list_queries() -> Response:
    return jsonify({"queries": [query.metadata() for query in registry().values()]})


@blueprint.route("/api/queries/<name>", methods=["GET", "POST"])
def run_query(name: str) -> Response:
    query = registry().get(name)
    if query is None:
        raise NotFound(f"there is no canned query {name!r}; GET /api/queries lists them")
    values, format_param = _request_values()
    if request.method == "GET" and pages.wants_page():
        return pages.canned_page(query, values)  # a browser: the query's form, its results fetched by the page
    accept = request.headers.get("Accept")
    media_types = negotiate(accept, format_param)  # 406 before running when no syntax could serve
    result = canned.run(store(), query, values, base=settings().base, max_rows=settings().max_rows)
    response = answer(result, accept, format_param, media_types)
    if unknown := forms.unknown_iris(store(), query, values, settings().base):
        response.headers[WARNING] = quote("names nothing in the graph: " + ", ".join(unknown), safe=" :/<>=,#")
    return response


@blueprint.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document(registry(), server=request.url_root.rstrip("/") or "/"))


@blueprint.after_request
def _cors(response: Response) -> Response:
    """Everything here is a read: any web page may call it (CORS as /sparql), POSTing JSON after a preflight."""
    response.headers.update(READ_CORS)
    response.headers["Access-Control-Expose-Headers"] += f", {WARNING}"
    if request.method == "OPTIONS":
        response.headers.update(PREFLIGHT)
    return response


def _request_values() -> tuple[list[tuple[str, str]], str | None]:
    """The (name, value) pairs of the query string and, for POST, the form or JSON body; and `format`."""
    pairs = list(request.args.items(multi=True))
    if request.method == "POST":
        pairs += _body_values()
    formats = [value for key, value in pairs if key == "format"]
    if len(formats) > 1:
        raise InvalidParameter("parameter 'format' is given more than once")
    return [(key, value) for key, value in pairs if key != "format"], (formats[0] if formats else None)


def _body_values() -> list[tuple[str, str]]:
    if request.mimetype in FORM_TYPES:
        return list(bodies.form(request).items(multi=True))
    if request.mimetype == "application/json":
        body = bodies.json_value(request, settings().max_depth)
        if not isinstance(body, dict):
            raise UsageError("the JSON body must be an object mapping parameter names to values")
        return [(key, _json_value(key, value)) for key, value in body.items() if value is not None]
    if not bodies.raw(request):
        return []
    raise UsageError(f"unsupported request content type {request.mimetype!r}: send "
                     "application/x-www-form-urlencoded, multipart/form-data or application/json")


def _json_value(key: str, value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InvalidParameter(f"parameter {key!r}: expected a single string or integer value, got {type(value).__name__}")
