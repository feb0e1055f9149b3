"""A query time limit that really stops the query: reads run in executor processes that are killed at the limit.

pyoxigraph cannot cancel a query, so `TimeLimitedStore` keeps a small pool of warm executor processes
(`KG_EXECUTORS`, default 2), each holding a replica of the primary `EmbeddedStore`. A query goes to an idle
executor in one pipe round trip; past `KG_QUERY_TIMEOUT` seconds that process is killed, a fresh one is started in
the background and the caller gets `QueryTimeout` (503), while the other executors keep serving other clients.
Writes go to the primary, then the replicas are reloaded from it. `KG_QUERY_TIMEOUT=0` turns all this off.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph

from kg.core.config import Settings
from kg.core.errors import BackendError, QueryTimeout
from kg.store.base import Dataset, QueryResult, Store, Term
from kg.store.embedded import EmbeddedStore
from kg.store.executor import Executor, Lost, Overdue, unwrap

log = logging.getLogger("kg.store")


class TimeLimitedStore(Store):
    """The primary `EmbeddedStore` for writes and graph reads; its executors' replicas for time-limited queries.

    Keeping the replicas exact after a write costs a full reload of each from the primary's quads (N-Quads, blank
    node labels kept): milliseconds for the project graph, seconds for millions of triples, so this suits a
    read-mostly service. With `replica_path` (an on-disk primary opened read-only, no writes possible) the
    executors open the same folder read-only instead, and nothing is copied.
    """

    def __init__(self, primary: EmbeddedStore, settings: Settings, replica_path: Path | None = None) -> None:
        self.primary = primary
        self.timeout = settings.query_timeout
        self.guard, self.base = primary.guard, primary.base
        self._replica_path = replica_path
        self._generation = 0  # bumped by every write; an executor with an older one is reloaded before use
        self._writing = threading.RLock()
        self._pool = threading.Condition()
        self._idle: list[Executor] = []
        self._running: set[Executor] = set()
        self._spawners: set[threading.Thread] = set()
        self._closed = False
        self._finalizer = weakref.finalize(self, _stop_all, self._running)
        source = self._source()
        try:
            for _ in range(max(1, settings.executors)):  # started together; each loads while the next starts
                self._running.add(Executor(source, 0))
            self._idle = [executor.ready() for executor in self._running]
        except BaseException as error:
            _stop_all(self._running)
            if isinstance(error, Lost):
                raise BackendError("the query executor processes did not start; their error is in the log") from None
            raise

    # ------------------------------------------------------------------ SPARQL

    def _query(self, sparql: str, dataset: Dataset, bindings: dict[str, Term] | None,
               max_rows: int | None) -> QueryResult:
        deadline = time.monotonic() + self.timeout
        executor, deadline = self._acquire(deadline)
        try:
            reply = executor.call(("query", sparql, dataset, bindings, max_rows), deadline)
        except Overdue:
            self._replace(executor)
            raise QueryTimeout(f"the query ran past the {self.timeout:g} s time limit and was stopped; narrow it "
                               "(more specific patterns, a LIMIT) or ask the operator to raise KG_QUERY_TIMEOUT") from None
        except Lost:
            self._replace(executor)
            raise BackendError("the query process stopped unexpectedly (out of memory?); it has been restarted") from None
        except BaseException:  # interrupted mid-exchange: the pipe's state is unknown
            self._replace(executor)
            raise
        self._release(executor)
        return unwrap(*reply)  # the engine's own errors (syntax, ...) are raised here, as in process

    def _update(self, sparql: str) -> None:
        self._write(self.primary.update, sparql)

    # ------------------------------------------------------------------ Graph Store: writes refresh the replicas

    def graph_triples(self, graph: str | None) -> list[pyoxigraph.Triple] | None:
        return self.primary.graph_triples(graph)

    def replace_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> None:
        self._write(self.primary.replace_graph, graph, triples)

    def add_to_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> None:
        self._write(self.primary.add_to_graph, graph, triples)

    def drop_graph(self, graph: str | None) -> bool:
        return self._write(self.primary.drop_graph, graph)

    def graph_sizes(self) -> dict[str, int]:
        return self.primary.graph_sizes()

    def named_graphs(self) -> list[str]:
        return self.primary.named_graphs()

    @property
    def version(self) -> str:
        return self.primary.version

    def quads(self) -> Iterator[pyoxigraph.Quad]:
        return self.primary.quads()

    def load(self, path: Path, graph: str, progress: Callable[[int], None] | None = None,
             replace: bool = False) -> int:
        return self._write(self.primary.load, path, graph, progress, replace)

    def __len__(self) -> int:
        return len(self.primary)

    @property
    def pids(self) -> list[int]:
        """The executor processes now running (for logs and tests)."""
        with self._pool:
            return sorted(executor.pid for executor in self._running)

    def close(self) -> None:
        """Stop every executor (and any being started), then close the primary."""
        with self._pool:
            self._closed = True
            spawners = list(self._spawners)
            idle, self._idle = self._idle, []
            self._pool.notify_all()
        for spawner in spawners:
            spawner.join()
        with self._pool:
            busy, self._running = self._running - set(idle), set()
        for executor in idle:
            executor.stop()
        for executor in busy:  # their users see the pipe close and clean up
            executor.kill()
        self._finalizer.detach()
        self.primary.close()

    # ------------------------------------------------------------------ the pool

    def _acquire(self, deadline: float) -> tuple[Executor, float]:
        """An idle executor with current data, waiting up to the deadline; reloading does not count against it."""
        while True:
            with self._pool:
                while not self._idle:
                    wait = deadline - time.monotonic()
                    if self._closed or wait <= 0:
                        raise QueryTimeout(f"all query executors stayed busy for the {self.timeout:g} s time "
                                           "limit; try again shortly (an operator can add executors with "
                                           "KG_EXECUTORS)")
                    self._pool.wait(wait)
                executor = self._idle.pop()
            if executor.generation == self._generation:
                return executor, deadline
            started = time.monotonic()
            reloaded = self._reload([executor])
            deadline += time.monotonic() - started
            if reloaded:
                return executor, deadline

    def _release(self, executor: Executor) -> None:
        with self._pool:
            if not self._closed:
                self._idle.append(executor)
                self._pool.notify()
                return
        self._stop(executor)

    def _replace(self, executor: Executor) -> None:
        """Kill an executor now (the query really stops) and start its successor in the background."""
        self._stop(executor)
        with self._pool:
            if not self._closed:
                spawner = threading.Thread(target=self._spawn, name="kg-executor-spawn", daemon=True)
                self._spawners.add(spawner)
                spawner.start()

    def _spawn(self) -> None:
        """Start an executor and add it to the pool; leave the spawner set last, so close() can wait for it."""
        executor = None
        try:
            generation, source = self._snapshot()
            executor = Executor(source, generation)
            executor.ready()
        except Exception:
            log.exception("could not start a query executor; the pool is one short")
            if executor is not None:
                executor.stop()
            executor = None
        with self._pool:
            keep = executor is not None and not self._closed
            if keep:
                self._running.add(executor)
                self._idle.append(executor)
                self._pool.notify()
        if executor is not None and not keep:
            executor.stop()
        with self._pool:
            self._spawners.discard(threading.current_thread())

    def _stop(self, executor: Executor) -> None:
        with self._pool:
            self._running.discard(executor)
        executor.stop()

    # ------------------------------------------------------------------ keeping replicas exact

    def _write(self, operation: Callable, *arguments):
        """Apply a write to the primary, then reload the idle executors (busy ones reload when next acquired)."""
        with self._writing:
            try:
                return operation(*arguments)
            finally:
                self._generation += 1
                with self._pool:
                    idle, self._idle = self._idle, []
                reloaded = self._reload(idle)
                with self._pool:
                    self._idle.extend(reloaded)
                    self._pool.notify_all()

    def _reload(self, executors: list[Executor]) -> list[Executor]:
        """Load the current data into executors; one that fails is replaced. Returns those reloaded."""
        if not executors:
            return []
        generation, source = self._snapshot()
        reloaded = []
        for executor in executors:
            try:
                executor.load(source, generation)
                reloaded.append(executor)
            except Exception:
                log.exception("a query executor failed to reload the data; replacing it")
                self._replace(executor)
        return reloaded

    def _snapshot(self) -> tuple[int, tuple]:
        """The current generation and a source of exactly its data (taken while no write runs)."""
        with self._writing:
            return self._generation, self._source()

    def _source(self) -> tuple:
        if self._replica_path is not None:
            return ("path", str(self._replica_path), self.guard, self.base)
        return ("nquads", self.primary.nquads(), self.primary.named_graphs(), self.guard, self.base)


def _stop_all(executors: set[Executor]) -> None:
    for executor in list(executors):
        executor.stop()
    executors.clear()
