"""SHACL validation with pySHACL (https://www.w3.org/TR/shacl/), results turned into Findings.

pySHACL reads a shapes graph into Shape objects (targets, compiled SPARQL constraints and targets) on first use; that
reading is kept per shapes graph and shared by every validation in the process (the whole graph, focus nodes, each
fixture of the test suite), instead of being redone for each.
"""

from __future__ import annotations

import threading

import rdflib
from pyshacl.graph_abstraction import DataGraph
from pyshacl.monkey import apply_patches
from pyshacl.validator import Validator, assign_baked_in
from pyshacl.shapes_graph import ShapesGraph
from rdflib.namespace import SH

from kg.validation.findings import SEVERITIES, Finding

_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
OPTIONS = {"inference": "none", "advanced": True, "allow_warnings": True}
_read: dict[int, tuple[rdflib.Graph, ShapesGraph]] = {}  # id of a shapes graph -> (it, its pySHACL reading)
_reading = threading.Lock()


def shapes_graph(shapes: rdflib.Graph) -> ShapesGraph:
    """pySHACL's reading of the shapes, made once per graph object (callers must not change the graph later)."""
    with _reading:
        kept = _read.get(id(shapes))
        if kept is None or kept[0] is not shapes:
            if len(_read) >= 8:
                _read.pop(next(iter(_read)))
            kept = _read[id(shapes)] = (shapes, ShapesGraph(shapes))
        return kept[1]


def validate(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[list[Finding], rdflib.Graph]:
    """Validate data (which includes the ontology, so class hierarchies are followed) against the shapes.

    No RDFS/OWL inference: the data must state what the shapes require, as a consumer will read it.
    """
    apply_patches()
    assign_baked_in()
    validator = Validator(DataGraph.from_rdflib(data), shacl_graph=shapes, options=dict(OPTIONS))
    validator.shacl_graph = shapes_graph(shapes)
    _conforms, report, _text = validator.run()
    return findings_of(report), report


def findings_of(report: rdflib.Graph) -> list[Finding]:
    findings = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        value = lambda p: _text(report.value(result, p))  # noqa: E731
        findings.append(
            Finding(
                severity=_SEVERITY.get(report.value(result, SH.resultSeverity), "Violation"),
                message=value(SH.resultMessage) or "",
                focusNode=value(SH.focusNode),
                resultPath=value(SH.resultPath),
                value=value(SH.value),
                sourceShape=value(SH.sourceShape),
                sourceConstraintComponent=value(SH.sourceConstraintComponent),
            )
        )
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.focusNode or "", f.message))


def _text(term: rdflib.term.Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)
