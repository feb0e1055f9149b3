"""`kg diff` output: Markdown (for a pull-request comment), JSON, and `--stat` (counts per graph and class)."""

from __future__ import annotations

import json
from collections import Counter

from kg.core.config import Settings
from kg.rdf.namespaces import PREFIXES
from kg.services.diff import ELI_SIGNIFICANT, SOURCE, Resource, compare, sides
from kg.validation.locate import short

Changes = dict[str, dict[str, Resource]]


def render(settings: Settings, first: str | None, second: str | None, form: str, counts: bool) -> tuple[str, bool]:
    """The diff the command line asks for, and whether anything changed."""
    before, after = sides(settings, first, second)
    changes = compare(before, after)
    if counts:
        return stat(changes, settings.base), bool(changes)
    if form == "json":
        return as_json(changes, before.name, after.name), bool(changes)
    return markdown(changes, before.name, after.name, settings.base), bool(changes)


def markdown(changes: Changes, before: str, after: str, base: str) -> str:
    name = lambda iri: _name(iri, base)  # noqa: E731
    lines = [f"## kg diff: {before} → {after}", ""]
    if not changes:
        return "\n".join(lines + ["No change to the graph (formatting, order and blank-node labels aside).", ""])
    for graph, resources in changes.items():
        added = sum(len(r.added) + len(r.changed) for r in resources.values())
        removed = sum(len(r.removed) + len(r.changed) for r in resources.values())
        lines += [f"### {name(graph)} (+{added} −{removed})", ""]
        for resource in resources.values():
            label = f" “{resource.label}”" if resource.label else ""
            kinds = f" ({', '.join(sorted(name(t) for t in resource.types))})" if resource.types else ""
            status = f" — {resource.status}" if resource.status else ""
            lines.append(f"#### {name(resource.iri)}{label}{kinds}{status}")
            for _s, predicate, old, new in ((None, *c) for c in resource.changed):
                lines.append(f"- {_mark(predicate)}{name(predicate)}: {_value(old, base)} → {_value(new, base)}")
            for sign, triples in (("+", resource.added), ("−", resource.removed)):
                for subject, predicate, obj in sorted(triples):
                    via = f"{name(subject)} " if subject != resource.iri else ""
                    lines.append(f"- {sign} {_mark(predicate)}{via}{name(predicate)} {_value(obj, base)}")
            lines.append("")
    sources = _sources(changes)
    if sources["added"] or sources["lost"]:
        lines += ["### Sources", ""]
        lines += [f"- gained: {name(s)} ← {name(o)}" for s, o in sources["added"]]
        lines += [f"- lost: {name(s)} ← {name(o)}" for s, o in sources["lost"]]
        lines.append("")
    return "\n".join(lines)


def as_json(changes: Changes, before: str, after: str) -> str:
    document = {"from": before, "to": after, "graphs": {
        graph: [{"resource": r.iri, "label": r.label, "types": sorted(r.types), "status": r.status or None,
                 "added": [list(t) for t in sorted(r.added)], "removed": [list(t) for t in sorted(r.removed)],
                 "changed": [{"predicate": p, "old": o, "new": n, "eli": p in ELI_SIGNIFICANT} for p, o, n in r.changed],
                 "eli": sorted({t[1] for t in r.added + r.removed} & ELI_SIGNIFICANT | {p for p, _, _ in r.changed}
                               & ELI_SIGNIFICANT)}
                for r in resources.values()]
        for graph, resources in changes.items()}, "sources": _sources(changes)}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def stat(changes: Changes, base: str) -> str:
    """Statements added and removed per named graph and per class of the resource they are about."""
    lines = []
    for graph, resources in changes.items():
        by_class: Counter = Counter()
        for r in resources.values():
            kind = ", ".join(sorted(_name(t, base) for t in r.types)) or "(untyped)"
            by_class[(kind, "+")] += len(r.added) + len(r.changed)
            by_class[(kind, "-")] += len(r.removed) + len(r.changed)
        total_add = sum(n for (_, sign), n in by_class.items() if sign == "+")
        total_del = sum(n for (_, sign), n in by_class.items() if sign == "-")
        lines.append(f"{_name(graph, base)}: +{total_add} -{total_del} in {len(resources)} resource(s)")
        for kind in sorted({k for k, _ in by_class}):
            lines.append(f"  {kind}: +{by_class[(kind, '+')]} -{by_class[(kind, '-')]}")
    return "\n".join(lines or ["no change"]) + "\n"


def _sources(changes: Changes) -> dict[str, list]:
    found = {"added": [], "lost": []}
    for resources in changes.values():
        for r in resources.values():
            found["added"] += [[s, o] for s, p, o in r.added if p == SOURCE]
            found["lost"] += [[s, o] for s, p, o in r.removed if p == SOURCE]
    return found


def _mark(predicate: str) -> str:
    return "**[ELI]** " if predicate in ELI_SIGNIFICANT else ""


def _name(iri: str, base: str) -> str:
    return short(iri, PREFIXES, base)


def _value(obj: str, base: str) -> str:
    return obj if obj.startswith('"') else _name(obj, base)
