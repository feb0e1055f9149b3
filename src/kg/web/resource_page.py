"""Turn RDF terms into what the HTML pages show: names in the reader's language, and links that stay on this
server for IRIs of the graph's base (whatever host it runs on) and go out for every other IRI.

Values are handed to Jinja2 as plain text, never as markup: the templates escape everything from the data."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from kg.core.project import LANGUAGES, fallback
from kg.rdf.formats import LINK_SUFFIXES, OFFERED
from kg.rdf.namespaces import PREFIXES, curie
from kg.rdf.terms import BlankNode, Literal, NamedNode
from kg.services.describe import Description

RDF_TYPE = PREFIXES["rdf"] + "type"
LABEL_PROPERTIES = {PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel"}
PLAIN_DATATYPES = {PREFIXES["xsd"] + "string", PREFIXES["rdf"] + "langString"}
# paths of the base this server answers itself (see kg.web.routes.resources)
LOCAL_PATH = re.compile(r"(eli|id|graph)/.|(ontology|shapes|void)(#|$)")
LINKABLE_SCHEMES = {"http", "https", "mailto"}
RDF_LINKS = [(f.label, f".{f.suffixes[0]}") for f in OFFERED if f.suffixes and f.suffixes[0] in LINK_SUFFIXES]


@dataclass
class Value:
    """One term as shown: its text, a link for IRIs, a small note (language tag, datatype, compact IRI)."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str | None = None
    external: bool = False
    nested: list["Row"] = field(default_factory=list)  # the properties of a blank node


@dataclass
class Row:
    property: Value
    values: list[Value]


@dataclass
class Section:
    anchor: str
    subject: Value
    rows: list[Row]


@dataclass
class ResourcePage:
    iri: str
    title: str
    language: str
    labels: list[tuple[str, list[Value]]]
    types: list[Value]
    properties: list[Row]
    incoming: list[Row]
    formats: list[tuple[str, str]]
    truncated: bool


class Linker:
    """Names and links for terms, given the base IRI, the server's path root, labels and the reader's language."""

    def __init__(self, base: str, root: str, labels: dict[str, list[Literal]] | None = None,
                 language: str = "en") -> None:
        self.base, self.root, self.labels, self.language = base, root.rstrip("/"), labels or {}, language

    def href(self, iri: str) -> tuple[str | None, bool]:
        """The link for an IRI and whether it leaves this server (named graphs dereference at their own path). Only
        http(s) and mailto IRIs become links: a `javascript:` IRI in the data stays text (stored XSS)."""
        path = iri[len(self.base):] if iri.startswith(self.base) else None
        if path is not None and LOCAL_PATH.match(path):
            return f"{self.root}/{path}", False
        return (iri if iri.split(":", 1)[0].lower() in LINKABLE_SCHEMES else None), True

    def name(self, iri: str) -> str:
        label = best_label(self.labels.get(iri, []), self.language)
        return label.value if label is not None else curie(iri)

    def value(self, term, blanks: Description | None = None) -> Value:
        if isinstance(term, NamedNode):
            href, external = self.href(term.value)
            name, short = self.name(term.value), curie(term.value)
            return Value(name, href, term.value, short if short not in (name, term.value) else None, external)
        if isinstance(term, BlankNode):
            nested = self.rows(blanks.about(term)) if blanks is not None else []
            return Value(f"_:{term.value}", f"#b-{term.value}", nested=nested)
        if isinstance(term, Literal):
            return Value(term.value, note=literal_note(term))
        return Value(str(term))  # an RDF-star quoted triple

    def rows(self, triples, key=lambda t: t.predicate, values=lambda t: t.object,
             blanks: Description | None = None) -> list[Row]:
        """Triples grouped by `key` (the predicate by default), sorted by the property's name, then by value."""
        grouped = defaultdict(list)
        for triple in triples:
            grouped[key(triple)].append(values(triple))
        rows = [Row(self.value(p), sorted((self.value(v, blanks) for v in vs), key=lambda v: v.text.lower()))
                for p, vs in grouped.items()]
        return sorted(rows, key=lambda r: r.property.text.lower())


def best_label(labels: list[Literal], language: str) -> Literal | None:
    """The label in the reader's language (a source label before a translated one), else English, Russian, Kazakh."""
    order = fallback(language)

    def rank(label: Literal) -> tuple:
        tag = (label.language or "").lower()
        primary = tag.split("-")[0]
        return (order.index(primary) if primary in order else len(order), "-t-" in tag, label.value)

    return min(labels, key=rank, default=None)


def literal_note(literal: Literal) -> str | None:
    if literal.language:
        return f"@{literal.language}"
    if literal.datatype.value not in PLAIN_DATATYPES:
        return curie(literal.datatype.value)
    return None


def resource_page(description: Description, labels: dict[str, list[Literal]], base: str, root: str,
                  language: str, path: str) -> ResourcePage:
    """What `linked-data/resource.html` shows for one resource."""
    linker = Linker(base, root, labels, language)
    outgoing = description.outgoing
    own_labels = [t.object for t in outgoing if t.predicate.value in LABEL_PROPERTIES]
    title = best_label([l for l in own_labels if isinstance(l, Literal)], language)
    shown = [t for t in outgoing if t.predicate.value not in LABEL_PROPERTIES | {RDF_TYPE}]
    return ResourcePage(
        iri=description.iri,
        title=title.value if title is not None else curie(description.iri),
        language=language,
        labels=labels_by_language(own_labels),
        types=sorted((linker.value(t.object) for t in outgoing if t.predicate.value == RDF_TYPE), key=lambda v: v.text),
        properties=linker.rows(shown, blanks=description),
        incoming=linker.rows(description.incoming, values=lambda t: t.subject),
        formats=[(name, f"{root.rstrip('/')}/{path}{suffix}") for name, suffix in RDF_LINKS],
        truncated=description.truncated,
    )


def labels_by_language(labels) -> list[tuple[str, list[Value]]]:
    """kk, ru, en first (empty when missing, so a gap shows), then any other language."""
    grouped: dict[str, list[Value]] = {language: [] for language in LANGUAGES}
    for label in labels:
        if isinstance(label, Literal):
            primary = (label.language or "none").split("-")[0].lower()
            grouped.setdefault(primary, []).append(Value(label.value, note=f"@{label.language}" if label.language else None))
    return list(grouped.items())


def listing(triples, base: str, root: str) -> list[Section]:
    """Every subject of a small graph (shapes, VoID) as a section anchored at its fragment: first the subjects
    nothing else points to (the node shapes, the dataset), then the rest, blank nodes last."""
    linker = Linker(base, root)
    by_subject = defaultdict(list)
    for triple in triples:
        by_subject[triple.subject].append(triple)
    pointed_to = {t.object for t in triples}
    order = sorted(by_subject, key=lambda s: (isinstance(s, BlankNode), s in pointed_to, s.value))
    return [Section(_anchor(s), linker.value(s), linker.rows(by_subject[s])) for s in order]


def _anchor(subject) -> str:
    if isinstance(subject, BlankNode):
        return f"b-{subject.value}"
    return subject.value.rsplit("#", 1)[1] if "#" in subject.value else subject.value
