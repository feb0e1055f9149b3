"""Persistent connections for the remote store's queries: urllib opens a new connection per request and closes it
(`Connection: close`), so every query paid a TCP (and over https a TLS) handshake, on both sides. `KeepAlive` is a
urllib handler that keeps one idle connection per server and thread, and hands it on only once the previous answer
was read to its end (an answer cut short, say past the row limit, leaves bytes on the wire: its connection is closed).

Only queries use it: a connection the server closed while idle is noticed on the next request, which is then sent
once more on a fresh connection, and only a query is safe to send twice (RFC 9110 §9.2.2); updates and Graph Store
writes keep urllib's one connection per request. Redirects and logins stay urllib's handlers' work (`kg.store.http`).
"""

from __future__ import annotations

import http.client
import os
import threading
from urllib.error import URLError
from urllib.request import HTTPHandler, HTTPSHandler, Request

STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


MAX_IDLE = 8  # idle connections a thread keeps (one per server): past it, the oldest is closed


class _Kept(dict):
    """(connection class, host:port) -> an idle connection; closed with the thread that kept them."""

    def keep(self, key: tuple, connection: http.client.HTTPConnection) -> bool:
        if key in self:
            return False  # another idle one for that server already
        self[key] = connection
        while len(self) > MAX_IDLE:
            self.pop(next(iter(self))).close()
        return True

    def __del__(self) -> None:
        for connection in self.values():
            connection.close()


class _Idle(threading.local):
    """Each thread's idle connections: a connection in use is in no pool."""

    def __init__(self) -> None:
        self.connections = _Kept()


_IDLE = _Idle()


def _forget_after_fork() -> None:
    """A forked process (a gunicorn worker) must not share its parent's connections: two processes writing requests
    to one socket would read each other's answers. The child starts with none (closing its copies sends nothing)."""
    global _IDLE
    _IDLE = _Idle()


os.register_at_fork(after_in_child=_forget_after_fork)


class _Answer(http.client.HTTPResponse):
    """A response that gives its connection back when closed after its last byte, and closes it otherwise."""

    connection: http.client.HTTPConnection | None = None
    key: tuple = ()

    def close(self) -> None:
        read_to_end = self.fp is None or (not self.chunked and self.length == 0)
        super().close()
        connection, self.connection = self.connection, None
        if connection is None:
            return
        if not (read_to_end and not self.will_close and connection.sock is not None
                and _IDLE.connections.keep(self.key, connection)):
            connection.close()


class KeepAlive(HTTPHandler, HTTPSHandler):
    """urllib's http and https handlers, on kept connections (a request through a proxy tunnel still gets its own)."""

    def http_open(self, request: Request) -> http.client.HTTPResponse:
        return self._open(http.client.HTTPConnection, request)

    def https_open(self, request: Request) -> http.client.HTTPResponse:
        return self._open(http.client.HTTPSConnection, request, context=self._context)

    def _open(self, kind: type, request: Request, **options) -> http.client.HTTPResponse:
        if not request.host:
            raise URLError("no host given")
        if request._tunnel_host:
            return self.do_open(kind, request, **options)
        key = (kind, request.host)
        kept = _IDLE.connections.pop(key, None)
        if kept is not None:
            try:
                return _send(kept, key, request)
            except STALE:
                pass  # the server closed it while it was idle: once more, on a new connection
        connection = kind(request.host, timeout=request.timeout, **options)
        connection.response_class = _Answer
        try:
            return _send(connection, key, request)
        except OSError as error:
            raise error if isinstance(error, (TimeoutError, URLError)) else URLError(error) from None


def _send(connection: http.client.HTTPConnection, key: tuple, request: Request) -> http.client.HTTPResponse:
    """Send one request on `connection` (as urllib's `do_open` does, without `Connection: close`); closed on failure."""
    headers = dict(request.unredirected_hdrs)
    headers.update({name: value for name, value in request.headers.items() if name not in headers})
    headers = {name.title(): value for name, value in headers.items()}
    connection.timeout = request.timeout
    if connection.sock is not None:
        connection.sock.settimeout(request.timeout)
    try:
        connection.request(request.get_method(), request.selector, request.data, headers,
                           encode_chunked=request.has_header("Transfer-encoding"))
        answer = connection.getresponse()
    except BaseException:
        connection.close()
        raise
    answer.connection, answer.key = connection, key
    answer.url, answer.msg = request.get_full_url(), answer.reason  # what urllib's callers read
    return answer
