"""What the pages for people need from the graph besides descriptions: the choices of a canned query's IRI
parameters (resources of the same kind as its example), whether an IRI names anything in the graph (a warning
rather than a silent empty answer), and the result columns of a canned query.

Every query is a `.rq` file of `queries/services/` run with typed terms bound, never text pasted into SPARQL."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl

from kg import queries
from kg.core.errors import KgError
from kg.rdf.terms import Literal, NamedNode
from kg.services.canned import CannedQuery, Parameter
from kg.store.base import Store

PICKER = queries.text("services/picker-options")
EXISTS = queries.text("services/resource-exists")
MAX_CHOICES = 400  # more than this and the form keeps a text field with suggestions
_EXAMPLE = re.compile(r"\(e\.g\.\s*([^\s)]+)")


@dataclass(frozen=True)
class Choice:
    iri: str
    label: str


def example_iri(query: CannedQuery, parameter: Parameter, base: str) -> str | None:
    """An IRI of the kind the parameter wants: its value in an example, its default, or the `(e.g. ...)` of its
    description; a path is resolved against the graph's base."""
    found = [value for example in query.examples for name, value in parse_qsl(example) if name == parameter.name]
    found += [parameter.default] if parameter.default else []
    found += _EXAMPLE.findall(parameter.description)
    for value in found:
        try:
            return parameter.term(value, base).value
        except KgError:
            continue
    return None


def choices(store: Store, query: CannedQuery, base: str, language: str) -> dict[str, list[Choice]]:
    """For each IRI parameter with an example: the resources sharing a type with it, named in `language` (else
    English, Russian, Kazakh, else their IRI), sorted by name."""
    found = {}
    for parameter in query.parameters:
        example = example_iri(query, parameter, base) if parameter.type == "iri" else None
        if example is None:
            continue
        result = store.query(PICKER, bindings={"example": NamedNode(example)}, max_rows=20 * MAX_CHOICES)
        labels: dict[str, list[Literal]] = defaultdict(list)
        for row in result.rows:
            item, label = row.get("item"), row.get("label")
            labels[item.value]  # noqa: B018 - an item without a label is still a choice
            if isinstance(label, Literal):
                labels[item.value].append(label)
        if labels and len(labels) <= MAX_CHOICES:
            named = [Choice(item, _name(item, found_labels, language, base)) for item, found_labels in labels.items()]
            found[parameter.name] = sorted(named, key=lambda c: (c.label.lower(), c.iri))
    return found


def _name(item: str, labels: list[Literal], language: str, base: str) -> str:
    order = [language] + [tag for tag in ("en", "ru", "kk") if tag != language]
    for tag in order:
        for label in sorted(labels, key=lambda l: ("-t-" in (l.language or ""), l.value)):
            if (label.language or "").lower().split("-")[0] == tag:
                return label.value
    return labels[0].value if labels else item.removeprefix(base)


def unknown_iris(store: Store, query: CannedQuery, values, base: str) -> list[str]:
    """The IRI parameter values (as given in the request) that no triple of the graph mentions."""
    unknown = []
    kinds = {p.name: p for p in query.parameters if p.type == "iri"}
    for name, value in values:
        if name in kinds and value:
            term = kinds[name].term(value, base)
            if not store.query(EXISTS, bindings={"resource": term}, max_rows=1).rows:
                unknown.append(f"{name}=<{term.value}>")
    return unknown


def result_variables(text: str) -> list[str]:
    """The variables a SELECT query projects, in order (`?x` and `(... AS ?x)`): a canned query's result columns,
    described in the OpenAPI document. Parentheses are matched, so any expression may precede `AS`."""
    start = re.search(r"^\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?", text, re.M | re.I)
    if start is None:
        return []
    found, depth, group, position = [], 0, "", start.end()
    while position < len(text):
        char = text[position]
        if depth == 0 and (char == "{" or re.match(r"WHERE\b", text[position:], re.I)):
            break
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                found += re.findall(r"\bAS\s+\?(\w+)\s*$", group + " ", re.I)[:1]
                group = ""
        elif depth == 0 and char == "?":
            found.append(re.match(r"\?(\w+)", text[position:]).group(1))
        if depth > 0:
            group += char if char != "(" or depth > 1 else ""
        position += 1
    return found
