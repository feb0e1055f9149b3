"""The SHACL shapes as a table people can read (`/shapes`): one row per constraint, with the shape's target, the
property path, the constraint in words, its severity and its message; blank nodes (paths, lists, SPARQL targets)
are written out, never shown as their ids. Built from the shapes' triples alone."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.rdf.namespaces import PREFIXES, curie
from kg.rdf.terms import Literal, NamedNode

SH, RDF = PREFIXES["sh"], PREFIXES["rdf"]
# What a constraint row does not show as a constraint (it has its own column, or it only names or documents)
NOT_CONSTRAINTS = {f"{SH}{name}" for name in (
    "path", "message", "severity", "name", "description", "property", "targetClass", "targetNode", "targetSubjectsOf",
    "targetObjectsOf", "target", "deactivated", "order", "group", "prefixes", "declare")} | {f"{RDF}type",
                                                                                         PREFIXES["rdfs"] + "label",
                                                                                         PREFIXES["rdfs"] + "comment"}
TARGETS = {"targetClass": "", "targetNode": "node ", "targetSubjectsOf": "subjects of ", "targetObjectsOf": "objects of "}
SEVERITIES = {f"{SH}Violation": "Violation", f"{SH}Warning": "Warning", f"{SH}Info": "Info"}


@dataclass
class ConstraintRow:
    shape: str
    anchor: str
    target: list[str]
    path: str
    constraints: list[str]
    severity: str
    message: str
    queries: list[str] = field(default_factory=list)  # SPARQL of sh:sparql constraints and targets, for <details>


class _Graph:
    def __init__(self, triples) -> None:
        self.out: dict[object, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self.out[t.subject][t.predicate.value].append(t.object)

    def one(self, node, predicate: str):
        values = self.out.get(node, {}).get(predicate, [])
        return values[0] if values else None

    def items(self, node) -> list:
        """An RDF list's members (rdf:first/rdf:rest)."""
        members, seen = [], set()
        while node is not None and node not in seen and node != NamedNode(f"{RDF}nil"):
            seen.add(node)
            first = self.one(node, f"{RDF}first")
            if first is not None:
                members.append(first)
            node = self.one(node, f"{RDF}rest")
        return members


def shape_rows(triples, language: str = "en") -> list[ConstraintRow]:
    graph = _Graph(triples)
    shapes = [s for s, p in graph.out.items() if isinstance(s, NamedNode)
              and (NamedNode(f"{SH}NodeShape") in p.get(f"{RDF}type", []) or any(f"{SH}{t}" in p for t in TARGETS)
                   or f"{SH}target" in p)]
    rows = []
    for shape in sorted(shapes, key=lambda s: s.value):
        target, queries = _targets(graph, shape)
        own = _row(graph, shape, shape, target, None, language)
        own.queries = queries + own.queries
        if own.constraints:
            rows.append(own)
        for prop in graph.out[shape].get(f"{SH}property", []):
            rows.append(_row(graph, shape, prop, target, shape, language))
    return rows


def _targets(graph: _Graph, shape) -> tuple[list[str], list[str]]:
    found, queries = [], []
    for name, words in TARGETS.items():
        found += [words + curie(v.value) for v in graph.out[shape].get(f"{SH}{name}", [])]
    for target in graph.out[shape].get(f"{SH}target", []):
        select = graph.one(target, f"{SH}select")
        found.append("SPARQL target")
        queries += [select.value] if select is not None else []
    return found, queries


def _row(graph: _Graph, shape, node, target, parent, language: str) -> ConstraintRow:
    properties = graph.out[node]
    constraints, queries = [], []
    for predicate, values in sorted(properties.items()):
        if predicate in NOT_CONSTRAINTS:
            continue
        for value in values:
            if predicate == f"{SH}sparql":
                constraints.append("SPARQL")
                select = graph.one(value, f"{SH}select")
                queries += [select.value] if select is not None else []
            else:
                constraints.append(f"{curie(predicate).removeprefix('sh:')} {_term(graph, value)}")
    severity = graph.one(node, f"{SH}severity") or (graph.one(parent, f"{SH}severity") if parent else None)
    message = _message(graph, node, language) or next(
        (m for c in properties.get(f"{SH}sparql", []) if (m := _message(graph, c, language))), "")
    path = graph.one(node, f"{SH}path")
    name = curie(shape.value)
    return ConstraintRow(name, name.rsplit(":", 1)[-1], target, _path(graph, path) if path is not None else "",
                         constraints, SEVERITIES.get(severity.value, "Violation") if severity is not None else "Violation",
                         message, queries)


def _message(graph: _Graph, node, language: str) -> str:
    messages = [m for m in graph.out.get(node, {}).get(f"{SH}message", []) if isinstance(m, Literal)]
    chosen = [m for m in messages if (m.language or "").split("-")[0] == language] or messages
    return chosen[0].value if chosen else ""


def _path(graph: _Graph, path) -> str:
    """A SHACL property path in SPARQL's syntax: ^p, p1/p2, p1|p2, p*, p+, p?."""
    if isinstance(path, NamedNode):
        return curie(path.value)
    if graph.one(path, f"{RDF}first") is not None:
        return "/".join(_path(graph, p) for p in graph.items(path))
    for name, shown in (("inversePath", "^{}"), ("zeroOrMorePath", "({})*"), ("oneOrMorePath", "({})+"),
                        ("zeroOrOnePath", "({})?")):
        inner = graph.one(path, f"{SH}{name}")
        if inner is not None:
            return shown.format(_path(graph, inner))
    alternatives = graph.one(path, f"{SH}alternativePath")
    if alternatives is not None:
        return "(" + " | ".join(_path(graph, p) for p in graph.items(alternatives)) + ")"
    return "…"


def _term(graph: _Graph, value) -> str:
    if isinstance(value, NamedNode):
        return curie(value.value)
    if isinstance(value, Literal):
        return f'"{value.value}"' if value.datatype.value.endswith("#string") or value.language else value.value
    if graph.one(value, f"{RDF}first") is not None:
        return "(" + " ".join(_term(graph, v) for v in graph.items(value)) + ")"
    if f"{SH}path" in graph.out.get(value, {}) or graph.out.get(value):  # a nested shape: its constraints inline
        inner = _row(graph, value, value, [], None, "en")
        path = f"{inner.path}: " if inner.path else ""
        return "[" + path + "; ".join(inner.constraints) + "]"
    return "[]"
