"""`/sparql`: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/); a bare GET returns the Service
Description (https://www.w3.org/TR/sparql11-service-description/).

Reads are open to every origin (CORS); updates are not, and need the write token. Every query and update reaches
the engine through the store, whose guard decides what may (`kg.store.guard`).
"""

from __future__ import annotations

from flask import Blueprint, Request, Response, g, request

from kg.rdf import results
from kg.rdf.formats import ALIASES
from kg.web import service_description
from kg.web.auth import require_write_token
from kg.web.context import settings, store
from kg.web.negotiation import choose
from kg.web.protocol import DESCRIPTION, QUERY, UPDATE, Operation, read_operation
from kg.web.routes import pages
from kg.web.responses import (READ_HEADERS, RESULT_TYPES, WRITE_HEADERS, answer, error_response_for, negotiate,
                              no_content, preflight, text_response)

blueprint = Blueprint("sparql", __name__)


@blueprint.route("/sparql", methods=["GET", "POST"], provide_automatic_options=False)
def endpoint() -> Response:
    current = request._get_current_object()  # the request itself: one proxy lookup, not one per attribute
    operation = read_operation(current)
    return HANDLERS[operation.kind](operation, current)


@blueprint.route("/sparql", methods=["OPTIONS"])
def cors_preflight() -> Response:
    return preflight()


@blueprint.errorhandler(Exception)
def protocol_error(error: Exception) -> Response:
    """An error as the app maps it, with the protocol headers: a script can read a read's error."""
    response = error_response_for(error)
    response.headers.extend(WRITE_HEADERS if g.get("sparql_update") else READ_HEADERS)
    return response


def run_query(operation: Operation, current: Request) -> Response:
    """Evaluate a query in the store and write the result in the negotiated format."""
    accept, config = current.headers.get("Accept"), settings()
    media_types = negotiate(accept, operation.format)  # before running: 406 when no syntax could serve
    result = store().query(operation.text, dataset=operation.dataset, max_rows=config.max_rows)
    return answer(result, accept, operation.format, media_types)


def run_update(operation: Operation, current: Request) -> Response:
    """Apply an update after the token check; kg.services.writes validates it and commits atomically."""
    from kg.services.writes import apply_update  # pySHACL loads only when a write comes: read-only workers start fast

    g.sparql_update = True  # its answer, even an error, gets no CORS headers
    require_write_token()
    apply_update(settings(), store(), operation.text, operation.dataset)
    return no_content(WRITE_HEADERS)


def describe_service(operation: Operation, current: Request) -> Response:
    if operation.format is None and pages.wants_page(service_description.DESCRIPTION_TYPES):
        return pages.query_ui()  # a browser gets the query page; `*/*` (curl) and RDF types the description
    media = choose(current.headers.get("Accept"), service_description.DESCRIPTION_TYPES, ALIASES, operation.format)
    triples = service_description.describe(current.base_url, settings(), store().graph_sizes(), RESULT_TYPES)
    return text_response(results.serialize_triples(triples, media, service_description.PREFIXES), media)


HANDLERS = {QUERY: run_query, UPDATE: run_update, DESCRIPTION: describe_service}
