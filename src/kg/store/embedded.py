"""The embedded store: Oxigraph (pyoxigraph) in this process, in memory or on disk. SPARQL runs in Oxigraph."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph

from kg.errors import QuerySyntaxError
from kg.files import DataFile
from kg.queries import query_text
from kg.sparql_text import has_dataset_clause
from kg.store.base import Dataset, QueryResult, Store, Term
from kg.store.parsing import FORMATS_BY_SUFFIX, read_triples  # noqa: F401 (FORMATS_BY_SUFFIX re-exported)
from kg.store.solutions import collect


GRAPH_SIZES = query_text("graph-sizes")


class EmbeddedStore(Store):
    """An Oxigraph store; `path=None` keeps it in memory, a folder keeps it on disk between runs."""

    def __init__(self, path: Path | str | None = None, read_only: bool = False) -> None:
        self.read_only = path is not None and read_only
        if self.read_only:
            self.store = pyoxigraph.Store.read_only(str(path))
        else:
            self.store = pyoxigraph.Store(str(path) if path is not None else None)

    @classmethod
    def from_files(cls, files: Iterable[DataFile]) -> "EmbeddedStore":
        store = cls()
        for data_file in files:
            store.load(data_file.path, data_file.graph)
        return store

    # ------------------------------------------------------------------ SPARQL

    def query(self, sparql: str, *, dataset: Dataset = Dataset(), bindings: dict[str, Term] | None = None,
              max_rows: int | None = None) -> QueryResult:
        try:
            result = self.store.query(sparql, substitutions=_substitutions(bindings),
                                      **_dataset_arguments(dataset, has_dataset_clause(sparql)))
            return collect(result, max_rows)
        except SyntaxError as error:
            raise QuerySyntaxError(f"malformed query: {error}") from None

    def update(self, sparql: str) -> None:
        try:
            self.store.update(sparql)
        except SyntaxError as error:
            raise QuerySyntaxError(f"malformed update: {error}") from None

    def select(self, sparql: str, **bindings: Term) -> list[dict[str, object]]:
        """Rows of a SELECT over all graphs as plain Python values (for the CLI and tests)."""
        result = self.query(sparql, bindings=bindings)
        return [{name: python_value(row.get(name)) for name in result.variables} for row in result.rows]

    # ------------------------------------------------------------------ Graph Store

    def graph_triples(self, graph: str | None) -> list[pyoxigraph.Triple] | None:
        node = _graph_node(graph)
        if graph is not None and not self.store.contains_named_graph(node):
            return None
        return [q.triple for q in self.store.quads_for_pattern(None, None, None, node)]

    def replace_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> None:
        """Clear and refill in one SPARQL Update, so a concurrent reader never sees the graph empty.

        The text is built only from terms pyoxigraph serialises (N-Triples), never from raw input."""
        body = pyoxigraph.serialize(list(triples), format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")
        if graph is None:
            self.store.update(f"DROP SILENT DEFAULT ; INSERT DATA {{ {body} }}")
            return
        name = str(pyoxigraph.NamedNode(graph))
        self.store.update(f"DROP SILENT GRAPH {name} ; CREATE SILENT GRAPH {name} ; "
                          f"INSERT DATA {{ GRAPH {name} {{ {body} }} }}")

    def add_to_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> None:
        node = _graph_node(graph)
        if graph is not None:
            self.store.add_graph(node)
        self.store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, node) for t in triples)

    def drop_graph(self, graph: str | None) -> bool:
        node = _graph_node(graph)
        if graph is None:
            self.store.clear_graph(node)
            return True
        if not self.store.contains_named_graph(node):
            return False
        self.store.remove_graph(node)
        return True

    def graph_sizes(self) -> dict[str, int]:
        sizes = {g.value: 0 for g in self.store.named_graphs() if isinstance(g, pyoxigraph.NamedNode)}
        for row in self.store.query(GRAPH_SIZES):
            sizes[row["graph"].value] = int(row["triples"].value)
        return sizes

    def quads(self) -> Iterator[pyoxigraph.Quad]:
        return iter(self.store.quads_for_pattern(None, None, None, None))

    def load(self, path: Path, graph: str, progress: Callable[[int], None] | None = None) -> int:
        """Load one file into its named graph; a syntax error raises ParseError and loads nothing of it."""
        target = pyoxigraph.NamedNode(graph)
        quads = [pyoxigraph.Quad(t.subject, t.predicate, t.object, target) for t in read_triples(path, progress)]
        self.store.add_graph(target)
        self.store.bulk_extend(quads)
        return len(quads)

    def __len__(self) -> int:
        return len(self.store)

    def close(self) -> None:
        if not self.read_only:  # a read-only store has nothing to flush (and Oxigraph refuses to)
            self.store.flush()


def python_value(term):
    """A plain Python value for a term: IRIs and strings as str, numbers as numbers, unbound as None."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in {"integer", "positiveInteger", "nonNegativeInteger", "int", "long"}:
            return int(term.value)
        if datatype in {"decimal", "double", "float"}:
            return float(term.value)
        if datatype == "boolean":
            return term.value == "true"
    return term.value


def _substitutions(bindings: dict[str, Term] | None) -> dict | None:
    return {pyoxigraph.Variable(name): term for name, term in bindings.items()} if bindings else None


def _dataset_arguments(dataset: Dataset, query_names_dataset: bool = False) -> dict:
    """The default graph is the union of the named graphs, unless the request or the query (FROM) names a dataset."""
    if not dataset.default_graphs and not dataset.named_graphs:
        return {} if query_names_dataset else {"use_default_graph_as_union": True}
    # SPARQL 1.1 Protocol §2.1.4: a protocol dataset is the whole dataset; a list not given is empty, not "all"
    return {"default_graph": [pyoxigraph.NamedNode(g) for g in dataset.default_graphs],
            "named_graphs": [pyoxigraph.NamedNode(g) for g in dataset.named_graphs]}


def _graph_node(graph: str | None):
    return pyoxigraph.DefaultGraph() if graph is None else pyoxigraph.NamedNode(graph)
