"""Map the tool's errors to HTTP once: JSON `{"error", "detail"}` for programs, a short page for browsers.

Unexpected exceptions become a 500 with a generic message; their text is logged, never echoed to the client."""

from __future__ import annotations

import html
import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kg.errors import InvalidData, KgError, Unauthorized

log = logging.getLogger("kg.web")

# Headers an error response must carry (RFC 6750 §3: a 401 names the scheme the client should use).
HEADERS = {Unauthorized: {"WWW-Authenticate": 'Bearer realm="infosec-law-kg"'}}


def register(app: Flask) -> None:
    for kind, handler in HANDLERS:
        app.register_error_handler(kind, handler)


def response_for(error: Exception) -> Response:
    """The response `register` maps an error to, for a blueprint that adds its own headers to its errors."""
    return next(handler for kind, handler in HANDLERS if isinstance(error, kind))(error)


def error_response(status: int, error: str, detail: str, extra: dict | None = None) -> Response:
    if _wants_html():
        page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{status} {html.escape(error)}</title>"
                f"<h1>{status} {html.escape(error)}</h1><p>{html.escape(detail)}</p></html>")
        return Response(page, status=status, mimetype="text/html")
    response = jsonify({"error": error, "detail": detail, **(extra or {})})
    response.status_code = status
    return response


def _tool_error(error: KgError) -> Response:
    extra = {"report": error.report} if isinstance(error, InvalidData) else None
    response = error_response(error.http_status, type(error).__name__, str(error), extra)
    for kind, headers in HEADERS.items():
        if isinstance(error, kind):
            response.headers.update(headers)
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
