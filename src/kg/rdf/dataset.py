"""A project file's quads with stable blank nodes: the same statements give the same quads whichever revision, order
or formatting they were written in.

A parser invents new blank-node labels on every run, so two readings of one file would differ in every statement that
involves a blank node. Here each blank node is named by what it is: a hash of the node that holds it (by the link
from it), its own statements (recursively) and, for identical siblings, their rank. This is an isomorphism-based
matching for the tree-shaped blank nodes Turtle writes (`[ ... ]`, lists); a blank node in a cycle keeps a hash of
its position among the file's statements. Used by change-aware validation and `kg diff`; never on the load path.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import defaultdict
from pathlib import Path

from pyoxigraph import RdfFormat, Store, serialize

from kg.rdf.parsing import format_of, parse_bytes
from kg.rdf.terms import BlankNode, NamedNode, Quad

VERSION = "1"  # of the naming below: a new rule must not reuse a cached file


@functools.lru_cache(maxsize=256)
def file_quads(data: bytes, graph: str, source: str) -> tuple[tuple[Quad, ...], tuple[tuple[str, str], ...]]:
    """The file's triples as quads in `graph` with stable blank nodes, and its prefixes; ParseError names `source`."""
    parsed = parse_bytes(data, format_of(Path(source)), source)
    names = _stable_names([q.triple for q in parsed.quads])
    graph_node = NamedNode(graph)
    rename = lambda term: names.get(term, term) if isinstance(term, BlankNode) else term  # noqa: E731
    quads = tuple(Quad(rename(q.subject), q.predicate, rename(q.object), graph_node) for q in parsed.quads)
    return quads, tuple(parsed.prefixes.items())


def _stable_names(triples: list) -> dict:
    outgoing, incoming = defaultdict(list), defaultdict(list)
    for triple in triples:
        if isinstance(triple.subject, BlankNode):
            outgoing[triple.subject].append(triple)
        if isinstance(triple.object, BlankNode):
            incoming[triple.object].append(triple)
    content: dict = {}

    def describe(node, seen: frozenset) -> str:
        if node in content:
            return content[node]
        if node in seen:  # a cycle: no content of its own to name it by
            return "cycle"
        parts = sorted(f"{t.predicate} {describe(t.object, seen | {node}) if isinstance(t.object, BlankNode) else t.object}"
                       for t in outgoing[node])
        content[node] = _hash("\n".join(parts))
        return content[node]

    names: dict = {}

    def name(node, seen: frozenset) -> str:
        if node in names:
            return names[node].value
        holders = sorted(incoming[node], key=lambda t: (str(t.subject), str(t.predicate)))
        holder = holders[0] if holders else None
        if holder is None or node in seen:
            parent = ""
        elif isinstance(holder.subject, BlankNode):
            parent = name(holder.subject, seen | {node})
        else:
            parent = str(holder.subject)
        key = f"{parent} {holder.predicate if holder else ''} {describe(node, frozenset())}"
        rank = ranks[key] = ranks.get(key, -1) + 1
        names[node] = BlankNode("b" + _hash(f"{key} {rank}")[:24])
        return names[node].value

    ranks: dict[str, int] = {}
    for node in sorted(set(outgoing) | set(incoming), key=lambda n: describe(n, frozenset())):
        name(node, frozenset())
    return names


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def nquads(data: bytes, graph: str, source: str, cache: Path | None = None) -> bytes:
    """`file_quads` as N-Quads, kept in `cache` (a folder) under the hash of the bytes and graph it derives from, so
    it can never be stale: an unchanged file is not parsed again, and the engine loads the N-Quads itself."""
    key = _hash(f"{VERSION}\n{graph}\n") + _hash_bytes(data)
    kept = cache / f"{key[:48]}.nq" if cache is not None else None
    if kept is not None and kept.exists():
        try:
            return kept.read_bytes()
        except OSError:
            pass
    text = _engine_nquads(data, graph, source)
    if b"_:" in text:  # blank nodes (or a literal holding "_:"): name them in Python
        text = serialize(file_quads(data, graph, source)[0], format=RdfFormat.N_QUADS)
    if kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            partial = kept.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(text)
            partial.replace(kept)  # atomic: a reader sees the whole file or none
        except OSError:
            pass
    return text


def _engine_nquads(data: bytes, graph: str, source: str) -> bytes:
    """The file in its named graph as N-Quads, parsed and written by the engine alone (no Python term objects)."""
    store = Store()
    try:
        store.load(data, format=format_of(Path(source)), to_graph=NamedNode(graph))
    except SyntaxError:
        file_quads(data, graph, source)  # raises the ParseError with file:line:column
        raise
    return store.dump(format=RdfFormat.N_QUADS)


def _hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
