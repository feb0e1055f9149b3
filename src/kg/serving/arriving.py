"""A request being gathered before a worker takes it (kg.serving.workers): its bytes so far, read without blocking,
whether what a worker would wait for has all arrived, its deadline, the refusal when it is cut, and the socket that
hands the gathered bytes to gunicorn's parser first."""

from __future__ import annotations

import json
import math
import re
import socket
import time
from dataclasses import dataclass

HEAD_LIMIT = 64 * 1024  # a head longer than this without its blank line is answered 431
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
CONTENT_LENGTH = re.compile(rb"\ncontent-length:[ \t]*(\d{1,18})[ \t]*\r\n")
WAITING, READY, GONE = "waiting", "ready", "gone"


@dataclass(frozen=True)
class Deadlines:
    header: float = 5.0  # seconds for the head to arrive (0: no deadline)
    body: float = 10.0  # seconds for the body, once the head is there (0: no deadline)
    max_body: int = 1_000_000  # bodies declared larger are not gathered (the app refuses them)


class Arriving:
    """One request's bytes so far, read without blocking, and whether what a worker would wait for is all there."""

    def __init__(self, sock: socket.socket, deadlines: Deadlines, data: bytes = b"") -> None:
        self.sock, self.deadlines, self.data = sock, deadlines, bytearray(data)
        self.deadline = _after(deadlines.header)
        self.searched = 0  # where to resume looking for the end of the head
        self.body = -1  # where the body starts, once the head is there
        self.end: int | None = None  # where the body ends (Content-Length); None: chunked
        self.chunk = 0  # chunked: where the next chunk's size line starts
        self.whole = False  # READY with all of the request here: nothing of it is still to come

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
                self.whole = not length or int(length[1]) == 0  # else a body refused by its length is still coming
                return READY  # no body, or one the app or gunicorn's parser refuses without reading it all
            self.deadline = _after(self.deadlines.body)
            if b"\nexpect:" in head and not self._complete():
                self._send(CONTINUE)  # the client waits for it before sending the body
        return READY if self._complete() else WAITING

    def _complete(self) -> bool:
        if self.end is not None:
            self.whole = len(self.data) >= self.end
            return self.whole
        return self._chunks_done()

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
                self.whole = data.find(b"\r\n\r\n", line) >= 0  # the last chunk, then trailers, then a blank line
                return self.whole
            if len(data) < line + 2 + size + 2:
                return False
            self.chunk = line + 2 + size + 2
        return True

    def refuse(self, status: str) -> None:
        """Answer `status` (a connection that sent nothing gets no answer) and close."""
        if self.data:
            detail = ("did not arrive in time" if status.startswith("408") else f"has a head over {HEAD_LIMIT} bytes"
                      if status.startswith("431") else "was not started: the worker holding it was ended (a query ran "
                      "past the time limit); send it again" if status.startswith("503")
                      else f"line is over {HEAD_LIMIT} bytes: send a long query by POST")
            body = json.dumps({"error": status.split(" ", 1)[1].replace(" ", ""), "detail": f"the request {detail}"})
            self._send(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                       f"Connection: close\r\n\r\n{body}".encode("ascii"))
        self._close()

    def _close(self) -> None:
        """Close after taking what the client still sent (at most a few reads, without waiting): closing over unread
        input makes the kernel reset the connection, and the client may lose the answer before it reads it."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            for _ in range(16):
                if not self.sock.recv(65536, socket.MSG_DONTWAIT):
                    break
        except OSError:
            pass
        self.sock.close()

    def _send(self, data: bytes) -> None:
        try:
            self.sock.send(data)
        except OSError:
            pass


def _after(seconds: float) -> float:
    return time.monotonic() + seconds if seconds > 0 else math.inf


class Primed:
    """A socket whose first reads return the bytes already read from it; everything else is the socket's.

    `whole`: the request was all read from the socket. Then the drain before closing (gunicorn's `close_graceful`,
    which waits up to 2 s for the client to close first, so that unread request bytes cannot turn the close into a
    reset that cuts the response) takes only what is already there and closes: nothing of the request can still
    arrive, and a worker that waited for each client's close served at the client's pace, not its own."""

    def __init__(self, sock: socket.socket, data: bytes, timeout: float | None, whole: bool = False) -> None:
        self._sock, self._data, self._at, self._timeout, self._whole = sock, memoryview(data), 0, timeout, whole

    def recv(self, size: int, *flags) -> bytes:
        if self._at < len(self._data):
            self._at += (size := min(size, len(self._data) - self._at))
            return bytes(self._data[self._at - size:self._at])
        if (timeout := self._sock.gettimeout()) is not None:  # set by whoever reads now (a drain before closing)
            if not self._whole:
                return self._sock.recv(size, *flags)
            self._sock.setblocking(False)  # only what is there: b"" once the client closed
            try:
                return self._sock.recv(size, *flags)
            except (BlockingIOError, InterruptedError):
                return b""  # nothing there and nothing to come: close now
            finally:
                self._sock.settimeout(timeout)
        self._sock.settimeout(self._timeout)  # a body too large to have been gathered: each read bounded
        try:
            return self._sock.recv(size, *flags)
        finally:
            self._sock.settimeout(None)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)
