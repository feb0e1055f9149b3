"""The editor's loop: files validated with the graph, change-aware validation against git, declared terms without
Java, results with file:line:column, and the position-aware Turtle reading behind them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from kg.cli import main
from kg.rdf.dataset import file_quads
from kg.rdf.positions import scan

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "editing"
CODE = "graph/kz-criminal-code.ttl"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True)


@pytest.fixture()
def project(tmp_path):
    """A repository with this project's ontology/, graph/ and shapes/, committed once."""
    for folder in ("ontology", "graph", "shapes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    return tmp_path


def append(root: Path, path: str, fixture: str) -> None:
    body = "".join(line + "\n" for line in (FIXTURES / fixture).read_text(encoding="utf-8").splitlines()
                   if not line.startswith("@"))
    with open(root / path, "a", encoding="utf-8") as target:
        target.write(body)


def test_a_named_file_is_validated_with_the_graph_and_alone_only_on_request(capsys):
    code, out, _ = run(capsys, "validate", "--no-owl", "-q", str(FIXTURES / "art214.ttl"))
    assert code == 0, out
    code, out, _ = run(capsys, "validate", "--no-owl", "-q", "--alone", str(FIXTURES / "art214.ttl"))
    assert code == 1 and "kg:source must point to a kg:SourceLocation" in out


def test_typos_in_terms_fail_without_java_with_a_suggestion(capsys):
    code, out, _ = run(capsys, "validate", "--no-owl", "-q", str(FIXTURES / "typos.ttl"))
    assert code == 1
    assert "did you mean kg:Article?" in out and "did you mean eli:is_part_of?" in out
    assert "did you mean kg:protects?" in out
    assert "typos.ttl:6:36: Violation: <eli/kz/code/2014/226-V/art_214> rdf:type kg:Artcle:" in out


def test_changed_reports_introduced_fixed_and_still_present(project, capsys):
    append(project, CODE, "art214.ttl")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--changed", "-q")
    assert code == 0 and "Result: the change introduces no results" in out, out

    broken = (project / CODE).read_text(encoding="utf-8").replace('eli:number "214"', 'eli:number "214" , "215"')
    (project / CODE).write_text(broken, encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--changed", "--format", "json", "-q")
    report = json.loads(out)
    assert code == 1 and report["results"], report
    first = report["results"][0]
    assert first["file"] == CODE and first["line"] > 190 and first["focusNode"].endswith("art_214")

    git(project, "commit", "-q", "-am", "broken")
    (project / CODE).write_text(broken.replace('eli:number "214" , "215"', 'eli:number "214"'), encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--changed", "--format", "json", "-q")
    report = json.loads(out)
    assert code == 0 and not report["results"] and report["fixed"], report
    assert report["fixed"][0]["file"] == f"HEAD:{CODE}"


def test_changed_catches_a_typo_and_accepts_a_merge_base(project, capsys):
    append(project, CODE, "typos.ttl")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--changed", "HEAD...", "-q")
    assert code == 1 and "did you mean kg:Article?" in out and f"{CODE}:" in out


@pytest.mark.parametrize("argv, message", [
    (["validate", "--changed", "no-such-revision"], "unknown revision 'no-such-revision'"),
    (["validate", "--changed", "nope..."], "no merge base of 'nope'"),
])
def test_bad_revisions_exit_2_with_one_line(project, capsys, argv, message):
    code, out, err = run(capsys, "--root", str(project), *argv)
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_no_repository_exits_2(tmp_path, capsys):
    for folder in ("ontology", "graph", "shapes"):
        (tmp_path / folder).mkdir()
    code, _, err = run(capsys, "--root", str(tmp_path), "validate", "--changed")
    assert code == 2 and "not in a git repository" in err


def test_a_file_that_does_not_parse_exits_2(project, capsys):
    (project / CODE).write_text("<a> <b> .\n", encoding="utf-8")
    code, _, err = run(capsys, "--root", str(project), "validate", "--changed")
    assert code == 2 and f"{CODE}:1:" in err and "Traceback" not in err


def test_positions_follow_turtle():
    found = scan(FIXTURES / "typos.ttl")
    art = "https://w3id.org/infosec-law-kg/eli/kz/code/2014/226-V/art_214"
    assert (found.subjects[art].line, found.subjects[art].column) == (6, 1)
    number = found.locate(art, "http://data.europa.eu/eli/ontology#number", "214")
    assert (number.line, number.column) == (10, 16)


def test_stable_blank_nodes_ignore_order_and_formatting():
    one = b'@prefix ex: <http://example.org/> .\nex:a ex:p [ ex:q 1 ; ex:r ( 1 2 ) ] , [ ex:q 2 ] .\n'
    two = (b'@prefix ex: <http://example.org/> .\nex:a ex:p [ ex:q 2 ] .\n'
           b'ex:a ex:p [ ex:r ( 1 2 ) ; ex:q 1 ] .\n')
    assert set(file_quads(one, "http://g/", "one.ttl")[0]) == set(file_quads(two, "http://g/", "two.ttl")[0])
