"""`kg validate`: SHACL shapes, the OWL 2 DL profile and HermiT consistency over the ontology and graph."""

from __future__ import annotations

import contextlib
import functools
import io
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import rdflib

from kg.validation import owl, shacl
from kg.core.config import Settings
from kg.core.project import graph_files, ontology_files, shapes_files
from kg.validation.findings import Finding, Step
from kg.rdf.graphs import read_turtle_files

FAIL_ON = {"violation": ("Violation",), "warning": ("Violation", "Warning"), "info": ("Violation", "Warning", "Info")}


@dataclass(frozen=True)
class Outcome:
    steps: tuple[Step, ...]
    report: rdflib.Graph
    fail_on: str = "violation"

    @property
    def findings(self) -> list[Finding]:
        return [finding for step in self.steps for finding in step.findings]

    @property
    def conforms(self) -> bool:
        failing = FAIL_ON[self.fail_on]
        return not any(finding.severity in failing for finding in self.findings)


def validate(
    settings: Settings,
    data: Iterable[Path] | None = None,
    fail_on: str = "violation",
    with_owl: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> Outcome:
    """Validate the ontology plus `data` (default: every file of `graph/`); parse errors raise ParseError."""
    ontology = _unchanged_files_graph(tuple(_stamped(f.path for f in ontology_files(settings))))
    data_paths = list(data) if data is not None else [f.path for f in graph_files(settings)]
    merged = read_turtle_files(data_paths) + ontology
    shapes = _unchanged_files_graph(tuple(_stamped(shapes_files(settings))))
    progress(f"read {len(merged)} triples from {len(data_paths)} data files and the ontology")

    shacl_step, report = _timed("SHACL", progress, lambda: shacl.validate(merged, shapes))
    owl_steps = _owl_steps(merged, progress) if with_owl else []
    return Outcome((shacl_step, *owl_steps), report, fail_on)


@functools.lru_cache(maxsize=4)
def _unchanged_files_graph(stamped: tuple[tuple[Path, float], ...]) -> rdflib.Graph:
    """Ontology and shapes parsed once per process while their files are unchanged (callers must not mutate it)."""
    return read_turtle_files(path for path, _ in stamped)


def _stamped(paths: Iterable[Path]) -> Iterator[tuple[Path, float]]:
    for path in paths:
        yield path, path.stat().st_mtime_ns


OWL_CHECKS = (  # step name, why it cannot run here (or None), the check
    ("OWL 2 DL profile", owl.owlapi_missing, owl.dl_profile_findings),
    ("HermiT consistency", owl.java_missing, owl.hermit_findings),
)


def _owl_steps(merged: rdflib.Graph, progress) -> list[Step]:
    steps = []
    for name, missing, check in OWL_CHECKS:
        reason = missing()
        if reason:
            progress(f"skipping {name}: {reason}")
            steps.append(Step(name, skipped=reason))
        else:
            steps.append(_timed(name, progress, lambda check=check: (check(merged), None))[0])
    return steps


def _timed(name: str, progress, check) -> tuple[Step, rdflib.Graph | None]:
    progress(f"{name} ...")
    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):  # owlready2 and the JVM chatter on stderr
        findings, extra = check()
    step = Step(name, tuple(findings), round(time.perf_counter() - started, 2))
    progress(f"{name}: {len(findings)} finding(s) in {step.seconds:.1f} s")
    return step, extra
