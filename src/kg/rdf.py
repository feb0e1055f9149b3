"""Read Turtle files into rdflib graphs, reporting syntax errors as file:line:column with the offending token.

Oxigraph's parser checks the syntax first because it reports exact positions; rdflib then builds the graph
that pySHACL and the serialisers work on.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
import rdflib

from kg.errors import ParseError


def read_turtle(path: Path) -> rdflib.Graph:
    """Parse one Turtle file; raise ParseError pointing at the bad token."""
    check_turtle_syntax(path)
    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    return graph


def read_turtle_files(paths: Iterable[Path]) -> rdflib.Graph:
    """Parse several Turtle files into one graph (prefixes of the first files win)."""
    union = rdflib.Graph()
    for path in paths:
        part = read_turtle(path)
        for prefix, namespace in part.namespaces():
            union.bind(prefix, namespace, override=False)
        union += part
    return union


def check_turtle_syntax(path: Path) -> None:
    try:
        for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            pass
    except SyntaxError as error:
        raise _located(path, error) from None
    except OSError as error:
        raise ParseError(str(path), 0, 0, "", f"cannot read file: {error.strerror or error}") from None


def _located(path: Path, error: SyntaxError) -> ParseError:
    line, column = error.lineno or 0, error.offset or 0
    reason = str(error.msg).split(": ", 1)[-1]
    return ParseError(str(path), line, column, _token_at(path, line, column, error.end_lineno, error.end_offset), reason)


def _token_at(path: Path, line: int, column: int, end_line: int | None, end_column: int | None) -> str:
    """The text between the parser's start and end positions (or the rest of the line), trimmed for display."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    stop = end_column - 1 if end_line == line and end_column else len(text)
    return text[max(column - 1, 0):stop].strip()[:60]
