"""Parse RDF once, completely, with positions: a syntax error becomes ParseError with file:line:column and the
offending token, and nothing of the input is returned, so a caller never stores half a file.

The format comes from the file's suffix (`kg.rdf.formats`). Oxigraph's parsers do the work: they report exact
positions and are an order of magnitude faster than rdflib's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from kg.core.errors import ParseError
from kg.rdf.formats import BY_SUFFIX

PROGRESS_EVERY = 100_000  # triples between progress reports


@dataclass
class Parsed:
    """A parsed input: its quads (graph names as written; triples are in the default graph) and its prefixes."""

    quads: list[pyoxigraph.Quad]
    prefixes: dict[str, str]

    @property
    def triples(self) -> list[pyoxigraph.Triple]:
        return [quad.triple for quad in self.quads]


def format_of(path: Path):
    """pyoxigraph's format for a file, by its suffix; ParseError for a suffix no syntax has."""
    chosen = BY_SUFFIX.get(Path(path).suffix.lower().lstrip("."))
    if chosen is None:
        known = ", ".join(f".{suffix}" for suffix in BY_SUFFIX)
        raise ParseError(str(path), 0, 0, "", f"unknown RDF format {Path(path).suffix!r} (use one of {known})")
    return chosen.engine


def read_file(path: Path, progress: Callable[[int], None] | None = None) -> Parsed:
    """Every quad of the file, read in one pass."""
    path = Path(path)
    rdf_format = format_of(path)
    try:
        parser = pyoxigraph.parse(path=str(path), format=rdf_format)
        quads = list(_counted(parser, progress))
    except SyntaxError as error:
        raise located(str(path), error, lambda: path.read_text(encoding="utf-8", errors="replace")) from None
    except OSError as error:
        raise ParseError(str(path), 0, 0, "", f"cannot read file: {error.strerror or error}") from None
    return Parsed(quads, dict(parser.prefixes or {}))


def read_triples(path: Path, progress: Callable[[int], None] | None = None) -> list[pyoxigraph.Triple]:
    """Every triple of the file (quads of N-Quads / TriG lose their graph: the caller chooses the graph)."""
    return read_file(path, progress).triples


def parse_bytes(data: bytes, rdf_format, source: str, base_iri: str | None = None) -> Parsed:
    """Parse a request body or other text held in memory; `source` names it in errors."""
    try:
        parser = pyoxigraph.parse(data, format=rdf_format, base_iri=base_iri)
        quads = list(parser)
    except SyntaxError as error:
        raise located(source, error, lambda: data.decode("utf-8", errors="replace")) from None
    return Parsed(quads, dict(parser.prefixes or {}))


def located(source: str, error: SyntaxError, text: Callable[[], str]) -> ParseError:
    """The ParseError for one of Oxigraph's syntax errors: its position, its reason, the text it points at."""
    line, column = error.lineno or 0, error.offset or 0
    reason = str(error.msg).split(": ", 1)[-1]
    return ParseError(source, line, column, _token_at(text, line, column, error.end_lineno, error.end_offset), reason)


def _token_at(text: Callable[[], str], line: int, column: int, end_line: int | None, end_column: int | None) -> str:
    """The text between the parser's start and end positions (or the rest of the line), trimmed for display."""
    try:
        lines = text().splitlines()
    except OSError:
        return ""
    if not 1 <= line <= len(lines):
        return ""
    content = lines[line - 1]
    stop = end_column - 1 if end_line == line and end_column else len(content)
    return content[max(column - 1, 0):stop].strip()[:60]


def _counted(quads, progress: Callable[[int], None] | None) -> Iterator[pyoxigraph.Quad]:
    if progress is None:
        yield from quads
        return
    for count, quad in enumerate(quads, 1):
        if count % PROGRESS_EVERY == 0:
            progress(count)
        yield quad


def check_files(paths: list[str]) -> int:
    """`python -m kg.rdf.parsing FILE...` (the pre-commit syntax hook): each file parsed completely; a syntax error
    prints `file:line:column: reason near 'token'`. Exit 0 when every file parses, 2 otherwise."""
    import sys

    failed = 0
    for path in paths:
        try:
            read_file(Path(path))
        except ParseError as error:
            print(error, file=sys.stderr)
            failed += 1
    return 2 if failed else 0


if __name__ == "__main__":
    import sys

    sys.exit(check_files(sys.argv[1:]))
