"""Writes (SPARQL 1.1 Update, Graph Store Protocol) that are atomic and checked against `shapes/` before they count.

Each write runs first on a scratch copy of the data (an in-memory Oxigraph store). The quads it adds or removes name
the focus nodes to check: whole-graph validation takes tens of seconds at a million triples, the touched nodes a
fraction of a second (ARCHITECTURE.md). If the write would add a SHACL Violation there, nothing is committed and
InvalidData carries the report (HTTP 422). Otherwise the same operation goes to the real store in one call: one
Oxigraph transaction, or one request to a remote server; the time-limited store's query replicas are swapped after
it, so readers see the old data or the new, never half.

Violations already in the data before the write (e.g. left by a bulk load) do not block a write that leaves them
as they were: a write is refused for what it breaks, not for what it did not fix. Writers are serialised per store.
Against a remote server that others also write to, a change between our copy and our commit escapes the check
(SPARQL 1.1 has no cross-request transactions): keep this service the only writer, or validate on the server too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import rdflib

from kg.core.config import Settings
from kg.core.bounded import Overran, in_child
from kg.core.errors import InvalidData, NotFound, UsageError, WriteTimeout
from kg.core.project import ontology_files, shapes_files
from kg.rdf.graphs import read_turtle_files
from kg.rdf.parsing import read_triples
from kg.rdf.terms import Quad, Triple, quad
from kg.rdf.sparql_update import with_using
from kg.store.base import Dataset, Store
from kg.store.embedded import EmbeddedStore
from kg.validation.findings import Finding
from kg.validation.focus import touched_nodes, validate_focus

REPORTED_FOCUS = 50  # focus nodes listed in a report


@dataclass(frozen=True)
class WriteOutcome:
    """What a committed write did: quads added and removed, nodes validated, time taken, graph created."""

    added: int
    removed: int
    focus_nodes: int
    seconds: float
    created: bool = False


def apply_update(settings: Settings, store: Store, sparql_update: str, using: Dataset = Dataset()) -> WriteOutcome:
    """Apply a SPARQL 1.1 Update, `using` the Protocol's update dataset (§2.2.3); QuerySyntaxError (400) for a
    malformed one, and whatever the store's guard refuses (the scratch copy has the same guard and base)."""
    text = with_using(sparql_update, using.default_graphs, using.named_graphs)
    return _write(settings, store, lambda target: target.update(text))


def replace_graph(settings: Settings, store: Store, graph: str | None,
                  triples: Iterable[Triple]) -> WriteOutcome:
    """Make a graph hold exactly these triples (Graph Store PUT); `created` says whether it is new."""
    return _fill(settings, store, graph, triples, "replace_graph")


def add_to_graph(settings: Settings, store: Store, graph: str | None,
                 triples: Iterable[Triple]) -> WriteOutcome:
    """Merge triples into a graph (Graph Store POST); `created` says whether it is new."""
    return _fill(settings, store, graph, triples, "add_to_graph")


def _fill(settings: Settings, store: Store, graph: str | None, triples: Iterable[Triple],
          operation: str) -> WriteOutcome:
    """Run a Store graph operation (`replace_graph` / `add_to_graph`) as a validated write."""
    triples = list(triples)
    with store.transaction():
        created = not _exists(store, graph)
        return _write(settings, store, lambda target: getattr(target, operation)(graph, triples), created)


def drop_graph(settings: Settings, store: Store, graph: str | None) -> WriteOutcome:
    """Remove a named graph, or empty the default graph (Graph Store DELETE); NotFound for an unknown graph."""
    with store.transaction():
        if not _exists(store, graph):
            raise NotFound(f"there is no graph <{graph}> in the store")
        return _write(settings, store, lambda target: target.drop_graph(graph))


def _write(settings: Settings, store: Store, change: Callable[[Store], object], created: bool = False) -> WriteOutcome:
    """Run the change on a scratch copy, validate the nodes it touched, then run it on the store, all under the lock."""
    started = time.perf_counter()
    with store.transaction():
        before, graphs = list(store.quads()), tuple(store.graph_sizes())
        scratch = EmbeddedStore.from_quads(before, graphs, guard=store.guard, base=store.base)
        _attempt(change, scratch)  # a malformed or failing update stops here, before the real store is touched
        after = set(scratch.quads())
        old = set(before)
        added, removed = after - old, old - after
        focus = touched_nodes(added | removed, scratch)
        if focus:
            _check(settings, before, scratch, focus)
        change(store)
    return WriteOutcome(len(added), len(removed), len(focus), round(time.perf_counter() - started, 3), created)


def _check(settings: Settings, before: list[Quad], scratch: EmbeddedStore, focus: set) -> None:
    """Raise InvalidData if the changed data has Violations on the focus nodes that the data before did not have.

    The validation runs in a child process killed after KG_WRITE_TIMEOUT seconds (pySHACL cannot be interrupted):
    then nothing is written and the client gets 503."""
    shapes = _shapes(_signature(shapes_files(settings)))
    try:
        new = in_child(lambda: _new_violations(settings, before, scratch, shapes, focus), settings.write_timeout)
    except Overran:
        raise WriteTimeout(f"validating the write ({len(focus):,} touched resources) ran past the "
                           f"{settings.write_timeout:g} s limit (KG_WRITE_TIMEOUT); nothing was changed. Send it in "
                           "smaller parts, or ask the operator to raise the limit") from None
    if new:
        raise InvalidData(_summary(new), report={
            "conforms": False,
            "results": [f.as_dict() for f in new],
            "focusNodes": sorted(str(n) for n in focus)[:REPORTED_FOCUS],
        })


def _new_violations(settings: Settings, before: list[Quad], scratch: EmbeddedStore, shapes: rdflib.Graph,
                    focus: set) -> list[Finding]:
    violations = _violations(_with_ontology(settings, scratch), shapes, focus)
    if not violations:
        return []
    existing = {_key(f) for f in _violations(_with_ontology(settings, EmbeddedStore.from_quads(before)), shapes, focus)}
    return [f for f in violations if _key(f) not in existing]


def _violations(data: EmbeddedStore, shapes: rdflib.Graph, focus: set) -> list[Finding]:
    return [f for f in validate_focus(data, shapes, focus) if f.severity == "Violation"]


def _key(finding: Finding) -> tuple:
    return (finding.focusNode, finding.resultPath, finding.sourceShape, finding.sourceConstraintComponent,
            finding.value, finding.message)


def _summary(new: list[Finding]) -> str:
    first = new[0]
    path = f" {first.resultPath}" if first.resultPath else ""
    more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
    return (f"the write would add {len(new)} SHACL violation(s); nothing was changed. "
            f"<{first.focusNode}>{path}: {first.message}{more}")


def _attempt(change: Callable[[Store], object], scratch: EmbeddedStore) -> None:
    """Run the change on the scratch store; an update Oxigraph cannot apply (`DROP GRAPH` of a graph that is not
    there) is the client's error, as it would be on the real store."""
    try:
        change(scratch)
    except RuntimeError as error:
        raise UsageError(f"the update cannot be applied: {error}") from None


def _with_ontology(settings: Settings, data: EmbeddedStore) -> EmbeddedStore:
    """Add the ontology's graphs the store lacks (a user's own data set), so the shapes see the class hierarchy."""
    present = set(data.named_graphs())
    missing = tuple(f for f in ontology_files(settings) if f.graph not in present)
    if missing:
        data.add_quads(_ontology_quads(_signature(f.path for f in missing), tuple(f.graph for f in missing)))
    return data


def _exists(store: Store, graph: str | None) -> bool:
    return graph is None or store.graph_triples(graph) is not None


def _signature(paths: Iterable[Path]) -> tuple[tuple[str, int], ...]:
    """Files with their modification times: a cache key that changes when a file is edited."""
    return tuple((str(p), p.stat().st_mtime_ns) for p in paths)


@lru_cache(maxsize=4)
def _shapes(signature: tuple) -> rdflib.Graph:
    return read_turtle_files(Path(path) for path, _ in signature)


@lru_cache(maxsize=4)
def _ontology_quads(signature: tuple, graphs: tuple[str, ...]) -> tuple[Quad, ...]:
    return tuple(quad(t, graph) for (path, _), graph in zip(signature, graphs) for t in read_triples(Path(path)))
