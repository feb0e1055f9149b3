"""`/sparql`: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/); a bare GET returns the Service
Description (https://www.w3.org/TR/sparql11-service-description/).

Reads are open to every origin (CORS); updates are not, and need the write token. A result cut at the row limit
says so in the `X-KG-Truncated: true` and `X-KG-Row-Limit: N` headers rather than passing for the whole answer.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Request, Response, g, request

from kg import outbound, results
from kg.errors import NotAcceptable
from kg.web import errors, service_description
from kg.web.context import settings, store
from kg.web.negotiation import choose, choose_each
from kg.web.protocol import DESCRIPTION, QUERY, UPDATE, Operation, read_operation

blueprint = Blueprint("sparql", __name__)

TRUNCATED, ROW_LIMIT = "X-KG-Truncated", "X-KG-Row-Limit"
RESULT_TYPES = list(results.TABLE_TYPES) + list(results.RDF_TYPES) + list(results.DATASET_TYPES)
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": f"{TRUNCATED}, {ROW_LIMIT}"}
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",  # not Authorization: no cross-origin updates
    "Access-Control-Max-Age": "86400",
}
# every answer of /sparql, errors included, carries one of these lists: Vary for caches, CORS for reads only
READ_HEADERS = [("Vary", "Accept"), *CORS.items()]
UPDATE_HEADERS = [("Vary", "Accept")]


@blueprint.route("/sparql", methods=["GET", "POST"], provide_automatic_options=False)
def endpoint() -> Response:
    current = request._get_current_object()  # the request itself: one proxy lookup, not one per attribute
    operation = read_operation(current)
    return HANDLERS[operation.kind](operation, current)


@blueprint.route("/sparql", methods=["OPTIONS"])
def preflight() -> Response:
    """Answer a CORS preflight: reads may come from any origin, with the headers a query needs."""
    return _no_content([("Allow", "GET, POST, OPTIONS"), *PREFLIGHT.items(), *READ_HEADERS])


@blueprint.errorhandler(Exception)
def protocol_error(error: Exception) -> Response:
    """An error as the app maps it (kg.web.errors), with the protocol headers: a script can read a read's error."""
    response = errors.response_for(error)
    response.headers.extend(UPDATE_HEADERS if g.get("sparql_update") else READ_HEADERS)
    return response


def run_query(operation: Operation, current: Request) -> Response:
    """Evaluate a query in the store and write the result in the negotiated format."""
    accept, config = current.headers.get("Accept"), settings()
    media_types = negotiate(accept, operation.format)  # before running: 406 when no syntax could serve
    outbound.check_outbound(operation.text, config.service_allowlist)
    result = store().query(operation.text, dataset=operation.dataset, max_rows=config.max_rows)
    return answer(result, accept, operation.format, media_types)


def answer(result, accept: str | None, format_param: str | None, media_types: dict[type, str]) -> Response:
    """A query result in the negotiated format, with the row-limit signal: shared by /sparql and the canned queries."""
    media = media_types.get(type(result)) or choose(accept, results.offered_for(result), results.ALIASES,
                                                    format_param)  # none this kind of answer can take: 406
    response = _text_response(_serialize(result, media), media)
    if getattr(result, "truncated", False):
        response.headers[TRUNCATED] = "true"
        response.headers[ROW_LIMIT] = str(settings().max_rows)
    return response


@lru_cache(maxsize=256)
def negotiate(accept: str | None, format_param: str | None) -> dict[type, str]:
    """The media type for each kind of answer (result class -> type), once per distinct Accept and `format`.

    Raises NotAcceptable when the client can take no kind of answer at all. The dict is shared: read it only."""
    media_types = choose_each(accept, results.OFFERED, results.ALIASES, format_param)
    if not media_types:
        choose(accept, RESULT_TYPES, results.ALIASES, format_param)  # raises, naming every type on offer
    return media_types


def run_update(operation: Operation, current: Request) -> Response:
    """Apply an update after the token check; kg.writes validates it against the shapes and commits atomically."""
    from kg.web.auth import require_write_token
    from kg.writes import apply_update

    g.sparql_update = True  # its answer, even an error, gets no CORS headers
    require_write_token()
    outbound.check_outbound(operation.text, settings().service_allowlist)
    apply_update(settings(), store(), operation.text)
    return _no_content(UPDATE_HEADERS)


def describe_service(operation: Operation, current: Request) -> Response:
    media = choose(current.headers.get("Accept"), service_description.DESCRIPTION_TYPES, results.ALIASES,
                   operation.format)
    triples = service_description.describe(current.base_url, settings(), store().graph_sizes(), RESULT_TYPES)
    return _text_response(results.serialize_triples(triples, media, service_description.PREFIXES), media)


def _serialize(result, media: str) -> bytes:
    """Write a result; a syntax that cannot hold it (RDF 1.2 triple terms in JSON-LD) is a 406, not a 500."""
    try:
        return results.serialize(result, media)
    except (OSError, ValueError) as error:
        raise NotAcceptable(f"this result cannot be written as {media} ({error}); "
                            f"ask for text/turtle or application/n-triples") from None


def _text_response(body: bytes, media: str) -> Response:
    return Response(body, headers=READ_HEADERS, content_type=f"{media}; charset=utf-8")


def _no_content(headers: list[tuple[str, str]]) -> Response:
    response = Response(status=204, headers=headers)
    del response.headers["Content-Type"]
    return response


HANDLERS = {QUERY: run_query, UPDATE: run_update, DESCRIPTION: describe_service}
