"""The tool's error types: each knows the CLI exit code and the HTTP status it maps to."""

from __future__ import annotations

from dataclasses import dataclass


class KgError(Exception):
    """Base of every error the tool reports to a person instead of a traceback."""

    exit_code = 2
    http_status = 400


class UsageError(KgError):
    """The command line or request asked for something that cannot be done."""


class InvalidParameter(UsageError):
    """A canned-query parameter is unknown, missing, repeated or not of its type; the message names it."""


@dataclass
class ParseError(KgError):
    """An RDF file does not parse; carries the place and the offending token so an editor can fix it."""

    path: str
    line: int
    column: int
    token: str
    reason: str

    def __str__(self) -> str:
        near = f" near {self.token!r}" if self.token else ""
        return f"{self.path}:{self.line}:{self.column}: {self.reason}{near}"


class InputRefused(UsageError):
    """Input refused before any engine or parser saw it: past a limit (nesting depth), or not provably safe."""


class ProtocolError(UsageError):
    """A request breaks the SPARQL 1.1 Protocol or Graph Store Protocol (missing or repeated parameters, wrong content type)."""


class UnsupportedMediaType(ProtocolError):
    """A request body in a syntax the endpoint does not read (Graph Store Protocol bodies: RDF syntaxes only)."""

    http_status = 415


class QuerySyntaxError(KgError):
    """A SPARQL query or update does not parse; the message carries the parser's line and column."""


class NotFound(KgError):
    http_status = 404


class URITooLong(KgError):
    """A request target longer than the service reads (a long query belongs in a POST body)."""

    http_status = 414


class NotAcceptable(KgError):
    """None of the media types the client accepts can be produced."""

    http_status = 406


class Unauthorized(KgError):
    """A write without a valid bearer token."""

    http_status = 401


class Forbidden(KgError):
    """Writes are disabled (no token configured), or an outbound request is not on the operator's allow-list."""

    http_status = 403


class InvalidData(KgError):
    """A write would leave the graph with SHACL Violations; nothing was changed."""

    http_status = 422
    exit_code = 1

    def __init__(self, message: str, report: dict | None = None) -> None:
        super().__init__(message)
        self.report = report or {}


class QueryTimeout(KgError):
    """A query ran past the time limit and was stopped."""

    http_status = 503


class WriteTimeout(KgError):
    """Validating a write ran past KG_WRITE_TIMEOUT and was stopped; nothing was written."""

    http_status = 503


class BackendError(KgError):
    """The remote SPARQL server failed or could not be reached."""

    http_status = 502


class TooManyRequests(KgError):
    """A client past its share (concurrent costly requests, query time per window, wrong tokens): 429 with
    `Retry-After` (RFC 6585 §4), the number of seconds after which the same request would be admitted."""

    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Overloaded(TooManyRequests):
    """Every slot for costly requests is taken (by all clients together): 503 with `Retry-After` (RFC 9110 §15.6.4);
    the capacity kept for pages and canned queries is not lent out."""

    http_status = 503
