"""The store interface the service talks to: SPARQL 1.1 Query and Update, and Graph Store operations.

Two backends implement it: `EmbeddedStore` (Oxigraph in this process) and `RemoteStore` (any SPARQL 1.1 server
through SPARQLWrapper). Terms are pyoxigraph terms in both, so everything above the store is backend-neutral.
The default graph of a query is the union of all named graphs unless the request names its dataset.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple


@dataclass
class SelectResult:
    variables: list[str]
    rows: list[dict[str, Term]]
    truncated: bool = False  # more rows existed than the row limit allowed


@dataclass
class AskResult:
    value: bool


@dataclass
class GraphResult:
    triples: list[pyoxigraph.Triple] = field(default_factory=list)
    truncated: bool = False


QueryResult = SelectResult | AskResult | GraphResult


@dataclass(frozen=True)
class Dataset:
    """A request's RDF dataset (SPARQL 1.1 Protocol `default-graph-uri` / `named-graph-uri`); empty = the store's."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class Store(ABC):
    """What the service needs from a triple store."""

    @abstractmethod
    def query(self, sparql: str, *, dataset: Dataset = Dataset(), bindings: dict[str, Term] | None = None,
              max_rows: int | None = None) -> QueryResult:
        """Evaluate a query; `bindings` are typed terms substituted for variables, never pasted into the text.

        Raises QuerySyntaxError for a malformed query."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Apply a SPARQL 1.1 Update atomically. Raises QuerySyntaxError for a malformed update."""

    @abstractmethod
    def graph_triples(self, graph: str | None) -> list[pyoxigraph.Triple] | None:
        """The triples of a named graph (None: the default graph); None when the graph does not exist."""

    @abstractmethod
    def replace_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> None: ...

    @abstractmethod
    def add_to_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> None: ...

    @abstractmethod
    def drop_graph(self, graph: str | None) -> bool:
        """Remove a graph; False when it did not exist."""

    @abstractmethod
    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph."""

    @abstractmethod
    def quads(self) -> Iterator[pyoxigraph.Quad]:
        """Every quad, for export and for copying into a scratch store."""

    @abstractmethod
    def load(self, path: Path, graph: str, progress: Callable[[int], None] | None = None) -> int:
        """Load an RDF file (format from its suffix) into a named graph; returns the number of triples."""

    def close(self) -> None:
        """Release resources (flush an on-disk store, close connections)."""
