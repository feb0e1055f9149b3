"""Render a validation Outcome as text, JSON, a SHACL validation report in Turtle, or JUnit XML.

Every result line reads `file:line:column: Severity: <focus> path value: message`, with the terms shortened by the
files' own prefixes; JUnit has one test suite per data file, one test case per result, so CI systems annotate lines.
"""

from __future__ import annotations

import json
from collections import Counter
from xml.etree import ElementTree as ET

import rdflib
from rdflib.namespace import RDF, SH, XSD

from kg.validation.findings import SEVERITIES, Finding, Step
from kg.validation.locate import short
from kg.validation.run import FAIL_ON, Outcome


def as_text(outcome: Outcome) -> str:
    line = lambda finding: _line(outcome, finding)  # noqa: E731
    lines = [f"Changes against {outcome.against}; results they introduce:"] if outcome.against else []
    lines += [f"note: {note}" for note in outcome.notes]
    for step in outcome.steps:
        lines.append(f"{step.name}: {_summary(step)}")
        lines += [f"  {line(finding)}" for finding in step.findings]
    if outcome.against:
        lines.append(f"Fixed by the change: {len(outcome.fixed) or 'none'}")
        lines += [f"  {line(finding)}" for finding in outcome.fixed]
        if outcome.still is not None:
            lines.append(f"Still present: {len(outcome.still) or 'none'}")
            lines += [f"  {line(finding)}" for finding in outcome.still]
    failing = ", ".join(FAIL_ON[outcome.fail_on])
    if outcome.against:
        verdict = "introduces no results" if outcome.conforms else "introduces results"
        lines.append(f"Result: the change {verdict} at the failing severities ({failing}).")
    else:
        verdict = "conforms" if outcome.conforms else "does NOT conform"
        lines.append(f"Result: the graph {verdict} (failing on: {failing}).")
    return "\n".join(lines) + "\n"


def as_json(outcome: Outcome) -> str:
    document = {
        "conforms": outcome.conforms,
        "results": [_result(finding) for finding in outcome.findings],
        "steps": [{"name": s.name, "seconds": s.seconds, "skipped": s.skipped, "note": s.note,
                   "results": len(s.findings)} for s in outcome.steps],
    }
    if outcome.against:
        document["against"] = outcome.against
        document["notes"] = list(outcome.notes)
        document["fixed"] = [_result(finding) for finding in outcome.fixed]
        if outcome.still is not None:
            document["still"] = [_result(finding) for finding in outcome.still]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def as_turtle(outcome: Outcome) -> str:
    """The pySHACL report, with the other checks' findings added as further sh:ValidationResults."""
    report = rdflib.Graph()
    report += outcome.report
    report.bind("sh", SH)
    node = next(report.subjects(RDF.type, SH.ValidationReport), None) or rdflib.BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.set((node, SH.conforms, rdflib.Literal(outcome.conforms)))
    in_report = {str(o) for o in report.objects(None, SH.focusNode)}
    for step in outcome.steps:
        for finding in step.findings:
            if step.name.startswith("SHACL") and finding.focusNode in in_report:
                continue
            report.add((node, SH.result, _result_node(report, finding)))
    return report.serialize(format="turtle")


def as_junit(outcome: Outcome) -> str:
    """One suite per file holding results (one case per result: failure at the failing severities, else passed with
    the text in system-out), and one suite for the steps themselves (their time, skipped ones)."""
    failing = FAIL_ON[outcome.fail_on]
    suites = ET.Element("testsuites", name="kg validate")
    by_file: dict[str, list[Finding]] = {}
    for finding in outcome.findings:
        by_file.setdefault(finding.file or "(no file)", []).append(finding)
    for name, findings in sorted(by_file.items()):
        suite = ET.SubElement(suites, "testsuite", name=name, tests=str(len(findings)),
                              failures=str(sum(f.severity in failing for f in findings)))
        for finding in findings:
            case = ET.SubElement(suite, "testcase", classname=name, name=_case_name(outcome, finding))
            if finding.file:
                case.set("file", finding.file)
                case.set("line", str(finding.line))
            if finding.severity in failing:
                ET.SubElement(case, "failure", message=finding.message, type=finding.severity).text = \
                    _line(outcome, finding)
            else:
                ET.SubElement(case, "system-out").text = _line(outcome, finding)
    steps = ET.SubElement(suites, "testsuite", name="kg validate steps", tests=str(len(outcome.steps)),
                          skipped=str(sum(1 for s in outcome.steps if s.skipped)), failures="0")
    for step in outcome.steps:
        case = ET.SubElement(steps, "testcase", classname="kg.validation", name=step.name, time=str(step.seconds))
        if step.skipped:
            ET.SubElement(case, "skipped", message=step.skipped)
        elif step.note:
            ET.SubElement(case, "system-out").text = step.note
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


FORMATS = {"text": as_text, "json": as_json, "turtle": as_turtle, "junit": as_junit}


def _summary(step: Step) -> str:
    if step.skipped:
        return f"skipped ({step.skipped})"
    counts = Counter(f.severity for f in step.findings)
    parts = [f"{counts[s]} {s.lower()}(s)" for s in SEVERITIES if counts[s]] or ["no results"]
    note = f"; {step.note}" if step.note else ""
    return f"{', '.join(parts)} in {step.seconds:.2f} s{note}"


def _name(outcome: Outcome, term: str | None) -> str:
    return short(term, dict(outcome.prefixes), outcome.base)


def _value(outcome: Outcome, value: str | None) -> str:
    if value is None:
        return ""
    if value.startswith("_:") or ("://" in value and " " not in value) or value.startswith(("urn:", "mailto:")):
        return _name(outcome, value)
    return json.dumps(value, ensure_ascii=False)


def _case_name(outcome: Outcome, finding: Finding) -> str:
    parts = [_name(outcome, finding.focusNode) or "(whole graph)", _name(outcome, finding.resultPath)]
    return " ".join(part for part in parts if part)


def _line(outcome: Outcome, finding: Finding) -> str:
    where = f"{finding.location}: " if finding.location else ""
    value = _value(outcome, finding.value) if finding.value != finding.focusNode else ""
    subject = " ".join(p for p in (_case_name(outcome, finding), value) if p)
    return f"{where}{finding.severity}: {subject}: {finding.message}"


def _result(finding: Finding) -> dict:
    return {**finding.as_dict(), "location": finding.location}


def _result_node(report: rdflib.Graph, finding: Finding) -> rdflib.BNode:
    node = rdflib.BNode()
    report.add((node, RDF.type, SH.ValidationResult))
    report.add((node, SH.resultSeverity, SH[finding.severity]))
    report.add((node, SH.resultMessage, rdflib.Literal(finding.message)))
    report.add((node, SH.sourceConstraintComponent, rdflib.URIRef(finding.sourceConstraintComponent or SH.Validator)))
    if finding.focusNode:
        focus = rdflib.BNode(finding.focusNode[2:]) if finding.focusNode.startswith("_:") else rdflib.URIRef(finding.focusNode)
        report.add((node, SH.focusNode, focus))
    if finding.resultPath:
        report.add((node, SH.resultPath, rdflib.URIRef(finding.resultPath)))
    if finding.value:
        report.add((node, SH.value, rdflib.Literal(finding.value, datatype=XSD.string)))
    return node
