"""`/sparql`: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/); a bare GET returns the Service
Description (https://www.w3.org/TR/sparql11-service-description/).

Reads are open to every origin (CORS); updates are not, and need the write token. A result cut at the row limit
says so in the `X-KG-Truncated: true` and `X-KG-Row-Limit: N` headers rather than passing for the whole answer.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from kg import results
from kg.errors import NotAcceptable
from kg.web import service_description
from kg.web.context import settings, store
from kg.web.negotiation import choose
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


@blueprint.route("/sparql", methods=["GET", "POST"], provide_automatic_options=False)
def endpoint() -> Response:
    operation = read_operation(request)
    g.sparql_update = operation.kind == UPDATE
    return HANDLERS[operation.kind](operation)


@blueprint.route("/sparql", methods=["OPTIONS"])
def preflight() -> Response:
    """Answer a CORS preflight: reads may come from any origin, with the headers a query needs."""
    return _no_content({"Allow": "GET, POST, OPTIONS", **PREFLIGHT})


@blueprint.after_request
def protocol_headers(response: Response) -> Response:
    response.vary.add("Accept")
    if not g.get("sparql_update"):
        response.headers.update(CORS)
    return response


def run_query(operation: Operation) -> Response:
    """Evaluate a query in the store and write the result in the negotiated format."""
    accept = request.headers.get("Accept")
    choose(accept, RESULT_TYPES, results.ALIASES, operation.format)  # 406 before running when no syntax could serve
    check_outbound(operation.text)
    result = store().query(operation.text, dataset=operation.dataset, max_rows=settings().max_rows)
    media = choose(accept, results.offered_for(result), results.ALIASES, operation.format)
    response = _text_response(_serialize(result, media), media)
    if getattr(result, "truncated", False):
        response.headers[TRUNCATED] = "true"
        response.headers[ROW_LIMIT] = str(settings().max_rows)
    return response


def run_update(operation: Operation) -> Response:
    """Apply an update after the token check; kg.writes validates it against the shapes and commits atomically."""
    from kg.web.auth import require_write_token
    from kg.writes import apply_update

    require_write_token()
    check_outbound(operation.text)
    apply_update(settings(), store(), operation.text)
    return _no_content()


def describe_service(operation: Operation) -> Response:
    media = choose(request.headers.get("Accept"), service_description.DESCRIPTION_TYPES, results.ALIASES,
                   operation.format)
    triples = service_description.describe(request.base_url, settings(), store().graph_sizes(), RESULT_TYPES)
    return _text_response(results.serialize_triples(triples, media, service_description.PREFIXES), media)


def check_outbound(text: str) -> None:
    """Refuse SERVICE / LOAD to hosts the operator has not allow-listed, before the engine can reach them."""
    from kg.outbound import check_outbound as check

    check(text, settings().service_allowlist)


def _serialize(result, media: str) -> bytes:
    """Write a result; a syntax that cannot hold it (RDF 1.2 triple terms in JSON-LD) is a 406, not a 500."""
    try:
        return results.serialize(result, media)
    except (OSError, ValueError) as error:
        raise NotAcceptable(f"this result cannot be written as {media} ({error}); "
                            f"ask for text/turtle or application/n-triples") from None


def _text_response(body: bytes, media: str) -> Response:
    return Response(body, content_type=f"{media}; charset=utf-8")


def _no_content(headers: dict | None = None) -> Response:
    response = Response(status=204, headers=headers)
    del response.headers["Content-Type"]
    return response


HANDLERS = {QUERY: run_query, UPDATE: run_update, DESCRIPTION: describe_service}
