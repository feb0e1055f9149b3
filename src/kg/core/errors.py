"""The tool's error types: each knows the CLI exit code and the HTTP status it maps to."""

from __future__ import annotations

from dataclasses import dataclass


class KgError(Exception):
    """Base of every error the tool reports to a person instead of a traceback. A subclass names its HTTP status and
    exit code in its header (`class NotFound(KgError, status=404)`); it inherits those it does not name."""

    exit_code = 2
    http_status = 400

    def __init_subclass__(cls, status: int | None = None, exit_code: int | None = None, **options) -> None:
        super().__init_subclass__(**options)
        if status is not None:
            cls.http_status = status
        if exit_code is not None:
            cls.exit_code = exit_code


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


class UnsupportedMediaType(ProtocolError, status=415):
    """A request body in a syntax the endpoint does not read (Graph Store Protocol bodies: RDF syntaxes only)."""


class QuerySyntaxError(KgError):
    """A SPARQL query or update does not parse; the message carries the parser's line and column."""


class NotFound(KgError, status=404):
    """Nothing in the graph (or the service) answers to this."""


class URITooLong(KgError, status=414):
    """A request target longer than the service reads (a long query belongs in a POST body)."""


class NotAcceptable(KgError, status=406):
    """None of the media types the client accepts can be produced."""


class Unauthorized(KgError, status=401):
    """A write without a valid bearer token."""


class Forbidden(KgError, status=403):
    """Writes are disabled (no token configured), or an outbound request is not on the operator's allow-list."""


class InvalidData(KgError, status=422, exit_code=1):
    """A write would leave the graph with SHACL Violations; nothing was changed."""

    def __init__(self, message: str, report: dict | None = None) -> None:
        super().__init__(message)
        self.report = report or {}


class QueryTimeout(KgError, status=503):
    """A query ran past the time limit and was stopped."""


class WriteTimeout(KgError, status=503):
    """Validating a write ran past KG_WRITE_TIMEOUT and was stopped; nothing was written."""


class BackendError(KgError, status=502):
    """The remote SPARQL server failed or could not be reached."""


class TooManyRequests(KgError, status=429):
    """A client past its share (concurrent costly requests, query time per window, wrong tokens): 429 with
    `Retry-After` (RFC 6585 §4), the number of seconds after which the same request would be admitted."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Overloaded(TooManyRequests, status=503):
    """Every slot for costly requests is taken (by all clients together): 503 with `Retry-After` (RFC 9110 §15.6.4);
    the capacity kept for pages and canned queries is not lent out."""
