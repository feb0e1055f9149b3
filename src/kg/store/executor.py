"""A query executor process: a replica of the store that evaluates one query at a time for `TimeLimitedStore`.

It exists so that a runaway query can be stopped: pyoxigraph has no cancellation, but a process can be killed.
Run as `python -m kg.store.executor`; it reads length-prefixed pickled requests on stdin and answers on stdout:
`("load", source)` replaces the replica (`("path", dir, guard, base)`: open an on-disk store read-only; `("nquads",
bytes, graphs, guard, base)`: parse the primary's quads, blank-node labels kept, plus its named graphs, empty ones included);
`("query", sparql, dataset, bindings, max_rows)` answers with collected results. Replies are `("ok", value)` or
`("error", exception)`. `Executor` is the parent's end: it starts the process and reads replies with a deadline.
"""

from __future__ import annotations

import math
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

import kg

HEADER = struct.Struct(">Q")


def write_frame(stream: BinaryIO, message) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def read_frame(stream: BinaryIO):
    """The next message, or None at end of input (the parent closed the pipe: time to exit)."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    return pickle.loads(stream.read(HEADER.unpack(header)[0]))


def replica(source):
    """A store holding what `source` describes."""
    from kg.store.embedded import EmbeddedStore

    if source[0] == "path":
        _, path, guard, base = source
        return EmbeddedStore(path, read_only=True, guard=guard, base=base)
    _, data, graphs, guard, base = source
    return EmbeddedStore.from_nquads(data, graphs, guard, base)


def answer(store, message):
    """("ok", result) or ("error", exception) for one request."""
    try:
        if message[0] == "load":
            return ("ok", None), replica(message[1])
        _, sparql, dataset, bindings, max_rows = message
        return ("ok", store.query(sparql, dataset=dataset, bindings=bindings, max_rows=max_rows)), store
    except Exception as error:  # the parent re-raises it as if the store were in process
        return ("error", _portable(error)), store


def _portable(error: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")


def _exit_with_parent() -> None:
    """Stop when the parent dies without closing the pipe (a query in progress never reads it)."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server is the parent's to handle
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the reply pipe
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    requests, store = sys.stdin.buffer, None
    while (message := read_frame(requests)) is not None:
        reply, store = answer(store, message)
        write_frame(replies, reply)


# ------------------------------------------------------------------ the parent's end


def unwrap(status: str, value):
    """A reply's value, or its error raised here as if the store ran in this process."""
    if status == "error":
        raise value
    return value


class Overdue(Exception):
    """The executor did not answer before the deadline."""


class Lost(Exception):
    """The executor process is gone (crashed, killed, out of memory)."""


class Executor:
    """One executor process and its pipes; used by one caller at a time."""

    def __init__(self, source: tuple, generation: int) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "kg.store.executor"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, bufsize=0, env=child_environment())
        self.pid = self.process.pid
        self.generation = generation
        self._poll = select.poll()
        self._poll.register(self.process.stdout.fileno(), select.POLLIN)
        self._send(("load", source))

    def ready(self) -> "Executor":
        """Wait until the replica is loaded (no deadline: loading is the write's cost, not a query's)."""
        unwrap(*self._receive(None))
        return self

    def load(self, source: tuple, generation: int) -> None:
        self._send(("load", source))
        unwrap(*self._receive(None))
        self.generation = generation

    def call(self, message: tuple, deadline: float) -> tuple[str, object]:
        """("ok", result) or ("error", the engine's exception), read whole, so the executor stays usable."""
        self._send(message)
        return self._receive(deadline)

    def kill(self) -> None:
        """Kill the process and reap it, so its pid is gone when this returns. Safe while another thread reads."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """Kill and close the pipes; only for the executor's current user (or when nobody uses it)."""
        self.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()

    def _send(self, message: tuple) -> None:
        body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        pending = memoryview(HEADER.pack(len(body)) + body)
        try:
            while pending:
                pending = pending[self.process.stdin.write(pending):]
        except (BrokenPipeError, ValueError):
            raise Lost from None

    def _receive(self, deadline: float | None) -> tuple[str, object]:
        """One reply frame; a small reply takes one poll and one read."""
        frame = self._read(bytearray(), HEADER.size, deadline)
        self._read(frame, HEADER.size + HEADER.unpack_from(frame)[0], deadline)
        return pickle.loads(memoryview(frame)[HEADER.size:])

    def _read(self, buffer: bytearray, size: int, deadline: float | None) -> bytearray:
        """Extend `buffer` to at least `size` bytes (a reply is the only frame in the pipe, so nothing else is read)."""
        while len(buffer) < size:
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0 or not self._poll.poll(math.ceil(wait * 1000)):
                    raise Overdue
            chunk = os.read(self.process.stdout.fileno(), max(size - len(buffer), 1 << 16))
            if not chunk:
                raise Lost
            buffer += chunk
        return buffer


def child_environment() -> dict[str, str]:
    """This environment, with the folder holding `kg` first on the path (works from a checkout too)."""
    source = str(Path(kg.__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([source, path]) if path else source}


if __name__ == "__main__":
    main()
