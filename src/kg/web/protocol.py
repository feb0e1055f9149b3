"""Read a request to `/sparql` as the SPARQL 1.1 Protocol defines it: https://www.w3.org/TR/sparql11-protocol/

The Protocol's rules live here, apart from the routes: where the parameters are for each method and content type
(§2.1.1-2.1.3, §2.2.1-2.2.2), how they name the RDF dataset (§2.1.4), and which requests are faults (400, §2.1.7).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request
from werkzeug.datastructures import MultiDict

from kg.core.errors import ProtocolError
from kg.rdf.terms import iri
from kg.store.base import Dataset
from kg.web import bodies

QUERY, UPDATE, DESCRIPTION = "query", "update", "description"
SPEC = "https://www.w3.org/TR/sparql11-protocol/"

FORM = "application/x-www-form-urlencoded"
DIRECT = {"application/sparql-query": QUERY, "application/sparql-update": UPDATE}  # §2.1.3, §2.2.2: body = text
READ_METHODS = {"GET", "HEAD"}
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")  # §2.1.4
UPDATE_DATASET_PARAMETERS = ("using-graph-uri", "using-named-graph-uri")  # §2.2.3


NO_DATASET = Dataset()


@dataclass(frozen=True)
class Operation:
    """What a request asks for: a query, an update, or (a bare GET) the service description."""

    kind: str
    text: str = ""
    dataset: Dataset = Dataset()
    format: str | None = None


def read_operation(request: Request) -> Operation:
    """The operation a request carries; raises ProtocolError for every fault the Protocol names."""
    return _plain_query(request) or _any_operation(request)


def _plain_query(request: Request) -> Operation | None:
    """The commonest request, a GET whose only parameter is one non-empty `query`, in few steps; else None."""
    if request.method != "GET":
        return None
    params = request.args
    texts = params.getlist(QUERY) if len(params) == 1 else ()
    if len(texts) != 1 or not texts[0].strip():
        return None  # the general path names the fault
    return Operation(QUERY, texts[0])


def _any_operation(request: Request) -> Operation:
    params, direct = _sources(request)
    present = [kind for kind in (QUERY, UPDATE) if kind in params]
    fmt = _first(params, "format") or _first(request.args, "format")
    if direct:
        if present:
            raise ProtocolError(f"a direct POST carries its {direct[0]} in the body; remove the {present[0]} "
                                f"parameter from the URL ({SPEC}#query-via-post-direct)")
        return _operation(direct[0], direct[1], params, fmt)
    if len(present) > 1:
        raise ProtocolError(f"a request carries either a query or an update, not both ({SPEC}#query-operation)")
    if not present:
        return _without_text(request, params, fmt)
    kind = present[0]
    values = params.getlist(kind)
    if len(values) > 1:
        raise ProtocolError(f"exactly one {kind} parameter is allowed; this request has {len(values)} "
                            f"({SPEC}#{kind}-operation)")
    if kind == UPDATE and request.method in READ_METHODS:
        raise ProtocolError(f"an update must be sent with POST, never GET ({SPEC}#update-operation)")
    return _operation(kind, values[0], params, fmt)


def _sources(request: Request) -> tuple[MultiDict, tuple[str, str] | None]:
    """The protocol parameters and, for a direct POST, (kind, body text): GET -> URL; form POST -> body."""
    if request.method in READ_METHODS:
        return request.args, None
    if request.mimetype == FORM:
        return bodies.form(request), None
    if request.mimetype in DIRECT:
        return request.args, (DIRECT[request.mimetype], bodies.text(request))
    raise ProtocolError(
        f"unsupported request content type {request.mimetype or '(none)'!r}: POST a query as {FORM} or "
        f"application/sparql-query, an update as {FORM} or application/sparql-update ({SPEC}#query-operation)")


def _without_text(request: Request, params: MultiDict, fmt: str | None) -> Operation:
    """A bare GET asks for the service description; anything else lacks its query."""
    if request.method in READ_METHODS and not any(name in params for name in DATASET_PARAMETERS):
        return Operation(DESCRIPTION, format=fmt)
    where = "in the request body" if request.method == "POST" else "as a URL parameter"
    raise ProtocolError(f"missing query: send query=... {where}, or POST the query as application/sparql-query "
                        f"({SPEC}#query-operation)")


def _operation(kind: str, text: str, params: MultiDict, fmt: str | None) -> Operation:
    if not text.strip():
        raise ProtocolError(f"missing {kind}: the {kind} text is empty ({SPEC}#{kind}-operation)")
    names = DATASET_PARAMETERS if kind == QUERY else UPDATE_DATASET_PARAMETERS
    return Operation(kind, text, _dataset(params, names), fmt)


def _dataset(params: MultiDict, names: tuple[str, str]) -> Dataset:
    """§2.1.4 (`default-graph-uri`, `named-graph-uri`: it replaces a query's FROM / FROM NAMED) and §2.2.3
    (`using-graph-uri`, `using-named-graph-uri`: the USING / USING NAMED of each operation of an update)."""
    default, named = (tuple(params.getlist(name)) for name in names)
    if not default and not named:
        return NO_DATASET
    for name, value in [*((names[0], i) for i in default), *((names[1], i) for i in named)]:
        iri(value, name, ProtocolError)
    return Dataset(default, named)


def _first(params: MultiDict, name: str) -> str | None:
    """A parameter's first value; `MultiDict.get` would raise and catch a BadRequestKeyError when it is absent."""
    values = params.getlist(name)
    return values[0] if values else None
