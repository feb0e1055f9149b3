"""gunicorn workers that give a connection to the app only once its request has arrived: slow clients cannot hold
the service.

gunicorn's sync worker accepts a connection, then blocks reading its head; the gthread worker (27.x) waits 5 s for the
first bytes, then a thread blocks parsing. A client that sends part of a head and idles (or trickles) held a read-only
worker until gunicorn's worker timeout and a write-capable service's thread for good. A per-read socket timeout does
not bound a trickler, and a per-request deadline alone still serialises them (8 connections × deadline ÷ 2 workers).

The kernel hands a connection to `accept` only once its first bytes are there (Linux's `TCP_DEFER_ACCEPT`, nginx's
`deferred`): a request whose head comes with its connection, the usual case, is complete when a worker takes it and
is served at once, so a sync worker never holds a connection that has sent nothing yet while it runs a long query
(the watchdog ending that worker would answer it 503). A connection that stays silent is accepted after about
`DEFER_ACCEPT` seconds, and its header deadline runs from then.

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
connections close after each response, as gunicorn's sync worker's do (at once when the whole request was read: `Primed`). What a worker gathers is its own: a request
completed while it serves another waits for it (at most the query time limit; a head that arrives with its connection,
the usual case, is served at once), and a worker the watchdog ends answers them 503 (send it again). The gthread worker keeps gunicorn's
event loop, keep-alive and shutdown; only the way into its thread pool (`enqueue_req`) changes. Without TLS (`kg
serve` has none); with it, both fall back to gunicorn's own behaviour.
"""

from __future__ import annotations

import math
import os
import selectors
import socket
import time
from functools import partial

from gunicorn import http
from gunicorn.workers import gthread, sync

from kg.serving import watchdog
from kg.serving.arriving import GONE, READY, WAITING, Arriving, Deadlines, Primed

DEFER_ACCEPT = 1  # seconds a connection that has sent nothing waits in the kernel before a worker accepts it


def defer_accept(listeners) -> None:
    """Accept a TCP connection only once its first bytes arrived (see the module); elsewhere than Linux, at once."""
    option = getattr(socket, "TCP_DEFER_ACCEPT", None)
    for listener in listeners:
        if option is not None and listener.family in (socket.AF_INET, socket.AF_INET6):
            listener.setsockopt(socket.IPPROTO_TCP, option, DEFER_ACCEPT)


def worker_class(kind: str, deadlines: Deadlines) -> type:
    """The worker class for gunicorn's `worker_class` setting: `kind` is "sync" or "gthread"."""
    base = {"sync": SyncWorker, "gthread": ThreadWorker}[kind]
    return type(base.__name__, (base,), {"deadlines": deadlines, "kind": kind})


class SyncWorker(sync.SyncWorker):
    """One request at a time, served only once it has arrived; the others gather meanwhile (see the module)."""

    deadlines = Deadlines()

    def run(self) -> None:
        if self.cfg.is_ssl:
            return super().run()
        self.selector, self.arriving, self.listening = selectors.DefaultSelector(), {}, False
        watchdog.BEFORE_EXIT.append(self._turn_away)
        self.selector.register(self.PIPE[0], selectors.EVENT_READ)
        defer_accept(self.sockets)
        for listener in self.sockets:
            listener.setblocking(False)
        try:
            while self.alive:
                self.notify()
                self._listen(len(self.arriving) < self.cfg.worker_connections)
                for key, _ in sorted(self.selector.select(self._wait()), key=_listener_last):
                    if self.alive:
                        self._event(key)
                self._expire()
                if not self.is_parent_alive():
                    break
        finally:
            for arriving, _, _ in list(self.arriving.values()):
                arriving.sock.close()
            self.selector.close()

    def _turn_away(self) -> None:
        """Called by the watchdog as it ends this worker: the requests gathered here and not started are answered 503
        (send it again) instead of being dropped with the process."""
        for arriving, _, _ in list(self.arriving.values()):
            arriving.read()  # what arrived while this worker was busy: a request with a head gets its answer
            arriving.refuse("503 Service Unavailable")

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
            self.handle(listener, Primed(client, bytes(arriving.data), self.deadlines.body or None, arriving.whole),
                        addr)  # closes it
        elif state == GONE:
            client.close()
        else:
            arriving.refuse("408 Request Timeout" if state == WAITING else state)

    def _expire(self) -> None:
        now = time.monotonic()
        for client, (arriving, _, _) in list(self.arriving.items()):
            if arriving.deadline <= now and client in self.arriving:
                self._read(client, cut=True)


def _listener_last(event) -> bool:
    """Order of a select batch: requests that have arrived are served before the worker gathers more connections,
    so a connection is not taken in by a worker about to start a long query while the other worker is free."""
    key, _ = event
    return key.data is key.fileobj


class ThreadWorker(gthread.ThreadWorker):
    """gunicorn's gthread worker whose threads get a connection only once its request has arrived."""

    deadlines = Deadlines()

    def init_process(self) -> None:
        self.arriving: dict = {}  # TConn -> Arriving
        if not self.cfg.is_ssl:
            defer_accept(self.sockets)
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
