"""`kg diff`: what a change does to the graph, statement by statement, grouped by resource and named graph.

Each side is the project's ontology/ and graph/ files at a git revision (or in the working tree, or one file each),
read with stable blank nodes (`kg.rdf.dataset`: a blank node is named by what holds it and what it says), so
reformatting or reordering a file, or renaming its blank nodes, shows no change. Per resource: statements added and
removed, a literal replaced shown old → new, ELI-significant changes marked (number, date, title, is_part_of, in
force), and the sources a resource gained or lost.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.core import git
from kg.core.config import Settings
from kg.core.errors import UsageError
from kg.rdf.dataset import file_quads
from kg.rdf.namespaces import PREFIXES
from kg.rdf.terms import BlankNode, Literal, NamedNode

RDF_TYPE = PREFIXES["rdf"] + "type"
LABEL = PREFIXES["rdfs"] + "label"
SOURCE = PREFIXES["kg"] + "source"
ELI_SIGNIFICANT = {PREFIXES["eli"] + name for name in (
    "number", "date_document", "title", "title_short", "is_part_of", "in_force", "first_date_entry_in_force",
    "date_no_longer_in_force")}
WORKING_TREE = "working tree"


@dataclass
class Side:
    name: str
    graphs: dict[str, bytes] = field(default_factory=dict)  # graph IRI -> the file's bytes
    sources: dict[str, str] = field(default_factory=dict)  # graph IRI -> the file's display name


@dataclass
class Resource:
    iri: str
    label: str | None = None
    types: set[str] = field(default_factory=set)
    added: list[tuple] = field(default_factory=list)
    removed: list[tuple] = field(default_factory=list)
    changed: list[tuple] = field(default_factory=list)  # (predicate, old, new)
    status: str = ""  # "new" or "deleted" when the resource has no statement on the other side


def sides(settings: Settings, first: str | None, second: str | None) -> tuple[Side, Side]:
    """The two sides the arguments name: two files; or REV_A (default HEAD) and REV_B (default the working tree)."""
    if first and second and Path(first).is_file() and Path(second).is_file():
        return _file_side(settings, Path(first)), _file_side(settings, Path(second), graph_of=Path(first))
    for given in (first, second):
        if given and Path(given).suffix in (".ttl", ".nt", ".nq", ".trig") and not Path(given).is_file():
            raise UsageError(f"{given}: no such file")
    return _revision_side(settings, first or "HEAD"), (_revision_side(settings, second) if second
                                                       else _working_tree(settings))


def _file_side(settings: Settings, path: Path, graph_of: Path | None = None) -> Side:
    graph = settings.graph_iri((graph_of or path).stem)
    return Side(str(path), {graph: path.read_bytes()}, {graph: str(path)})


def _working_tree(settings: Settings) -> Side:
    side = Side(WORKING_TREE)
    for folder, prefix in ((settings.ontology_dir, "ontology/"), (settings.graph_dir, "")):
        for path in sorted(folder.glob("*.ttl")):
            graph = settings.graph_iri(prefix + path.stem)
            side.graphs[graph], side.sources[graph] = path.read_bytes(), f"{folder.name}/{path.name}"
    return side


def _revision_side(settings: Settings, revision: str) -> Side:
    commit = git.resolve(settings.root, revision)
    side = Side(f"{revision} ({commit[:12]})")
    files = git.files_at(settings.root, commit, [settings.ontology_dir, settings.graph_dir])
    for path, data in sorted(files.items()):
        prefix = "ontology/" if path.parent.name == settings.ontology_dir.name else ""
        graph = settings.graph_iri(prefix + path.stem)
        side.graphs[graph], side.sources[graph] = data, f"{revision}:{path.parent.name}/{path.name}"
    return side


def compare(before: Side, after: Side) -> dict[str, dict[str, Resource]]:
    """Per named graph that differs: the resources whose statements changed."""
    result = {}
    for graph in sorted(set(before.graphs) | set(after.graphs)):
        old_bytes, new_bytes = before.graphs.get(graph), after.graphs.get(graph)
        if old_bytes == new_bytes:
            continue
        old = set(file_quads(old_bytes, graph, before.sources[graph])[0]) if old_bytes is not None else set()
        new = set(file_quads(new_bytes, graph, after.sources[graph])[0]) if new_bytes is not None else set()
        if old != new:
            result[graph] = _resources(old, new)
    return result


def _resources(old: set, new: set) -> dict[str, Resource]:
    holder = _holders(old | new)
    found: dict[str, Resource] = {}
    for quads, bucket in ((new - old, "added"), (old - new, "removed")):
        for q in quads:
            owner = holder.get(q.subject, q.subject)
            key = owner.value if isinstance(owner, NamedNode) else f"_:{owner.value}"
            getattr(found.setdefault(key, Resource(key)), bucket).append(_triple(q))
    for resource in found.values():
        for q in new | old:
            if isinstance(q.subject, NamedNode) and q.subject.value == resource.iri:
                if q.predicate.value == RDF_TYPE:
                    resource.types.add(q.object.value)
                elif q.predicate.value == LABEL and (resource.label is None or (q.object.language or "").startswith("en")):
                    resource.label = q.object.value
        _pair_literals(resource)
        if resource.iri not in {q.subject.value for q in old if isinstance(q.subject, NamedNode)}:
            resource.status = "new"
        elif resource.iri not in {q.subject.value for q in new if isinstance(q.subject, NamedNode)}:
            resource.status = "deleted"
    return dict(sorted(found.items()))


def _holders(quads: set) -> dict:
    """Each blank node's nearest IRI holder (statements about a blank node belong to the resource holding it)."""
    up = {q.object: q.subject for q in quads if isinstance(q.object, BlankNode)}
    found = {}
    for node in up:
        seen, at = {node}, up[node]
        while isinstance(at, BlankNode) and at in up and at not in seen:
            seen.add(at)
            at = up[at]
        found[node] = at
    return found


def _triple(q) -> tuple[str, str, str]:
    subject = q.subject.value if isinstance(q.subject, NamedNode) else f"_:{q.subject.value}"
    if isinstance(q.object, Literal):
        obj = json.dumps(q.object.value, ensure_ascii=False) + (f"@{q.object.language}" if q.object.language else "")
    else:
        obj = q.object.value if isinstance(q.object, NamedNode) else f"_:{q.object.value}"
    return subject, q.predicate.value, obj


def _pair_literals(resource: Resource) -> None:
    """A predicate with one literal removed and one added on the same subject is a changed value: old → new."""
    gone = Counter((s, p) for s, p, o in resource.removed if o.startswith('"'))
    came = Counter((s, p) for s, p, o in resource.added if o.startswith('"'))
    for key in [k for k in gone if gone[k] == 1 and came.get(k) == 1]:
        old = next(t for t in resource.removed if t[:2] == key and t[2].startswith('"'))
        new = next(t for t in resource.added if t[:2] == key and t[2].startswith('"'))
        resource.removed.remove(old)
        resource.added.remove(new)
        resource.changed.append((key[1], old[2], new[2]))
