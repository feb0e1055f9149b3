"""Stop a request that runs past the time limit: answer 503 on its socket, then end the worker process.

pyoxigraph cannot cancel a query; ending the process that runs it is the only way to stop one. In a pre-forked
worker that serves one request at a time (gunicorn's sync worker) that is cheap: the master starts a replacement
while the other workers keep serving. So the limit costs an ordinary request a clock read and two uncontended lock
round trips, nothing more: one daemon thread per worker wakes every 50 ms to look at the clock. It can run while a
query does because pyoxigraph releases the GIL while it evaluates.

The clock starts when the app is called (the request line and headers have arrived), pauses while the app reads the
body from the client, and stops when the app starts its response: from then on the client's reading speed is not
the query's fault. The watchdog answers only a request whose response has not started; once it claims one it keeps
the lock until the process ends, so the app can no longer start a response of its own on the same socket.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable

from kg.web.responses import READ_CORS

log = logging.getLogger("kg.web.watchdog")

INTERVAL = 0.05  # seconds between looks at the clock
BEFORE_EXIT: list[Callable[[], None]] = []  # what the worker must still answer before it ends (kg.serving.workers)
EXIT_CODE = 124  # what timeout(1) exits with; gunicorn logs it as the worker's exit code
DETAIL = ("the query ran past the {limit:g} s time limit and was stopped; narrow it (more specific patterns, a "
          "LIMIT) or ask the operator to raise KG_QUERY_TIMEOUT")


class Watchdog:
    """WSGI middleware for one single-request worker process; `start()` its thread in the worker, after the fork.

    `exit` ends the process (tests substitute it to observe the decision without dying)."""

    def __init__(self, app: Callable, limit: float, interval: float = INTERVAL,
                 exit: Callable[[int], object] = os._exit) -> None:
        self.app, self.limit, self.interval, self._exit = app, limit, interval, exit
        self._lock = threading.Lock()
        self._deadline: float | None = None  # of the request in progress; None: nothing to stop
        self._environ: dict = {}

    def start(self) -> "Watchdog":
        threading.Thread(target=self._watch, name="kg-watchdog", daemon=True).start()
        return self

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("CONTENT_LENGTH", "0") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ:
            environ["wsgi.input"] = _ClientInput(environ["wsgi.input"], self)
        self._environ = environ
        self._deadline = time.monotonic() + self.limit  # the previous request is over: no lock needed to arm

        def responding(status: str, headers: list, exc_info=None):
            self._disarm()
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, responding)
        except BaseException:
            self._disarm()
            raise
        if self._deadline is None:  # the usual case: the response has started
            return result
        return _Unstarted(result, self)  # an app that starts its response when iterated (a generator)

    def _disarm(self) -> None:
        with self._lock:  # blocks for good if the watchdog has claimed this request: the process is ending
            self._deadline = None

    def paused(self, read: Callable, *arguments):
        """Call `read` with the clock stopped: waiting for the client's body is not the query's time."""
        with self._lock:
            deadline, self._deadline = self._deadline, None
        if deadline is None:
            return read(*arguments)
        paused = time.monotonic()
        try:
            return read(*arguments)
        finally:
            with self._lock:
                self._deadline = deadline + (time.monotonic() - paused)

    def _watch(self) -> None:
        while True:
            time.sleep(self.interval)
            deadline = self._deadline
            if deadline is None or time.monotonic() < deadline:
                continue
            self._lock.acquire()
            if self._deadline is not None and time.monotonic() >= self._deadline:  # still overdue, not responding
                self._stop(self._environ)  # ends the process, keeping the lock
                return  # only when a test's `exit` returned
            self._lock.release()

    def _stop(self, environ: dict) -> None:
        """Answer the client 503, log, end the process: the runaway query really stops."""
        client = environ.get("gunicorn.socket")
        if client is not None:
            answer(client, self.limit)
        log.error("%s %s ran past the %g s time limit: answered 503, stopping worker %d",
                  environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), self.limit, os.getpid())
        for hook in BEFORE_EXIT:
            try:
                hook()
            except Exception:  # noqa: BLE001 (the process ends anyway; the runaway must stop)
                log.exception("while ending worker %d", os.getpid())
        self._exit(EXIT_CODE)


def response(limit: float) -> bytes:
    """A complete HTTP/1.1 503 with the service's JSON error shape."""
    body = json.dumps({"error": "QueryTimeout", "detail": DETAIL.format(limit=limit)}).encode("utf-8")
    head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nCache-Control: no-store\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in READ_CORS.items())  # a read-only worker's are reads
            + "\r\n")
    return head.encode("ascii") + body


def answer(client: socket.socket, limit: float, linger: float = 0.2) -> None:
    """Write the 503 and close our side; best effort (the client may be gone). Unread request bytes are drained
    briefly, so that closing does not reset the connection before the client has read the answer."""
    try:
        client.settimeout(1.0)
        client.sendall(response(limit))
        client.shutdown(socket.SHUT_WR)
        client.settimeout(linger)
        deadline = time.monotonic() + linger
        while time.monotonic() < deadline and client.recv(65536):
            pass
    except OSError:
        pass


class _Unstarted:
    """The iterable of an app that has not started its response yet: the clock runs until it does, or until the
    server closes the iterable."""

    def __init__(self, result: Iterable[bytes], watchdog: Watchdog) -> None:
        self._result, self._watchdog = result, watchdog

    def __iter__(self):
        return iter(self._result)

    def close(self) -> None:
        self._watchdog._disarm()
        if hasattr(self._result, "close"):
            self._result.close()


class _ClientInput:
    """`wsgi.input` whose reads pause the watchdog's clock."""

    def __init__(self, stream, watchdog: Watchdog) -> None:
        self._stream, self._watchdog = stream, watchdog

    def read(self, *arguments) -> bytes:
        return self._watchdog.paused(self._stream.read, *arguments)

    def readline(self, *arguments) -> bytes:
        return self._watchdog.paused(self._stream.readline, *arguments)

    def readlines(self, *arguments) -> list[bytes]:
        return self._watchdog.paused(self._stream.readlines, *arguments)

    def __iter__(self):
        return iter(self.readline, b"")
