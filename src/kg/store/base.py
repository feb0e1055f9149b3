"""The store interface the service talks to: SPARQL 1.1 Query and Update, and Graph Store operations.

Backends implement it: `EmbeddedStore` (Oxigraph in this process), `TimeLimitedStore` (the same, queries in
killable executor processes) and `RemoteStore` (any SPARQL 1.1 server through SPARQLWrapper). Terms are the terms
of `kg.rdf.terms` in all of them, so everything above the store is backend-neutral. The default graph of a query
is the union of all named graphs unless the request names its dataset. `query` and `update` pass the store's
`Guard` before a backend sees the text: nothing reaches an engine around it.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.rdf.results import AskResult, GraphResult, QueryResult, SelectResult  # noqa: F401 (re-exported)
from kg.rdf.terms import Quad, Term, Triple, python_value
from kg.store.guard import Guard


def staging_graph(graph: str) -> str:
    """Where a file bound for an existing graph is loaded first (every backend), and moved in only once it is whole."""
    return f"{graph}#kg-load-staging"


class InterruptedAfterStoring(KeyboardInterrupt):
    """An interruption (Ctrl-C) that came once the file had parsed whole and its move into an existing graph had
    begun: the load was finished before it was let through, so the file is stored (any other interruption of a load
    stores nothing of the file)."""


@dataclass(frozen=True)
class Dataset:
    """A request's RDF dataset (SPARQL 1.1 Protocol `default-graph-uri` / `named-graph-uri`); empty = the store's."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class Store(ABC):
    """What the service needs from a triple store."""

    guard: Guard = Guard()
    version: str | None = None  # advanced by every change made through this store; None: changes may come from elsewhere
    base: str | None = None  # relative IRIs in queries and updates resolve against it (the graph's base, KG_BASE)

    def query(self, sparql: str, *, dataset: Dataset = Dataset(), bindings: dict[str, Term] | None = None,
              max_rows: int | None = None) -> QueryResult:
        """Evaluate a query; `bindings` are typed terms substituted for variables, never pasted into the text.

        Raises QuerySyntaxError for a malformed query, and the guard's errors for a text it refuses."""
        self.guard.check(sparql)
        return self._query(sparql, dataset, bindings, max_rows)

    def update(self, sparql: str) -> None:
        """Apply a SPARQL 1.1 Update atomically. Raises QuerySyntaxError for a malformed update."""
        self.guard.check(sparql)
        self._update(sparql)

    def select(self, sparql: str, **bindings: Term) -> list[dict[str, object]]:
        """Rows of a SELECT over all graphs as plain Python values (for the CLI and tests)."""
        result = self.query(sparql, bindings=bindings)
        return [{name: python_value(row.get(name)) for name in result.variables} for row in result.rows]

    def transaction(self) -> threading.RLock:
        """The lock a writer holds from reading the data to committing its change, so writes through this service
        are serialised (SPARQL 1.1 has no cross-request transactions)."""
        lock = self.__dict__.get("_transaction")
        if lock is None:
            lock = self.__dict__.setdefault("_transaction", threading.RLock())
        return lock

    @abstractmethod
    def _query(self, sparql: str, dataset: Dataset, bindings: dict[str, Term] | None,
               max_rows: int | None) -> QueryResult: ...

    @abstractmethod
    def _update(self, sparql: str) -> None: ...

    @abstractmethod
    def graph_triples(self, graph: str | None) -> list[Triple] | None:
        """The triples of a named graph (None: the default graph); None when the graph does not exist."""

    @abstractmethod
    def replace_graph(self, graph: str | None, triples: Iterable[Triple]) -> None: ...

    @abstractmethod
    def add_to_graph(self, graph: str | None, triples: Iterable[Triple]) -> None: ...

    @abstractmethod
    def drop_graph(self, graph: str | None) -> bool:
        """Remove a graph; False when it did not exist."""

    @abstractmethod
    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph (empty named graphs count 0)."""

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, empty ones included."""
        return list(self.graph_sizes())

    @abstractmethod
    def quads(self) -> Iterator[Quad]:
        """Every quad, for export and for copying into a scratch store."""

    @abstractmethod
    def load(self, path: Path, graph: str, progress: Callable[[int], None] | None = None,
             replace: bool = False) -> int:
        """Load an RDF file (format from its suffix) into a named graph (`replace`: instead of its content); returns
        the number of triples. A file that does not parse stores nothing and raises ParseError; an interruption
        (KeyboardInterrupt) stores nothing either and goes on up, unless the file was stored whole before it could
        act (InterruptedAfterStoring)."""

    def compact(self) -> bool:
        """Reorganise the stored data for reading after a bulk load; whether there was anything to do here (a remote
        server and an in-memory store keep their own)."""
        return False

    def close(self) -> None:
        """Release resources (flush an on-disk store, close connections)."""
