"""Render a validation Outcome as text, JSON, a SHACL validation report in Turtle, or JUnit XML."""

from __future__ import annotations

import json
from collections import Counter
from xml.etree import ElementTree as ET

import rdflib
from rdflib.namespace import RDF, SH, XSD

from kg.validation.findings import SEVERITIES, Finding, Step
from kg.validation.run import FAIL_ON, Outcome


def as_text(outcome: Outcome) -> str:
    lines = []
    for step in outcome.steps:
        lines.append(f"{step.name}: {_summary(step)}")
        lines += [f"  {_line(finding)}" for finding in step.findings]
    verdict = "conforms" if outcome.conforms else "does NOT conform"
    lines.append(f"Result: the graph {verdict} (failing on: {', '.join(FAIL_ON[outcome.fail_on])}).")
    return "\n".join(lines) + "\n"


def as_json(outcome: Outcome) -> str:
    document = {
        "conforms": outcome.conforms,
        "results": [finding.as_dict() for finding in outcome.findings],
        "steps": [{"name": s.name, "seconds": s.seconds, "skipped": s.skipped, "results": len(s.findings)}
                  for s in outcome.steps],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def as_turtle(outcome: Outcome) -> str:
    """The pySHACL report, with the OWL checks' findings added as further sh:ValidationResults."""
    report = rdflib.Graph()
    report += outcome.report
    report.bind("sh", SH)
    node = next(report.subjects(RDF.type, SH.ValidationReport), None) or rdflib.BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.set((node, SH.conforms, rdflib.Literal(outcome.conforms)))
    for step in outcome.steps[1:]:
        for finding in step.findings:
            report.add((node, SH.result, _result_node(report, finding)))
    return report.serialize(format="turtle")


def as_junit(outcome: Outcome) -> str:
    failing = FAIL_ON[outcome.fail_on]
    suites = ET.Element("testsuites", name="kg validate")
    suite = ET.SubElement(suites, "testsuite", name="kg validate", tests=str(len(outcome.steps)))
    failures = 0
    for step in outcome.steps:
        case = ET.SubElement(suite, "testcase", classname="kg.validation.run", name=step.name, time=str(step.seconds))
        bad = [f for f in step.findings if f.severity in failing]
        if step.skipped:
            ET.SubElement(case, "skipped", message=step.skipped)
        elif bad:
            failures += 1
            failure = ET.SubElement(case, "failure", message=f"{len(bad)} result(s): {_summary(step)}")
            failure.text = "\n".join(_line(f) for f in bad)
        others = [f for f in step.findings if f.severity not in failing]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in others)
    suite.set("failures", str(failures))
    suite.set("skipped", str(sum(1 for s in outcome.steps if s.skipped)))
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


FORMATS = {"text": as_text, "json": as_json, "turtle": as_turtle, "junit": as_junit}


def _summary(step: Step) -> str:
    if step.skipped:
        return f"skipped ({step.skipped})"
    counts = Counter(f.severity for f in step.findings)
    parts = [f"{counts[s]} {s.lower()}(s)" for s in SEVERITIES if counts[s]] or ["no results"]
    return f"{', '.join(parts)} in {step.seconds:.1f} s"


def _line(finding: Finding) -> str:
    where = finding.focusNode or "(whole graph)"
    path = f" {finding.resultPath}" if finding.resultPath else ""
    return f"{finding.severity:<9} {where}{path}: {finding.message}"


def _result_node(report: rdflib.Graph, finding: Finding) -> rdflib.BNode:
    node = rdflib.BNode()
    report.add((node, RDF.type, SH.ValidationResult))
    report.add((node, SH.resultSeverity, SH[finding.severity]))
    report.add((node, SH.resultMessage, rdflib.Literal(finding.message)))
    report.add((node, SH.sourceConstraintComponent, rdflib.URIRef(finding.sourceConstraintComponent)))
    if finding.focusNode:
        report.add((node, SH.focusNode, rdflib.URIRef(finding.focusNode)))
    if finding.value:
        report.add((node, SH.value, rdflib.Literal(finding.value, datatype=XSD.string)))
    return node
