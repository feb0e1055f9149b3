"""SHACL validation with pySHACL (https://www.w3.org/TR/shacl/), results turned into Findings."""

from __future__ import annotations

import pyshacl
import rdflib
from rdflib.namespace import SH

from kg.validation.findings import SEVERITIES, Finding

_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def validate(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[list[Finding], rdflib.Graph]:
    """Validate data (which includes the ontology, so class hierarchies are followed) against the shapes.

    No RDFS/OWL inference: the data must state what the shapes require, as a consumer will read it.
    """
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
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
