"""Where each statement of a Turtle file is written: a position-aware reading for reports and error messages.

Oxigraph's parser (`kg.rdf.parsing`) loads the data and reports syntax errors; it does not say where a parsed triple
came from. This module reads a Turtle file a second time, only to answer that question for validation results
(`file:line:column` of the triple that states a focus node or its value). It is never on the load path, and it
assumes a file Oxigraph has already accepted: on anything it does not understand it stops and keeps what it found.
Blank nodes get this reader's own labels, so only IRI subjects can be located.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"

_TOKEN = re.compile(r"""
    (?P<ws>\s+) | (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<dtype>\^\^)
  | (?P<bnode>_:[^\s;,.()\[\]]+)
  | (?P<number>[+-]?(?:(?:\d+\.\d*|\.\d+|\d+)[eE][+-]?\d+|\d*\.\d+|\d+))
  | (?P<pname>[^\s:<>"'\#;,()\[\]@^]*:(?:[^\s<>"'\#;,()\[\]^\\]|\\.)*)
  | (?P<word>[A-Za-z]+)
  | (?P<punct>[.;,\[\]()])
""", re.VERBOSE)
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class Position:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class Positions:
    """One file's statements: where each IRI is first a subject, and where each (subject, predicate, object) is."""

    prefixes: dict[str, str] = field(default_factory=dict)
    base: str = ""
    subjects: dict[str, Position] = field(default_factory=dict)
    statements: dict[tuple[str, str], list[tuple[str, Position]]] = field(default_factory=dict)
    mentions: dict[str, Position] = field(default_factory=dict)

    def locate(self, focus: str | None, path: str | None = None, value: str | None = None,
               mentions: bool = False) -> Position | None:
        """The statement of `focus` `path` `value`, else of `focus` `path`, else where `focus` is a subject (or, with
        `mentions`, where it is first an object)."""
        if focus is None:
            return None
        if mentions:
            return self.mentions.get(focus)
        stated = self.statements.get((focus, path), []) if path else []
        for key, position in stated:
            if value is not None and key == value:
                return position
        if stated:
            return stated[0][1]
        return self.subjects.get(focus)


def scan(path: Path | str, text: str | None = None, name: str | None = None) -> Positions:
    """Read the file (or `text`), named `name` in positions (default: the path as given)."""
    text = Path(path).read_text(encoding="utf-8") if text is None else text
    reader = _Reader(_tokens(text), name or str(path))
    try:
        reader.document()
    except (IndexError, ValueError):
        pass  # a construct this reader does not follow: keep what was found before it
    return reader.found


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    tokens, line, line_start, at = [], 1, 0, 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            break
        kind, value = match.lastgroup, match.group()
        if kind == "pname" and value.endswith(".") and not value.endswith("\\."):
            value = value.rstrip(".")  # a local name does not end with a dot: it closes the statement
        if kind not in ("ws", "comment"):
            tokens.append((kind, value, line, at - line_start + 1))
        newlines = value.count("\n")
        if newlines:
            line += newlines
            line_start = at + value.rfind("\n") + 1
        at += len(value)
    return tokens


class _Reader:
    def __init__(self, tokens: list, name: str) -> None:
        self.tokens, self.at, self.name = tokens, 0, name
        self.base, self.found, self.blank = "", Positions(), 0

    def peek(self) -> tuple[str, str, int, int]:
        return self.tokens[self.at]

    def take(self) -> tuple[str, str, int, int]:
        self.at += 1
        return self.tokens[self.at - 1]

    def document(self) -> None:
        while self.at < len(self.tokens):
            kind, value, _, _ = self.peek()
            if value.lower() in ("@prefix", "prefix"):
                self.take()
                prefix = self.take()[1][:-1]
                self.found.prefixes[prefix] = self.resolve(self.take()[1][1:-1])
                self.skip_dot(value)
            elif value.lower() in ("@base", "base"):
                self.take()
                self.base = self.found.base = self.resolve(self.take()[1][1:-1])
                self.skip_dot(value)
            else:
                subject = self.subject()
                if self.peek()[1] != ".":
                    self.predicate_objects(subject)
                self.take()  # '.'

    def skip_dot(self, directive: str) -> None:
        if directive.startswith("@"):
            self.take()

    def subject(self) -> str:
        kind, value, line, column = self.peek()
        if value == "[":
            return self.blank_node()
        if value == "(":
            return self.collection()
        self.take()
        term = self.term(kind, value)
        self.found.subjects.setdefault(term, Position(self.name, line, column))
        return term

    def predicate_objects(self, subject: str) -> None:
        while True:
            kind, value, _, _ = self.take()
            predicate = RDF_TYPE if value == "a" else self.term(kind, value)
            while True:
                self.object(subject, predicate)
                if self.peek()[1] != ",":
                    break
                self.take()
            while self.peek()[1] == ";":
                self.take()
            if self.peek()[1] in (".", "]"):
                return

    def object(self, subject: str, predicate: str) -> None:
        kind, value, line, column = self.peek()
        if value == "[":
            term = self.blank_node()
        elif value == "(":
            term = self.collection()
        else:
            self.take()
            term = self.literal(kind, value) if kind in ("string", "long", "number", "word") else self.term(kind, value)
        position = Position(self.name, line, column)
        self.found.statements.setdefault((subject, predicate), []).append((term, position))
        self.found.mentions.setdefault(term, position)

    def blank_node(self) -> str:
        self.take()  # '['
        node = self.new_blank()
        if self.peek()[1] != "]":
            self.predicate_objects(node)
        self.take()  # ']'
        return node

    def collection(self) -> str:
        self.take()  # '('
        head = node = self.new_blank()
        first = True
        while self.peek()[1] != ")":
            if not first:
                rest = self.new_blank()
                self.found.statements.setdefault((node, RDF + "rest"), []).append((rest, self.here()))
                node = rest
            self.object(node, RDF + "first")
            first = False
        self.take()  # ')'
        return head if not first else RDF + "nil"

    def here(self) -> Position:
        _, _, line, column = self.peek()
        return Position(self.name, line, column)

    def new_blank(self) -> str:
        self.blank += 1
        return f"_:pos{self.blank}"

    def term(self, kind: str, value: str) -> str:
        if kind == "iri":
            return self.resolve(_unescape(value[1:-1]))
        if kind == "pname":
            prefix, _, local = value.partition(":")
            return self.found.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        if kind == "bnode":
            return value
        raise ValueError(value)

    def literal(self, kind: str, value: str) -> str:
        """The literal's lexical form (what a validation result's value prints); a tag or datatype is skipped."""
        if kind == "word":
            if value in ("true", "false"):
                return value
            raise ValueError(value)
        if kind == "number":
            return value
        lexical = _unescape(value[3:-3] if kind == "long" else value[1:-1])
        if self.at < len(self.tokens) and self.peek()[0] == "lang":
            self.take()
        elif self.at < len(self.tokens) and self.peek()[0] == "dtype":
            self.take()
            self.term(*self.take()[:2])
        return lexical

    def resolve(self, iri: str) -> str:
        return urljoin(self.base, iri) if self.base and not re.match(r"[A-Za-z][\w+.-]*:", iri) else iri


def _unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)
    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", one, text)
