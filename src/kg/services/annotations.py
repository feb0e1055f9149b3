"""What a resource page shows beside the triples: where in its sources each fact is (a `kg:source` location's
code and text), the editorial and data-quality notes that concern the resource, and which of its statements are
uncertain (`kg:UncertainStatement`, issue 13). Each is a `.rq` file of `queries/services/` with the resource bound
as a typed term."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg import queries
from kg.rdf.namespaces import PREFIXES
from kg.rdf.terms import Literal, NamedNode
from kg.store.base import Store

SOURCES = queries.text("services/source-locations")
NOTES = queries.text("services/resource-notes")
UNCERTAIN = queries.text("services/uncertain-statements")
CHART = queries.text("services/dataset-chart")
SOURCE = PREFIXES["kg"] + "source"


@dataclass
class Note:
    """One remark on a fact or a resource: its kind (source, uncertain, note), a short title and a text."""

    kind: str
    title: str
    text: str | None = None
    href: str | None = None  # the note's own resource, when it has one


@dataclass(frozen=True)
class Observation:
    """One observation of a statistics data set, as its chart draws it."""

    category: str
    label: str
    period: str
    measure: str  # the measure's local name: offenceCount, relativeChangePercent, changeFactor, statedTrend
    value: float | None
    printed: str
    row: int


@dataclass
class Annotations:
    """Notes about the resource, and notes on its statements by (predicate IRI, the other term's value)."""

    notes: list[Note] = field(default_factory=list)
    statements: dict[tuple[str, str], list[Note]] = field(default_factory=lambda: defaultdict(list))
    observations: list[Observation] = field(default_factory=list)  # when the resource is a statistics data set


def annotate(store: Store, resource: str, language: str) -> Annotations:
    found = Annotations()
    node = NamedNode(resource)
    for row in store.query(SOURCES, bindings={"resource": node}).rows:
        location = row["location"].value
        notes = found.statements[(SOURCE, location)]
        if notes:  # one row per language of the location's texts: keep one, the reader's if there is one
            if _language(row.get("comment") or row.get("text")) != language:
                continue
            notes.clear()
        code = _text(row.get("code"))
        text = _text(row.get("text")) or _text(row.get("comment"))
        if code or text:
            notes.append(Note("source", code or "", text))  # the location's label is the link's own text
    for row in store.query(NOTES, bindings={"resource": node}).rows:
        if any(note.href == row["note"].value and _language(row.get("label")) != language for note in found.notes):
            continue
        found.notes = [note for note in found.notes if note.href != row["note"].value]
        kind = row["type"].value.rsplit("#", 1)[-1]
        title = _text(row.get("label")) or kind
        concerned = row.get("property")
        found.notes.append(Note(kind, title + (f" ({_short(concerned.value)})" if concerned else ""),
                                _text(row.get("text")), row["note"].value))
    for row in store.query(UNCERTAIN, bindings={"resource": node}).rows:
        other = row["o"] if row["s"] == node else row["s"]
        certainty = _short(row["certainty"].value)
        found.statements[(row["p"].value, other.value)].append(
            Note("uncertain", certainty, _text(row.get("noteText")), row["note"].value))
    found.observations = observations(store, resource, language)
    return found


def observations(store: Store, dataset: str, language: str) -> list[Observation]:
    """The data set's observations (none when it is not a qb:DataSet), the category named in `language`."""
    rows: dict[str, dict] = {}
    labels: dict[str, list[Literal]] = defaultdict(list)
    for row in store.query(CHART, bindings={"dataset": NamedNode(dataset)}).rows:
        rows.setdefault(row["observation"].value, row)
        if isinstance(row.get("categoryLabel"), Literal):
            labels[row["category"].value].append(row["categoryLabel"])
    order = [language] + [tag for tag in ("en", "ru", "kk") if tag != language]
    found = []
    for row in rows.values():
        category, value = row["category"].value, row.get("value")
        named = sorted(labels[category], key=lambda l: (order.index(_language(l)) if _language(l) in order else 9,
                                                        "-t-" in (l.language or "")))
        found.append(Observation(category, named[0].value if named else _short(category), _text(row.get("period")) or "",
                                 _short(row["measure"].value),
                                 float(value.value) if isinstance(value, Literal) and _numeric(value.value) else None,
                                 _text(row.get("printed")) or "", int(row["row"].value) if row.get("row") else 0))
    return sorted(found, key=lambda o: (o.row, o.category, o.period))


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _text(term) -> str | None:
    return term.value if isinstance(term, (Literal, NamedNode)) else None


def _language(term) -> str:
    return (term.language or "").split("-")[0] if isinstance(term, Literal) else ""


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
