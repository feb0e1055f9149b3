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

import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph
import rdflib

from kg.config import Settings
from kg.errors import InvalidData, NotFound, UsageError
from kg.files import ontology_files, shapes_files
from kg.findings import Finding
from kg.outbound import check_outbound
from kg.rdf import read_turtle_files
from kg.shacl_focus import validate_focus
from kg.store.base import Store
from kg.store.embedded import EmbeddedStore
from kg.store.parsing import read_triples

RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OWNER_DEPTH = 8  # blank nodes are checked through the IRIs that hold them, up to this many links away
REPORTED_FOCUS = 50  # focus nodes listed in a report

_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store -> its writers' lock
_locks_guard = threading.Lock()


@dataclass(frozen=True)
class WriteOutcome:
    """What a committed write did: quads added and removed, nodes validated, time taken, graph created."""

    added: int
    removed: int
    focus_nodes: int
    seconds: float
    created: bool = False


def apply_update(settings: Settings, store: Store, sparql_update: str) -> WriteOutcome:
    """Apply a SPARQL 1.1 Update; QuerySyntaxError (400) for a malformed one, Forbidden for SERVICE/LOAD elsewhere."""
    check_outbound(sparql_update, settings.service_allowlist)  # the scratch store would fetch them too
    return _write(settings, store, lambda target: target.update(sparql_update))


def replace_graph(settings: Settings, store: Store, graph: str | None,
                  triples: Iterable[pyoxigraph.Triple]) -> WriteOutcome:
    """Make a graph hold exactly these triples (Graph Store PUT); `created` says whether it is new."""
    return _fill(settings, store, graph, triples, "replace_graph")


def add_to_graph(settings: Settings, store: Store, graph: str | None,
                 triples: Iterable[pyoxigraph.Triple]) -> WriteOutcome:
    """Merge triples into a graph (Graph Store POST); `created` says whether it is new."""
    return _fill(settings, store, graph, triples, "add_to_graph")


def _fill(settings: Settings, store: Store, graph: str | None, triples: Iterable[pyoxigraph.Triple],
          operation: str) -> WriteOutcome:
    """Run a Store graph operation (`replace_graph` / `add_to_graph`) as a validated write."""
    triples = list(triples)
    with _lock(store):
        created = not _exists(store, graph)
        return _write(settings, store, lambda target: getattr(target, operation)(graph, triples), created)


def drop_graph(settings: Settings, store: Store, graph: str | None) -> WriteOutcome:
    """Remove a named graph, or empty the default graph (Graph Store DELETE); NotFound for an unknown graph."""
    with _lock(store):
        if not _exists(store, graph):
            raise NotFound(f"there is no graph <{graph}> in the store")
        return _write(settings, store, lambda target: target.drop_graph(graph))


def _write(settings: Settings, store: Store, change: Callable[[Store], object], created: bool = False) -> WriteOutcome:
    """Run the change on a scratch copy, validate the nodes it touched, then run it on the store, all under the lock."""
    started = time.perf_counter()
    with _lock(store):
        before, graphs = list(store.quads()), tuple(store.graph_sizes())
        scratch = _copy(before, graphs)
        _attempt(change, scratch)  # a malformed or failing update stops here, before the real store is touched
        after = set(scratch.quads())
        old = set(before)
        added, removed = after - old, old - after
        focus = touched_nodes(added | removed, scratch.store)
        if focus:
            _check(settings, before, scratch, focus)
        change(store)
    return WriteOutcome(len(added), len(removed), len(focus), round(time.perf_counter() - started, 3), created)


def touched_nodes(changed: set[pyoxigraph.Quad], data: pyoxigraph.Store) -> set[rdflib.term.Node]:
    """The nodes whose shapes a change can break: subjects and node objects of the changed quads, the nodes that
    link to a node whose type changed (their sh:class constraints), and the IRIs holding a changed blank node."""
    nodes = {q.subject for q in changed} | {q.object for q in changed if _is_node(q.object)}
    retyped = {q.subject for q in changed if q.predicate == RDF_TYPE}
    nodes |= {q.subject for node in retyped for q in data.quads_for_pattern(None, None, node)
              if q.predicate != RDF_TYPE}
    nodes |= _owners({n for n in nodes if isinstance(n, pyoxigraph.BlankNode)}, data)
    return {_rdflib(node) for node in nodes if _is_node(node)}


def _owners(blank_nodes: set, data: pyoxigraph.Store) -> set:
    """Every subject from which a path of links leads to one of the blank nodes (up to OWNER_DEPTH links)."""
    found, frontier = set(), set(blank_nodes)
    for _ in range(OWNER_DEPTH):
        frontier = {q.subject for node in frontier for q in data.quads_for_pattern(None, None, node)} - found
        found |= frontier
        frontier = {n for n in frontier if isinstance(n, pyoxigraph.BlankNode)}
        if not frontier:
            break
    return found


def _check(settings: Settings, before: list[pyoxigraph.Quad], scratch: EmbeddedStore, focus: set) -> None:
    """Raise InvalidData if the changed data has Violations on the focus nodes that the data before did not have."""
    shapes = _shapes(_signature(shapes_files(settings)))
    violations = _violations(_with_ontology(settings, scratch), shapes, focus)
    if not violations:
        return
    existing = {_key(f) for f in _violations(_with_ontology(settings, _copy(before, ())), shapes, focus)}
    new = [f for f in violations if _key(f) not in existing]
    if new:
        raise InvalidData(_summary(new), report={
            "conforms": False,
            "results": [f.as_dict() for f in new],
            "focusNodes": sorted(str(n) for n in focus)[:REPORTED_FOCUS],
        })


def _violations(data: EmbeddedStore, shapes: rdflib.Graph, focus: set) -> list[Finding]:
    return [f for f in validate_focus(data.store, shapes, focus) if f.severity == "Violation"]


def _key(finding: Finding) -> tuple:
    return (finding.focusNode, finding.resultPath, finding.sourceShape, finding.sourceConstraintComponent,
            finding.value, finding.message)


def _summary(new: list[Finding]) -> str:
    first = new[0]
    path = f" {first.resultPath}" if first.resultPath else ""
    more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
    return (f"the write would add {len(new)} SHACL violation(s); nothing was changed. "
            f"<{first.focusNode}>{path}: {first.message}{more}")


def _copy(quads: list[pyoxigraph.Quad], graphs: Iterable[str]) -> EmbeddedStore:
    """An in-memory store with the quads, and the named graphs (empty ones too: `CREATE GRAPH` must fail alike)."""
    scratch = EmbeddedStore()
    for graph in graphs:
        scratch.store.add_graph(pyoxigraph.NamedNode(graph))
    scratch.store.extend(quads)
    return scratch


def _attempt(change: Callable[[Store], object], scratch: EmbeddedStore) -> None:
    """Run the change on the scratch store; an update Oxigraph cannot apply (`DROP GRAPH` of a graph that is not
    there) is the client's error, as it would be on the real store."""
    try:
        change(scratch)
    except RuntimeError as error:
        raise UsageError(f"the update cannot be applied: {error}") from None


def _with_ontology(settings: Settings, data: EmbeddedStore) -> EmbeddedStore:
    """Add the ontology's graphs the store lacks (a user's own data set), so the shapes see the class hierarchy."""
    present = {g.value for g in data.store.named_graphs() if isinstance(g, pyoxigraph.NamedNode)}
    missing = tuple(f for f in ontology_files(settings) if f.graph not in present)
    if missing:
        data.store.extend(_ontology_quads(_signature(f.path for f in missing), tuple(f.graph for f in missing)))
    return data


def _exists(store: Store, graph: str | None) -> bool:
    return graph is None or store.graph_triples(graph) is not None


def _lock(store: Store) -> threading.RLock:
    with _locks_guard:
        return _locks.setdefault(store, threading.RLock())


def _signature(paths: Iterable[Path]) -> tuple[tuple[str, int], ...]:
    """Files with their modification times: a cache key that changes when a file is edited."""
    return tuple((str(p), p.stat().st_mtime_ns) for p in paths)


@lru_cache(maxsize=4)
def _shapes(signature: tuple) -> rdflib.Graph:
    return read_turtle_files(Path(path) for path, _ in signature)


@lru_cache(maxsize=4)
def _ontology_quads(signature: tuple, graphs: tuple[str, ...]) -> tuple[pyoxigraph.Quad, ...]:
    return tuple(pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.NamedNode(graph))
                 for (path, _), graph in zip(signature, graphs) for t in read_triples(Path(path)))


def _is_node(term) -> bool:
    return isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.BlankNode))


def _rdflib(node) -> rdflib.term.Node:
    return rdflib.URIRef(node.value) if isinstance(node, pyoxigraph.NamedNode) else rdflib.BNode(node.value)
