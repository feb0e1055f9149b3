"""Read request bodies safely: every way a body can be malformed is the client's error (4xx), never a 500.

SPARQL bodies are UTF-8 (SPARQL 1.1 Protocol §2.1.3, §2.2.2; the W3C protocol tests `bad_query_non_utf8` and
`bad_update_non_utf8` expect a refusal for UTF-16), a body that cannot be read (a broken chunked encoding, a client
gone) is a 400, and a JSON body nested deeper than the settings allow is refused before `json` recurses into it.
"""

from __future__ import annotations

import json

from flask import Request
from werkzeug.datastructures import MultiDict

from kg.core.errors import InputRefused, ProtocolError, UnsupportedMediaType

UTF8 = {"utf-8", "utf8"}


def raw(request: Request) -> bytes:
    """The body's bytes; 400 when the client's transfer is broken."""
    try:
        return request.get_data()
    except OSError as error:
        raise ProtocolError(f"the request body could not be read ({error or type(error).__name__})") from None


def text(request: Request) -> str:
    """The body as text: UTF-8 only (415 for another charset, 400 for bytes that are not UTF-8)."""
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in UTF8:
        raise UnsupportedMediaType(f"the body's charset is {charset!r}: SPARQL bodies are UTF-8; send "
                                   "charset=utf-8 or no charset")
    try:
        return raw(request).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"the request body is not valid utf-8 text (byte {error.start})") from None


def form(request: Request) -> MultiDict:
    """The form-encoded parameters; 400 when the client's transfer is broken."""
    try:
        return request.form
    except OSError as error:
        raise ProtocolError(f"the request body could not be read ({error or type(error).__name__})") from None


def json_value(request: Request, max_depth: int):
    """The parsed JSON body; 400 for malformed JSON or one nested deeper than `max_depth`."""
    body = text(request)
    if nesting(body) > max_depth:
        raise InputRefused(f"the JSON body nests arrays or objects more than {max_depth} deep (KG_MAX_DEPTH)")
    try:
        return json.loads(body)
    except ValueError as error:
        raise ProtocolError(f"the body is not valid JSON: {error}") from None


def nesting(document: str) -> int:
    """How deep a JSON text nests `[` and `{` (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for char in document:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
