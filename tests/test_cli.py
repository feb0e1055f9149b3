"""`kg validate` from the command line: exit codes, report formats, and error messages an editor can act on."""

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
import rdflib
from rdflib.namespace import SH

from kg.validation import owl
from kg.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "cli"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_shipped_graph_conforms_with_warnings(capsys):
    code, out, _ = run(capsys, "validate", "--no-owl", "-q")
    assert code == 0
    assert "Warning" in out and "Result: the graph conforms" in out


def test_fail_on_warning_turns_warnings_into_failure(capsys):
    code, out, _ = run(capsys, "validate", "--no-owl", "-q", "--fail-on", "warning")
    assert code == 1
    assert "does NOT conform" in out


def test_violation_exits_1_and_names_the_problem(capsys):
    code, out, _ = run(capsys, "validate", "--no-owl", "-q", str(FIXTURES / "unsourced-act.ttl"))
    assert code == 1
    assert "eli/kz/law/2020/1-VI" in out and "source" in out


def test_syntax_error_exits_2_with_file_line_column_and_token(capsys):
    path = FIXTURES / "syntax-error.ttl"
    code, out, err = run(capsys, "validate", "--no-owl", str(path))
    assert code == 2 and out == ""
    assert f"{path}:5:5: " in err and "kg:source" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["validate", "--format", "yaml"], ["validate", "--fail-on", "never"], ["frobnicate"]])
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def test_json_report(capsys):
    code, out, _ = run(capsys, "validate", "--no-owl", "-q", "--format", "json", str(FIXTURES / "unsourced-act.ttl"))
    report = json.loads(out)
    assert code == 1 and report["conforms"] is False
    fields = {"severity", "focusNode", "resultPath", "value", "message", "sourceShape", "sourceConstraintComponent"}
    assert all(fields <= set(result) for result in report["results"])
    assert any(r["severity"] == "Violation" and r["focusNode"].endswith("eli/kz/law/2020/1-VI") for r in report["results"])


def test_turtle_report_is_a_shacl_validation_report(capsys):
    code, out, _ = run(capsys, "validate", "--no-owl", "-q", "--format", "turtle", str(FIXTURES / "unsourced-act.ttl"))
    report = rdflib.Graph().parse(data=out, format="turtle")
    node = report.value(predicate=rdflib.RDF.type, object=SH.ValidationReport, any=False)
    assert code == 1 and report.value(node, SH.conforms).toPython() is False
    assert len(list(report.objects(node, SH.result))) >= 1


def test_junit_report(capsys, tmp_path):
    target = tmp_path / "report.xml"
    code, out, _ = run(capsys, "validate", "--no-owl", "-q", "--format", "junit", "-o", str(target),
                       str(FIXTURES / "unsourced-act.ttl"))
    suites = {suite.get("name"): suite for suite in ElementTree.parse(target).getroot().iter("testsuite")}
    assert code == 1 and out == ""
    suite = next(s for name, s in suites.items() if name.endswith("unsourced-act.ttl"))  # one suite per file
    assert int(suite.get("failures")) >= 1
    case = suite.find("testcase/failure/..")
    assert case.get("file").endswith("unsourced-act.ttl") and int(case.get("line")) > 0
    assert "1-VI" in suite.find("testcase/failure").text


def test_full_validation_runs_every_step(outcome, java_required):
    """The shipped graph: SHACL with the expected warnings, OWL 2 DL profile and HermiT without findings."""
    names = [step.name for step in outcome.steps]
    assert names == ["Declared terms", "SHACL", "OWL 2 DL profile", "HermiT consistency"]
    assert outcome.conforms
    warnings = {f.focusNode.rsplit("/", 2)[-2:][-1] for f in outcome.findings if f.severity == "Warning"}
    assert "row-2-change" in warnings  # Table 1 row 2: +41,8 % cannot follow from 5,9 -> 8,5 thousand
    assert {"fn-5", "fn-6"} <= warnings  # the misprinted URL of footnote 6
    owl_steps = outcome.steps[2:]
    if java_required:
        assert all(step.skipped is None for step in owl_steps)
    assert not [f for step in owl_steps for f in step.findings if f.severity != "Info"]
    if owl_steps[0].skipped is None:  # only xsd:date and xsd:gYear literals, reported as Info
        assert {f.value for f in owl_steps[0].findings} == {owl.XSD + "date", owl.XSD + "gYear"}
