"""Bearer tokens for writes (RFC 6750): writes are off unless the operator configured a token.

The token comes from `KG_WRITE_TOKEN` or `write_token` in the `KG_CONFIG` file. Without one every write is refused
(403), so a server started with no configuration is read-only; with one, a write needs `Authorization: Bearer <token>`
(401 otherwise). The comparison takes the same time however much of the token is right.
"""

from __future__ import annotations

import hmac

from flask import request

from kg.core.errors import Forbidden, Unauthorized
from kg.web.context import settings


def require_write_token() -> None:
    """Let the request write, or raise Forbidden (writes disabled) / Unauthorized (token missing or wrong)."""
    expected = settings().write_token
    if not expected:
        raise Forbidden("writes are disabled: set KG_WRITE_TOKEN (or write_token in the KG_CONFIG file)")
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("this write needs the server's write token: send Authorization: Bearer <token>")
