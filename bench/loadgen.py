"""A closed-loop load generator: C threads, each on its own HTTP/1.1 connection to 127.0.0.1 (reopened whenever the
server closes it, as gunicorn's sync workers do after every response), share a budget of N requests and a time
limit, and record every request's latency. Standard library only."""

from __future__ import annotations

import http.client
import itertools
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

ACCEPT_JSON = {"Accept": "application/sparql-results+json"}
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
TIMEOUT = 60.0  # seconds a request may take (bench/scale.py raises it for 10M triples)


@dataclass
class Sample:
    """What one or more measured runs of the same request saw."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)  # what each error was: an HTTP status, or the exception's name
    resent: int = 0  # requests sent again on a new connection: the server had closed the idle kept-alive one

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

    def merge(self, other: "Sample") -> "Sample":
        return Sample(self.requests + other.requests, self.errors + other.errors, self.seconds + other.seconds,
                      self.latencies + other.latencies, self.failures + other.failures, self.resent + other.resent)


class _Budget:
    """The requests left and the deadline, shared by the workers."""

    def __init__(self, requests: int, duration: float) -> None:
        self.left, self.duration, self.deadline = requests, duration, math.inf
        self.lock = threading.Lock()
        self.started = 0.0

    def begin(self) -> None:  # the barrier's action: runs once, when every worker is connected and warm
        self.started = time.perf_counter()
        self.deadline = self.started + self.duration

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.perf_counter() >= self.deadline:
                return False
            self.left -= 1
            return True


def measure(port: int, path: str | list[str], *, requests: int, concurrency: int, duration: float, warmup: int = 3,
            headers: dict[str, str] = ACCEPT_JSON, source: str = "127.0.0.1") -> Sample:
    """Send GET `path` up to `requests` times (or for `duration` seconds) from `concurrency` connections.

    A list of paths is a mix sent round-robin: each connection cycles through it, connection i starting at path i,
    so every request of the mix is in flight at once and the rate is the mix's (dominated by its costliest queries),
    not an average of the queries' separate rates."""
    paths = [path] if isinstance(path, str) else list(path)
    budget = _Budget(requests, duration)
    barrier = threading.Barrier(concurrency, action=budget.begin)
    results = [Sample() for _ in range(concurrency)]
    workers = [threading.Thread(target=_worker, args=(port, paths[i % len(paths):] + paths[:i % len(paths)], headers,
                                                      warmup, barrier, budget, results[i], source),
                                name=f"bench-{i}") for i in range(concurrency)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if barrier.broken:
        raise RuntimeError(f"the warm-up requests to port {port} failed: {path[:80]}")
    total = Sample(seconds=time.perf_counter() - budget.started)
    for result in results:
        total.requests += result.requests
        total.errors += result.errors
        total.latencies += result.latencies
        total.failures += result.failures
        total.resent += result.resent
    return total


def _worker(port, paths: list[str], headers, warmup, barrier, budget, out: Sample, source: str = "127.0.0.1") -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT, source_address=(source, 0))
    turn = itertools.cycle(paths)
    try:
        for _ in range(warmup):
            _get(connection, next(turn), headers)
        barrier.wait()
        while budget.take():
            path = next(turn)
            began = time.perf_counter()
            kept = connection.sock is not None  # a connection that carried a request before: it may have idled
            try:
                try:
                    status = _get(connection, path, headers)[0]
                except STALE:
                    if not kept:  # a new connection refused or reset: an error, not an idle close
                        raise
                    connection.close()  # closed by the server while idle (at the warm-up barrier, say): sent
                    out.resent += 1  # again on a new connection, as HTTP clients do with a safe request
                    status = _get(connection, path, headers)[0]
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                connection.close()  # reconnects on the next request
            if status == 200:
                out.requests += 1
                out.latencies.append(time.perf_counter() - began)
            else:
                out.errors += 1
                out.failures[status] += 1
    except threading.BrokenBarrierError:
        pass
    except BaseException:
        barrier.abort()  # the other workers stop waiting for this one
        raise
    finally:
        connection.close()


def _get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def fetch(port: int, path: str, headers: dict[str, str] = ACCEPT_JSON) -> tuple[int, bytes]:
    """One request on a fresh connection (to check an answer before measuring)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        return _get(connection, path, headers)
    finally:
        connection.close()
