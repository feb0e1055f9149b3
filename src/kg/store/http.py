"""How the remote store talks HTTP: one opener whose redirects stay on the server's origin, and the translation of
what can go wrong on the wire into the tool's errors (400 for the server's syntax errors, 503 for a time-out, 502
for the rest)."""

from __future__ import annotations

import logging
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, build_opener

from kg.core.errors import BackendError, KgError, QuerySyntaxError, QueryTimeout

log = logging.getLogger("kg.store.remote")


class SameOrigin(HTTPRedirectHandler):
    """Follow a redirect only to the origin it came from: the server may not send this service anywhere else
    (an open redirect on the backend would otherwise be an outbound request the operator never allowed)."""

    def redirect_request(self, request, fp, code, message, headers, new_url):
        if _origin(new_url) != _origin(request.full_url):
            raise HTTPError(request.full_url, code, f"redirect to another origin refused: {new_url}", headers, fp)
        return super().redirect_request(request, fp, code, message, headers, new_url)


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.hostname, parts.port


open_url = build_opener(SameOrigin).open  # every request of this module: redirects stay on the server's origin


class ServerErrors:
    """Turn what can go wrong talking to the server into the tool's errors; `missing` makes a 404 an answer."""

    def __init__(self, syntax: str | None, timeout: float, missing: bool = False) -> None:
        self.syntax, self.timeout, self.allow_missing, self.missing = syntax, timeout, missing, False

    def __enter__(self) -> "ServerErrors":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or isinstance(error, KgError):
            return False
        if isinstance(error, HTTPError) and error.code == 404 and self.allow_missing:
            self.missing = True
            return True
        translated = _translate(error, self.syntax, self.timeout)
        if translated is None:
            return False
        raise translated from None


def _translate(error: BaseException, syntax: str | None, timeout: float) -> KgError | None:
    if isinstance(error, HTTPError):
        text = _body(error)
        if error.code == 400 and syntax:
            return QuerySyntaxError(f"{syntax}: {text}")
        log.warning("SPARQL server %s answered HTTP %s: %s", urlsplit(error.url or "").netloc, error.code, text)
        return BackendError(f"the SPARQL server answered HTTP {error.code} {error.reason}")
    if isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError):
        return QueryTimeout(f"the SPARQL server did not answer within {timeout:g} s")
    if isinstance(error, OSError):  # URLError, refused or reset connections
        return BackendError(f"cannot reach the SPARQL server: {getattr(error, 'reason', None) or error}")
    if isinstance(error, (SyntaxError, ValueError)):  # an answer pyoxigraph cannot parse
        return BackendError(f"the SPARQL server sent an answer that does not parse: {error}")
    return None


def _body(error: HTTPError, limit: int = 2000) -> str:
    try:
        return error.read(limit).decode("utf-8", errors="replace").strip()
    except OSError:
        return ""
