"""Canned queries: parameterised SELECTs kept as `.rq` files in `kg/queries/canned/`, one per query.

Each file starts with a metadata header of `# key: value` comment lines (name, title@en/ru/kk, description,
`param: name | type | required|optional|default=VALUE | description`, example); adding a query is adding a file.
Parameter values are validated against their type and bound as typed RDF terms through the store's
`bindings` (Oxigraph substitutes them for the variables): they are never pasted into the query text.

Writing a query for this: every parameter variable is in the SELECT projection (Oxigraph substitutes only
projected variables); an optional parameter left unset stays unbound and must mean "any", so it is tested as
`!isIRI(COALESCE(?p, 0)) || <test>` - never with BOUND(?p), which Oxigraph evaluates to false for a substituted
variable, nor as `COALESCE(IF(isIRI(?p), <test>, true), true)`, which Virtuoso 7.2 evaluates to false when ?p is
unbound. An expression over aggregates (`COALESCE(MIN(?a), MIN(?b))`) goes in an outer SELECT over a grouped
sub-SELECT: Virtuoso 7.2 cannot compile it beside the inline VALUES block a remote query carries.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote

from kg import queries
from kg.core.config import DEFAULT_BASE
from kg.core.errors import InvalidParameter
from kg.core.project import LANGUAGES
from kg.rdf.terms import Literal, NamedNode, Term, typed
from kg.store.base import QueryResult, Store
from kg.store.bindings import bind

BINDING_FORMS = ("substitute", "values")
RESERVED = frozenset({"format"})  # request parameters of the API itself, not of a query
MAX_TEXT = 1000

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VARIABLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # a parameter is a SPARQL variable
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LANGUAGE_TAG = re.compile(r"^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
_YEAR = re.compile(r"^-?[0-9]{4}$")


# ---------------------------------------------------------------- parameter types


def _iri(value: str, base: str) -> Term:
    """An absolute IRI, or a path resolved against the graph's base (`id/state/kz`)."""
    if not _SCHEME.match(value):
        value = base + value.lstrip("/")
    return NamedNode(value)


def _string(value: str, base: str) -> Term:
    if len(value) > MAX_TEXT:
        raise ValueError("too long")
    return Literal(value)


def _language(value: str, base: str) -> Term:
    if not _LANGUAGE_TAG.match(value):
        raise ValueError("not a language tag")
    return Literal(value.lower())


def _integer(value: str, base: str) -> Term:
    if not _INTEGER.match(value):
        raise ValueError("not an integer")
    return typed(str(int(value)), "integer")


def _date(value: str, base: str) -> Term:
    if not re.fullmatch(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("not a date")
    datetime.date.fromisoformat(value)  # rejects 2023-02-30
    return typed(value, "date")


def _year(value: str, base: str) -> Term:
    if not _YEAR.match(value):
        raise ValueError("not a year")
    return typed(value, "gYear")


@dataclass(frozen=True)
class ParameterType:
    """How a parameter's text becomes a term, what an error message says was expected, its JSON Schema."""

    parse: Callable[[str, str], Term]
    expected: str
    schema: dict


TYPES: dict[str, ParameterType] = {
    "iri": ParameterType(_iri, "an IRI like https://w3id.org/infosec-law-kg/id/state/kz (or a path under the "
                               "graph's base like id/state/kz)", {"type": "string", "format": "iri-reference"}),
    "string": ParameterType(_string, f"a text of at most {MAX_TEXT} characters",
                            {"type": "string", "maxLength": MAX_TEXT}),
    "language": ParameterType(_language, "a BCP 47 language tag like en, ru, kk or en-t-kk",
                              {"type": "string", "pattern": _LANGUAGE_TAG.pattern}),
    "integer": ParameterType(_integer, "an integer like 42", {"type": "integer"}),
    "date": ParameterType(_date, "a date like 2019-12-09", {"type": "string", "format": "date"}),
    "year": ParameterType(_year, "a year like 2023", {"type": "string", "pattern": _YEAR.pattern}),
}


# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: str | None
    description: str

    def term(self, value: str, base: str) -> Term:
        """The typed term for a value; InvalidParameter (400) names the parameter and what was expected."""
        kind = TYPES[self.type]
        try:
            return kind.parse(value, base)
        except ValueError:
            shown = value if len(value) <= 80 else value[:77] + "..."
            raise InvalidParameter(f"parameter {self.name!r}: expected {kind.expected}, got {shown!r}") from None

    def metadata(self) -> dict:
        return {"name": self.name, "type": self.type, "required": self.required, "default": self.default,
                "description": self.description, "expected": TYPES[self.type].expected}


@dataclass(frozen=True)
class CannedQuery:
    name: str
    titles: dict[str, str]
    description: str
    parameters: tuple[Parameter, ...]
    examples: tuple[str, ...]
    text: str
    binding: str = "substitute"  # how the store gets the terms: "substitute" (Oxigraph) or "values" (inline blocks)

    def bindings(self, values: Iterable[tuple[str, str]], base: str = DEFAULT_BASE) -> dict[str, Term]:
        """Typed terms for the request's (name, value) pairs plus defaults; unset optional ones stay unbound."""
        given: dict[str, str] = {}
        known = {p.name: p for p in self.parameters}
        for name, value in values:
            if name not in known:
                accepted = ", ".join(known) or "none"
                raise InvalidParameter(f"unknown parameter {name!r} for query {self.name!r} (its parameters: {accepted})")
            if name in given:
                raise InvalidParameter(f"parameter {name!r} is given more than once")
            given[name] = value
        bound = {}
        for parameter in self.parameters:
            value = given.get(parameter.name) or parameter.default  # an empty value counts as not given
            if value:
                bound[parameter.name] = parameter.term(value, base)
            elif parameter.required:
                raise InvalidParameter(f"parameter {parameter.name!r} is required: {parameter.description} "
                                       f"({TYPES[parameter.type].expected})")
        return bound

    def metadata(self) -> dict:
        url = f"/api/queries/{self.name}"
        return {"name": self.name, "title": self.titles, "description": self.description,
                "parameters": [p.metadata() for p in self.parameters], "examples": list(self.examples),
                "url": url, "exampleUrls": [f"{url}?{quote(e, safe='=&:/-_.~,')}" for e in self.examples]}


def run(store: Store, query: CannedQuery, values: Iterable[tuple[str, str]], *, base: str = DEFAULT_BASE,
        max_rows: int | None = None) -> QueryResult:
    """Validate and bind the values, then evaluate the query in the store, in the form its `# bind:` line chose
    (bench/canned_forms.py measures both): Oxigraph's substitution, or the terms as inline VALUES blocks written by
    `kg.store.bindings` from validated terms (never from the raw input)."""
    bound = query.bindings(values, base)
    if query.binding == "values":
        return store.query(bind(query.text, bound), max_rows=max_rows)
    return store.query(query.text, bindings=bound, max_rows=max_rows)


# ---------------------------------------------------------------- reading the files


def load(directory: Path | None = None) -> dict[str, CannedQuery]:
    """Every `.rq` file of the folder (default: the package's `queries/canned/`), by name."""
    if directory is None:
        found = [parse(f.text, f.name) for f in queries.folder("canned")]
    else:
        found = [parse(path.read_text(encoding="utf-8"), path.stem) for path in sorted(Path(directory).glob("*.rq"))]
    return {query.name: query for query in found}


def parse(text: str, stem: str) -> CannedQuery:
    """A query from its file text; a malformed header is a bug in the file and raises ValueError."""
    header = queries.header_of(text)
    name = _one(header, "name", stem)
    if name != stem or not _NAME.match(name):
        raise ValueError(f"{stem}.rq: the name {name!r} must be the file's name in lower-case-with-hyphens")
    parameters = tuple(_parameter(spec, stem) for spec in header.get("param", []))
    if len({p.name for p in parameters}) != len(parameters):
        raise ValueError(f"{stem}.rq: a parameter is declared twice")
    query = CannedQuery(name=name, titles={lang: _one(header, f"title@{lang}", stem) for lang in LANGUAGES},
                        description=" ".join(header.get("description", [])), parameters=parameters,
                        examples=tuple(header.get("example", [])), text=text,
                        binding=(header.get("bind") or ["substitute"])[0])
    if query.binding not in BINDING_FORMS:
        raise ValueError(f"{stem}.rq: '# bind: {query.binding}' must be one of {', '.join(BINDING_FORMS)}")
    try:
        for example in query.examples:  # examples must themselves be valid requests
            query.bindings(parse_qsl(example, keep_blank_values=True))
    except InvalidParameter as error:
        raise ValueError(f"{stem}.rq: example: {error}") from None
    return query


def _one(header: Mapping[str, list[str]], key: str, stem: str) -> str:
    values = header.get(key, [])
    if len(values) != 1 or not values[0]:
        raise ValueError(f"{stem}.rq: the header needs exactly one '# {key}:' line")
    return values[0]


def _parameter(spec: str, stem: str) -> Parameter:
    parts = [part.strip() for part in spec.split("|", 3)]
    if len(parts) != 4:
        raise ValueError(f"{stem}.rq: '# param: {spec}' is not 'name | type | required|optional|default=V | description'")
    name, kind, use, description = parts
    if not _VARIABLE.match(name) or name in RESERVED or kind not in TYPES:
        raise ValueError(f"{stem}.rq: bad parameter name or type in '# param: {spec}' (types: {', '.join(TYPES)})")
    if use not in ("required", "optional") and not use.startswith("default="):
        raise ValueError(f"{stem}.rq: '{use}' must be required, optional or default=VALUE")
    default = use.removeprefix("default=") if use.startswith("default=") else None
    parameter = Parameter(name, kind, use == "required", default, description)
    if default is not None:
        try:
            parameter.term(default, DEFAULT_BASE)
        except InvalidParameter as error:
            raise ValueError(f"{stem}.rq: default: {error}") from None
    return parameter
