"""`kg validate`: declared terms, SHACL shapes, the OWL 2 DL profile and HermiT consistency over the ontology and
graph. Files named on the command line are validated with the rest of `graph/` (a file named like one in `graph/` is
the same named graph and replaces it), or by themselves with the ontology (`alone`)."""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import rdflib

from kg.core.bounded import Beside
from kg.core.config import Settings
from kg.core.project import DataFile, graph_files, ontology_files, shapes_files
from kg.rdf.graphs import ntriples, read_turtle_files
from kg.rdf.parsing import read_file
from kg.rdf.terms import INTEGER_TYPES, XSD, BlankNode, NamedNode
from kg.store.embedded import EmbeddedStore
from kg.validation.findings import Finding, Step
from kg.validation import owl, terms
from kg.validation.focus import validate_store
from kg.validation.locate import Locator

_INTEGER_NAMES = re.compile(r"(?:xsd:|XMLSchema#)(?:%s)\b" % "|".join(sorted(INTEGER_TYPES - {"integer"})))
FAIL_ON = {"violation": ("Violation",), "warning": ("Violation", "Warning"), "info": ("Violation", "Warning", "Info")}


@dataclass(frozen=True)
class Outcome:
    """The steps and their results; in change mode the results are the ones the change introduced, and `fixed` and
    `still` hold the ones it fixed and the ones it left."""

    steps: tuple[Step, ...]
    report: rdflib.Graph
    fail_on: str = "violation"
    fixed: tuple[Finding, ...] = ()
    still: tuple[Finding, ...] | None = None
    against: str | None = None  # change mode: the revision compared with
    notes: tuple[str, ...] = ()
    prefixes: tuple[tuple[str, str], ...] = ()
    base: str = ""

    @property
    def findings(self) -> list[Finding]:
        return [finding for step in self.steps for finding in step.findings]

    @property
    def conforms(self) -> bool:
        failing = FAIL_ON[self.fail_on]
        return not any(finding.severity in failing for finding in self.findings)


def display(settings: Settings, path: Path) -> str:
    """A path as reports show it: relative to the project when inside it."""
    try:
        return Path(path).resolve().relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        return os.path.relpath(path) if not Path(path).is_absolute() else str(path)


def data_paths(settings: Settings, data: Iterable[Path] | None, alone: bool = False) -> list[Path]:
    """The data files to validate: `graph/` by default; named files alone, or with `graph/` (same name replaces)."""
    named = list(data or [])
    if data is None:
        return [f.path for f in graph_files(settings)]
    if alone:
        return named
    stems = {Path(p).stem for p in named}
    return named + [f.path for f in graph_files(settings) if f.path.stem not in stems]


def validate(
    settings: Settings,
    data: Iterable[Path] | None = None,
    fail_on: str = "violation",
    with_owl: bool = True,
    progress: Callable[[str], None] = lambda message: None,
    alone: bool = True,
) -> Outcome:
    """Validate the ontology plus `data` (default: every file of `graph/`); `alone=False` adds the rest of `graph/`
    to named files. Parse errors raise ParseError (the engine parses each file once)."""
    data_list = data_paths(settings, data, alone)
    files = [DataFile(Path(p), settings.graph_iri(Path(p).stem)) for p in data_list] + ontology_files(settings)
    store = EmbeddedStore.from_files(files)
    shapes = _unchanged_files_graph(tuple(_stamped(shapes_files(settings))))
    progress(f"read {len(store)} triples from {len(data_list)} data files and the ontology")

    term_step, _ = _timed("Declared terms", progress, lambda: (store_term_findings(store), None))
    check_shapes = functools.partial(_timed, "SHACL", progress, lambda: validate_store(store, shapes, _integers(data_list)))
    if with_owl:  # pySHACL in a forked child on the other core, the JVM (which must not be forked) here
        shacl = Beside(check_shapes)
        ontology = [f.path for f in ontology_files(settings)]
        owl_steps = owl.steps(ntriples(store.quads()), ontology, settings, progress, _timed)
        shacl_step, report = shacl.result()
    else:
        owl_steps, (shacl_step, report) = [], check_shapes()
    locator = Locator([(display(settings, p), lambda p=p: Path(p).read_text(encoding="utf-8")) for p in data_list],
                      settings.base)
    steps = tuple(Step(s.name, tuple(locator.place_all(s.findings)), s.seconds, s.skipped, s.note)
                  for s in (term_step, shacl_step, *owl_steps))
    return Outcome(steps, report, fail_on, prefixes=tuple(locator.names().items()), base=settings.base)


def store_term_findings(store: EmbeddedStore) -> list[Finding]:
    """Undeclared classes and properties in a store holding the data and the ontology."""
    triples = [(_plain(q.subject), q.predicate.value, _plain(q.object)) for q in store.quads()]
    return terms.findings(triples, terms.vocabulary_terms() | terms.declared(triples))


def _integers(paths: list[Path]) -> set[tuple[str, str, str, str]]:
    """(subject, predicate, lexical form, datatype) of the literals of integer-derived types other than xsd:integer
    that the files write (the store keeps them as xsd:integer); only files that name such a type are read."""
    found = set()
    for path in paths:
        if not _INTEGER_NAMES.search(Path(path).read_text(encoding="utf-8", errors="replace")):
            continue
        for quad in read_file(Path(path)).quads:
            datatype = getattr(quad.object, "datatype", None)
            if datatype is not None and datatype.value[len(XSD):] in INTEGER_TYPES and datatype.value.startswith(XSD):
                found.add((quad.subject.value, quad.predicate.value, quad.object.value, datatype.value))
    return found


def _plain(term) -> str:
    return term.value if isinstance(term, NamedNode) else f"_:{term.value}" if isinstance(term, BlankNode) else '"'


@functools.lru_cache(maxsize=4)
def _unchanged_files_graph(stamped: tuple[tuple[Path, float], ...]) -> rdflib.Graph:
    """Ontology and shapes parsed once per process while their files are unchanged (callers must not mutate it)."""
    return read_turtle_files(path for path, _ in stamped)


def _stamped(paths: Iterable[Path]) -> Iterator[tuple[Path, float]]:
    for path in paths:
        yield path, path.stat().st_mtime_ns


def _timed(name: str, progress, check) -> tuple[Step, rdflib.Graph | None]:
    progress(f"{name} ...")
    started = time.perf_counter()
    findings, extra = check()
    step = Step(name, tuple(findings), round(time.perf_counter() - started, 2))
    progress(f"{name}: {len(findings)} finding(s) in {step.seconds:.1f} s")
    return step, extra
