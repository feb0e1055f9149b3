"""How the remote store talks HTTP: openers whose redirects stay on the server's origin and which answer a login
challenge (RFC 7617 Basic, RFC 7616 Digest) on the configured origins only, and the translation of what can go wrong
on the wire into the tool's errors (400 for the server's syntax errors, 503 for a time-out, 502 for the rest)."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from collections.abc import Callable, Iterable
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import (HTTPBasicAuthHandler, HTTPDigestAuthHandler, HTTPPasswordMgrWithDefaultRealm,
                            HTTPRedirectHandler, build_opener)

from kg.core.errors import BackendError, KgError, QuerySyntaxError, QueryTimeout
from kg.store.keepalive import KeepAlive

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
open_kept = build_opener(SameOrigin, KeepAlive).open  # the same, on kept connections: for queries only
LOGIN_SETTINGS = "KG_REMOTE_USER with KG_REMOTE_PASSWORD_FILE or KG_REMOTE_PASSWORD"


class _OneAnswer:
    """Answer a 401 challenge once, and only in a scheme this handler speaks: a 401 to the credentials, or a scheme
    neither handler speaks, is the server's answer (urllib's handlers would retry or raise ValueError)."""

    def http_error_401(self, request, fp, code, message, headers):
        if request.get_header("Authorization"):
            return None
        try:
            answer = super().http_error_401(request, fp, code, message, headers)
        except ValueError:
            return None
        except BaseException:  # the logged-in request failed: the challenge's response is done with
            fp.close()
            raise
        if answer is not None:
            fp.close()
        return answer


class _Basic(_OneAnswer, HTTPBasicAuthHandler):
    pass


class _Digest(_OneAnswer, HTTPDigestAuthHandler):
    HASHES = {"MD5": hashlib.md5, "SHA": hashlib.sha1, "SHA-256": hashlib.sha256}

    def get_algorithm_impls(self, algorithm):
        """urllib's, over UTF-8 (RFC 7616 §4; urllib's ASCII fails on any other password), and SHA-256 too."""
        if algorithm not in self.HASHES:
            raise ValueError(f"digest algorithm {algorithm} is not supported")
        digest = self.HASHES[algorithm]

        def hash_of(text: str) -> str:
            return digest(text.encode("utf-8")).hexdigest()
        return hash_of, lambda secret, data: hash_of(f"{secret}:{data}")


def opener_for(credentials: tuple[str, str] | None, urls: Iterable[str], keep_alive: bool = False) -> Callable:
    """`open_url`, or one that logs in on the origins of `urls` (scheme, host, port) when a server asks, never before
    (no password to a server that did not ask) and never on another origin (with `SameOrigin`, no redirect leads
    there). A fresh opener per request: urllib's Digest handler counts nonces in its own, unsynchronised state.
    `keep_alive` keeps connections open between requests (`kg.store.keepalive`): for queries only, which are safe
    to send again when the server closed an idle connection."""
    if credentials is None:
        return open_kept if keep_alive else open_url
    passwords = HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, sorted({_origin_url(url) for url in urls}), *credentials)
    connections = (KeepAlive,) if keep_alive else ()

    def open_logged_in(request, timeout: float):
        return build_opener(SameOrigin, _Basic(passwords), _Digest(passwords), *connections).open(request,
                                                                                                  timeout=timeout)
    return open_logged_in


def _origin_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/"


def readable_on_the_wire(urls: Iterable[str]) -> list[str]:
    """The hosts of plain-http URLs that are not loopback: a Basic login to them can be read on the way."""
    hosts = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme.lower() == "http" and not _loopback(parts.hostname or ""):
            hosts.append(parts.hostname)
    return sorted(set(hosts))


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


class ServerErrors:
    """Turn what can go wrong talking to the server into the tool's errors; `missing` makes a 404 an answer."""

    def __init__(self, syntax: str | None, timeout: float, missing: bool = False, user: str | None = None) -> None:
        self.syntax, self.timeout, self.allow_missing, self.missing = syntax, timeout, missing, False
        self.user = user

    def __enter__(self) -> "ServerErrors":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or isinstance(error, KgError):
            return False
        if isinstance(error, HTTPError) and error.code == 404 and self.allow_missing:
            self.missing = True
            return True
        translated = _translate(error, self.syntax, self.timeout, self.user)
        if translated is None:
            return False
        raise translated from None


def _translate(error: BaseException, syntax: str | None, timeout: float, user: str | None = None) -> KgError | None:
    if isinstance(error, HTTPError):
        text = _body(error)
        if error.code == 400 and syntax:
            return QuerySyntaxError(f"{syntax}: {text}")
        log.warning("SPARQL server %s answered HTTP %s: %s", urlsplit(error.url or "").netloc, error.code, text)
        return BackendError(_refusal(error.code, user) or f"the SPARQL server answered HTTP {error.code} {error.reason}")
    if isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError):
        return QueryTimeout(f"the SPARQL server did not answer within {timeout:g} s")
    if isinstance(error, OSError):  # URLError, refused or reset connections
        return BackendError(f"cannot reach the SPARQL server: {getattr(error, 'reason', None) or error}")
    if isinstance(error, (SyntaxError, ValueError)):  # an answer pyoxigraph cannot parse
        return BackendError(f"the SPARQL server sent an answer that does not parse: {error}")
    return None


def _refusal(code: int, user: str | None) -> str | None:
    """What a 401 or 403 means for the operator, naming the settings to change."""
    if code == 401 and user:
        return f"the SPARQL server refused the credentials of remote user {user!r} (HTTP 401): check {LOGIN_SETTINGS}"
    if code == 401:
        return f"the SPARQL server needs credentials (HTTP 401): set {LOGIN_SETTINGS}"
    if code == 403 and user:
        return f"the SPARQL server forbids this to remote user {user!r} (HTTP 403): grant it the right, or set " \
               f"another KG_REMOTE_USER"
    if code == 403:
        return f"the SPARQL server forbids this to an anonymous client (HTTP 403): set {LOGIN_SETTINGS}"
    return None


def _body(error: HTTPError, limit: int = 2000) -> str:
    try:
        return error.read(limit).decode("utf-8", errors="replace").strip()
    except OSError:
        return ""
    finally:
        error.close()  # its connection, now that the body is read
