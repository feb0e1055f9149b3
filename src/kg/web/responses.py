"""How every answer of the service is shaped: content negotiation of results, the CORS and `Vary` headers, and the
one error shape (JSON `{"error", "detail"}` for programs, a short page for browsers).

Reads are open to every origin (CORS, https://fetch.spec.whatwg.org/#http-cors-protocol); writes are not. A result
cut at the row limit says so in `X-KG-Truncated: true` and `X-KG-Row-Limit: N` rather than passing for the whole
answer. Unexpected exceptions become a 500 with a generic message; their text is logged, never echoed.
"""

from __future__ import annotations

import html
import logging
from functools import lru_cache

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kg.core.errors import InvalidData, KgError, NotAcceptable, Unauthorized
from kg.rdf import results
from kg.rdf.formats import ALIASES, DATASET_TYPES, RDF_TYPES, TABLE_TYPES
from kg.web.context import settings
from kg.web.negotiation import choose, choose_each

log = logging.getLogger("kg.web")

TRUNCATED, ROW_LIMIT = "X-KG-Truncated", "X-KG-Row-Limit"
RESULT_TYPES = TABLE_TYPES + RDF_TYPES + DATASET_TYPES
READ_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": f"{TRUNCATED}, {ROW_LIMIT}"}
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",  # not Authorization: no cross-origin writes
    "Access-Control-Max-Age": "86400",
}
READ_HEADERS = [("Vary", "Accept"), *READ_CORS.items()]  # an open read: caches keep one copy per Accept
WRITE_HEADERS = [("Vary", "Accept")]
# Every response: scripts only from this server, no inline script, no framing, no MIME sniffing (OWASP secure headers)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
CSP_INLINE_STYLES = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")  # pyLODE's page: one <style>
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "strict-origin-when-cross-origin"}
# Headers an error response must carry (RFC 6750 §3: a 401 names the scheme the client should use).
ERROR_HEADERS = {Unauthorized: {"WWW-Authenticate": 'Bearer realm="infosec-law-kg"'}}


# ---------------------------------------------------------------- headers

def secure(response: Response) -> Response:
    """Add the security headers a route has not set itself (the app runs this after every request)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def open_read(response: Response) -> Response:
    """Mark a response as an open read: `Vary: Accept` and CORS for any origin (a GET needs no preflight)."""
    response.vary.add("Accept")
    response.headers.update(READ_CORS)
    return response


def preflight() -> Response:
    """Answer a CORS preflight for reads: any origin, the headers a query needs, never Authorization."""
    return no_content([("Allow", "GET, POST, OPTIONS"), *PREFLIGHT.items(), *READ_HEADERS])


def no_content(headers: list[tuple[str, str]] | None = None, status: int = 204) -> Response:
    response = Response(status=status, headers=headers)
    del response.headers["Content-Type"]
    return response


# ---------------------------------------------------------------- results

@lru_cache(maxsize=256)
def negotiate(accept: str | None, format_param: str | None) -> dict[type, str]:
    """The media type for each kind of answer (result class -> type), once per distinct Accept and `format`.

    Raises NotAcceptable when the client can take no kind of answer at all. The dict is shared: read it only."""
    media_types = choose_each(accept, results.OFFERED, ALIASES, format_param)
    if not media_types:
        choose(accept, RESULT_TYPES, ALIASES, format_param)  # raises, naming every type on offer
    return media_types


def answer(result, accept: str | None, format_param: str | None, media_types: dict[type, str]) -> Response:
    """A query result in the negotiated format, with the row-limit signal: /sparql and the canned queries."""
    media = media_types.get(type(result)) or choose(accept, results.offered_for(result), ALIASES,
                                                    format_param)  # none this kind of answer can take: 406
    response = text_response(_serialize(result, media), media)
    if getattr(result, "truncated", False):
        response.headers[TRUNCATED] = "true"
        response.headers[ROW_LIMIT] = str(settings().max_rows)
    return response


def text_response(body: bytes, media: str, headers: list[tuple[str, str]] = READ_HEADERS) -> Response:
    return Response(body, headers=headers, content_type=f"{media}; charset=utf-8")


def _serialize(result, media: str) -> bytes:
    """Write a result; a syntax that cannot hold it (RDF 1.2 triple terms in JSON-LD) is a 406, not a 500."""
    try:
        return results.serialize(result, media)
    except (OSError, ValueError) as error:
        raise NotAcceptable(f"this result cannot be written as {media} ({error}); "
                            f"ask for text/turtle or application/n-triples") from None


# ---------------------------------------------------------------- errors

def register_errors(app: Flask) -> None:
    for kind, handler in HANDLERS:
        app.register_error_handler(kind, handler)


def error_response_for(error: Exception) -> Response:
    """The response `register_errors` maps an error to, for a blueprint that adds its own headers to its errors."""
    return next(handler for kind, handler in HANDLERS if isinstance(error, kind))(error)


def error_response(status: int, error: str, detail: str, extra: dict | None = None) -> Response:
    if _wants_html():
        try:  # the site's page: navigation and label search (a template error falls back to the bare page)
            page = render_template("linked-data/error.html", status=status, error=error, detail=detail)
            return Response(page, status=status, mimetype="text/html")
        except Exception:  # noqa: BLE001
            log.exception("the error page could not be rendered")
        page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{status} {html.escape(error)}</title>"
                f"<h1>{status} {html.escape(error)}</h1><p>{html.escape(detail)}</p></html>")
        return Response(page, status=status, mimetype="text/html")
    response = jsonify({"error": error, "detail": detail, **(extra or {})})
    response.status_code = status
    return response


def _tool_error(error: KgError) -> Response:
    extra = {"report": error.report} if isinstance(error, InvalidData) else None
    response = error_response(error.http_status, type(error).__name__, str(error), extra)
    for kind, headers in ERROR_HEADERS.items():
        if isinstance(error, kind):
            response.headers.update(headers)
    if getattr(error, "retry_after", None):  # 429 and 503 of admission control (RFC 9110 §10.2.3)
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _http_error(error: HTTPException) -> Response:
    return error_response(error.code or 500, error.name, error.description or error.name)


def _unexpected(error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, "Internal Server Error", "the server failed; the error has been logged")


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"], default="application/json")
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]


HANDLERS = ((KgError, _tool_error), (HTTPException, _http_error), (Exception, _unexpected))  # most specific first
