"""Read an RDF file completely before anything is stored, so a syntax error leaves the store untouched.

The format comes from the file's suffix; errors become ParseError with file:line:column (and, for Turtle, the
offending token), which the CLI prints and maps to exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph

from kg.errors import ParseError
from kg.rdf import check_turtle_syntax

FORMATS_BY_SUFFIX = {
    ".ttl": pyoxigraph.RdfFormat.TURTLE, ".nt": pyoxigraph.RdfFormat.N_TRIPLES, ".nq": pyoxigraph.RdfFormat.N_QUADS,
    ".trig": pyoxigraph.RdfFormat.TRIG, ".rdf": pyoxigraph.RdfFormat.RDF_XML, ".owl": pyoxigraph.RdfFormat.RDF_XML,
    ".jsonld": pyoxigraph.RdfFormat.JSON_LD, ".n3": pyoxigraph.RdfFormat.N3,
}
PROGRESS_EVERY = 100_000  # triples between progress reports


def read_triples(path: Path, progress: Callable[[int], None] | None = None) -> list[pyoxigraph.Triple]:
    """Every triple of the file (quads of N-Quads / TriG lose their graph: the caller chooses the graph)."""
    path = Path(path)
    rdf_format = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if rdf_format is None:
        raise ParseError(str(path), 0, 0, "", f"unknown RDF format {path.suffix!r} (use one of {', '.join(FORMATS_BY_SUFFIX)})")
    if rdf_format == pyoxigraph.RdfFormat.TURTLE:
        check_turtle_syntax(path)  # exact position and offending token
    try:
        return [quad.triple for quad in _counted(pyoxigraph.parse(path=str(path), format=rdf_format), progress)]
    except SyntaxError as error:
        raise ParseError(str(path), error.lineno or 0, error.offset or 0, "", str(error.msg)) from None
    except OSError as error:
        raise ParseError(str(path), 0, 0, "", f"cannot read file: {error.strerror or error}") from None


def _counted(quads, progress: Callable[[int], None] | None) -> Iterator[pyoxigraph.Quad]:
    if progress is None:
        yield from quads
        return
    for count, quad in enumerate(quads, 1):
        if count % PROGRESS_EVERY == 0:
            progress(count)
        yield quad
