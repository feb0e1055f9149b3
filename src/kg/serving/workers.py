"""gunicorn workers that give a connection to the app only once its request has arrived: slow clients cannot hold
the service.

gunicorn's sync worker accepts a connection, then blocks reading its head; the gthread worker (27.x) waits 5 s for the
first bytes, then a thread blocks parsing. A client that sends part of a head and idles (or trickles) held a read-only
worker until gunicorn's worker timeout and a write-capable service's thread for good. A per-read socket timeout does
not bound a trickler, and a per-request deadline alone still serialises them (8 connections × deadline ÷ 2 workers).

So each worker gathers requests first, without blocking: new connections (and kept-alive ones once readable) sit in a
selector, their bytes in `Arriving`, until the head and the body a worker would wait for (`Content-Length` bytes, or
chunks up to the last) are there; an `Expect: 100-continue` is answered then (gunicorn repeats it later, as HTTP
allows). Only a complete request goes to the usual synchronous handling, which reads it from that buffer: the sync
worker's `handle` gets a `Primed` socket whose `recv` returns it first; the gthread worker `unread`s it into the
connection's parser and queues the connection for a thread. The slow wait in the selector, at a few kilobytes each,
and are cut: `KG_HEADER_TIMEOUT` from the connection (or a kept-alive request's first byte) to the end of the head,
then `KG_BODY_TIMEOUT` for the body; 408 then (no answer to a connection that sent nothing), 431 for a head over 64
KiB. A body declared over `KG_MAX_BODY` is handed over after the head (the app refuses it by its length), a chunked
one once past that size. At most gunicorn's `worker_connections` (1000) are gathered per worker.

The read-only worker is still one process serving one request at a time (the watchdog's premise): its loop serves a
complete request, then gathers again; one whose deadline passed meanwhile gets a last read before it is cut, and its
connections close after each response, as gunicorn's sync worker's do. What a worker gathers is its own: a request
completed while it serves another waits for it (at most the query time limit; a head that arrives with its connection,
the usual case, is served at once), and a worker the watchdog ends drops them. The gthread worker keeps gunicorn's
event loop, keep-alive and shutdown; only the way into its thread pool (`enqueue_req`) changes. Without TLS (`kg
serve` has none); with it, both fall back to gunicorn's own behaviour.
"""

from __future__ import annotations

import json
import math
import os
import re
import selectors
import socket
import time
from dataclasses import dataclass
from functools import partial

from gunicorn import http
from gunicorn.workers import gthread, sync

HEAD_LIMIT = 64 * 1024  # a head longer than this without its blank line is answered 431
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
CONTENT_LENGTH = re.compile(rb"\ncontent-length:[ \t]*(\d{1,18})[ \t]*\r\n")
WAITING, READY, GONE = "waiting", "ready", "gone"


@dataclass(frozen=True)
class Deadlines:
    header: float = 5.0  # seconds for the head to arrive (0: no deadline)
    body: float = 10.0  # seconds for the body, once the head is there (0: no deadline)
    max_body: int = 1_000_000  # bodies declared larger are not gathered (the app refuses them)


def worker_class(kind: str, deadlines: Deadlines) -> type:
    """The worker class for gunicorn's `worker_class` setting: `kind` is "sync" or "gthread"."""
    base = {"sync": SyncWorker, "gthread": ThreadWorker}[kind]
    return type(base.__name__, (base,), {"deadlines": deadlines, "kind": kind})


class Arriving:
    """One request's bytes so far, read without blocking, and whether what a worker would wait for is all there."""

    def __init__(self, sock: socket.socket, deadlines: Deadlines, data: bytes = b"") -> None:
        self.sock, self.deadlines, self.data = sock, deadlines, bytearray(data)
        self.deadline = _after(deadlines.header)
        self.searched = 0  # where to resume looking for the end of the head
        self.body = -1  # where the body starts, once the head is there
        self.end: int | None = None  # where the body ends (Content-Length); None: chunked
        self.chunk = 0  # chunked: where the next chunk's size line starts

    def read(self) -> str:
        """Take what the client sent: READY, WAITING, GONE (closed or broken), or an HTTP status to answer."""
        try:
            chunk = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return self.state()
        except OSError:
            return GONE
        if not chunk:
            return GONE
        self.data += chunk
        return self.state()

    def state(self) -> str:
        if self.body < 0:
            end = self.data.find(b"\r\n\r\n", max(0, self.searched - 3))
            if end < 0:
                self.searched = len(self.data)
                if len(self.data) <= HEAD_LIMIT:
                    return WAITING
                return "431 Request Header Fields Too Large" if b"\r\n" in self.data else "414 URI Too Long"
            self.body, head = end + 4, bytes(self.data[:end + 2]).lower()
            length = CONTENT_LENGTH.search(head)
            if b"\ntransfer-encoding:" in head:
                self.end, self.chunk = None, self.body
            elif length and 0 < int(length[1]) <= self.deadlines.max_body:
                self.end = self.body + int(length[1])
            else:
                return READY  # no body, or one the app or gunicorn's parser refuses without reading it all
            self.deadline = _after(self.deadlines.body)
            if b"\nexpect:" in head and not self._complete():
                self._send(CONTINUE)  # the client waits for it before sending the body
        return READY if self._complete() else WAITING

    def _complete(self) -> bool:
        return len(self.data) >= self.end if self.end is not None else self._chunks_done()

    def _chunks_done(self) -> bool:
        """Whether the chunked body has ended (or passed the size limit, or broke its framing)."""
        data = self.data
        while self.chunk - self.body <= self.deadlines.max_body:
            line = data.find(b"\r\n", self.chunk)
            if line < 0:
                return False
            try:
                size = int(bytes(data[self.chunk:line]).split(b";")[0], 16)
            except ValueError:
                return True  # gunicorn's parser answers the broken framing
            if size == 0:
                return data.find(b"\r\n\r\n", line) >= 0  # the last chunk, then trailers, then a blank line
            if len(data) < line + 2 + size + 2:
                return False
            self.chunk = line + 2 + size + 2
        return True

    def refuse(self, status: str) -> None:
        """Answer `status` (a connection that sent nothing gets no answer) and close."""
        if self.data:
            detail = ("did not arrive in time" if status.startswith("408") else f"has a head over {HEAD_LIMIT} bytes"
                      if status.startswith("431") else f"line is over {HEAD_LIMIT} bytes: send a long query by POST")
            body = json.dumps({"error": status.split(" ", 1)[1].replace(" ", ""), "detail": f"the request {detail}"})
            self._send(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                       f"Connection: close\r\n\r\n{body}".encode("ascii"))
        self.sock.close()

    def _send(self, data: bytes) -> None:
        try:
            self.sock.send(data)
        except OSError:
            pass


def _after(seconds: float) -> float:
    return time.monotonic() + seconds if seconds > 0 else math.inf


class Primed:
    """A socket whose first reads return the bytes already read from it; everything else is the socket's."""

    def __init__(self, sock: socket.socket, data: bytes, timeout: float | None) -> None:
        self._sock, self._data, self._at, self._timeout = sock, memoryview(data), 0, timeout

    def recv(self, size: int, *flags) -> bytes:
        if self._at < len(self._data):
            self._at += (size := min(size, len(self._data) - self._at))
            return bytes(self._data[self._at - size:self._at])
        if self._sock.gettimeout() is not None:  # set by whoever reads now (a drain before closing)
            return self._sock.recv(size, *flags)
        self._sock.settimeout(self._timeout)  # a body too large to have been gathered: each read bounded
        try:
            return self._sock.recv(size, *flags)
        finally:
            self._sock.settimeout(None)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class SyncWorker(sync.SyncWorker):
    """One request at a time, served only once it has arrived; the others gather meanwhile (see the module)."""

    deadlines = Deadlines()

    def run(self) -> None:
        if self.cfg.is_ssl:
            return super().run()
        self.selector, self.arriving, self.listening = selectors.DefaultSelector(), {}, False
        self.selector.register(self.PIPE[0], selectors.EVENT_READ)
        for listener in self.sockets:
            listener.setblocking(False)
        try:
            while self.alive:
                self.notify()
                self._listen(len(self.arriving) < self.cfg.worker_connections)
                for key, _ in self.selector.select(self._wait()):
                    if self.alive:
                        self._event(key)
                self._expire()
                if not self.is_parent_alive():
                    break
        finally:
            for arriving, _, _ in list(self.arriving.values()):
                arriving.sock.close()
            self.selector.close()

    def _listen(self, accepting: bool) -> None:
        if accepting != self.listening:
            for listener in self.sockets:
                (self.selector.register(listener, selectors.EVENT_READ, listener) if accepting
                 else self.selector.unregister(listener))
            self.listening = accepting

    def _wait(self) -> float:
        soonest = min((arriving.deadline for arriving, _, _ in self.arriving.values()), default=math.inf)
        return max(0.0, min(1.0, soonest - time.monotonic()))

    def _event(self, key) -> None:
        if key.fileobj == self.PIPE[0]:
            try:
                os.read(self.PIPE[0], 4096)
            except OSError:
                pass
        elif key.data is key.fileobj:  # a listener
            try:
                client, addr = key.fileobj.accept()
            except OSError:  # taken by another worker, or aborted
                return
            client.setblocking(False)
            self.arriving[client] = (Arriving(client, self.deadlines), key.fileobj, addr)
            self.selector.register(client, selectors.EVENT_READ)
            self._read(client)  # the head is often there already: served before this worker gathers others
        elif key.fileobj in self.arriving:  # (not when closed earlier in this batch)
            self._read(key.fileobj)

    def _read(self, client: socket.socket, cut: bool = False) -> None:
        arriving, listener, addr = self.arriving[client]
        state = arriving.read()  # also the last read of one being cut: it may have arrived while the worker was busy
        if state == WAITING and not cut:
            return
        del self.arriving[client]
        self.selector.unregister(client)
        if state == READY:
            client.setblocking(True)
            self.handle(listener, Primed(client, bytes(arriving.data), self.deadlines.body or None), addr)  # closes it
        elif state == GONE:
            client.close()
        else:
            arriving.refuse("408 Request Timeout" if state == WAITING else state)

    def _expire(self) -> None:
        now = time.monotonic()
        for client, (arriving, _, _) in list(self.arriving.items()):
            if arriving.deadline <= now and client in self.arriving:
                self._read(client, cut=True)


class ThreadWorker(gthread.ThreadWorker):
    """gunicorn's gthread worker whose threads get a connection only once its request has arrived."""

    deadlines = Deadlines()

    def init_process(self) -> None:
        self.arriving: dict = {}  # TConn -> Arriving
        super().init_process()

    def enqueue_req(self, conn) -> None:
        """The one way into the thread pool (new connections, kept-alive ones that became readable, read-ahead):
        gather the request first."""
        if self.cfg.is_ssl or conn.is_http2 or getattr(conn, "arrived", False):
            conn.arrived = False
            return super().enqueue_req(conn)
        leftover = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        conn.sock.setblocking(False)
        arriving = self.arriving[conn] = Arriving(conn.sock, self.deadlines, leftover)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
        if leftover:
            self._settle(conn, arriving.state())

    def _readable(self, conn, _sock=None, cut: bool = False) -> None:
        state = self.arriving[conn].read()  # also the last read of one being cut
        self._settle(conn, "408 Request Timeout" if cut and state == WAITING else state)

    def _settle(self, conn, state: str) -> None:
        if state == WAITING:
            return
        arriving = self.arriving.pop(conn)
        self.poller.unregister(conn.sock)
        if state == READY:
            if conn.parser is None:
                conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
            conn.parser.unreader.unread(bytes(arriving.data))
            conn.initialized = conn.data_ready = conn.arrived = True
            self.enqueue_req(conn)
            return
        self.nr_conns -= 1
        if state == GONE:
            conn.close()
        else:
            arriving.refuse(state)

    def murder_pending(self) -> None:
        """gunicorn's clean-up of idle connections, then the deadlines of the requests still arriving."""
        super().murder_pending()
        now = time.monotonic()
        for conn, arriving in list(self.arriving.items()):
            if arriving.deadline <= now and conn in self.arriving:
                self._readable(conn, cut=True)
