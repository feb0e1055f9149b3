"""`kg diff`: blank-node aware, grouped by resource, old → new for literals, ELI changes marked, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from kg.cli import main
from tests.test_editing import CODE, FIXTURES, append, git, project  # noqa: F401 (the fixture)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_reformatting_and_reordering_show_no_change(project, capsys):  # noqa: F811
    path = project / CODE
    lines = path.read_text(encoding="utf-8").split("\n\n")
    path.write_text("\n\n".join(lines[:1] + list(reversed(lines[1:]))).replace(" ;\n    ", " ;\n        "),
                    encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "diff", "--exit-code")
    assert code == 0 and "No change to the graph" in out, out


def test_a_change_by_resource_with_old_and_new_values(project, capsys):  # noqa: F811
    append(project, CODE, "art214.ttl")
    path = project / CODE
    path.write_text(path.read_text(encoding="utf-8").replace('eli:number "213" ;', 'eli:number "2130" ;'),
                    encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "diff", "--exit-code")
    assert code == 1
    assert '- **[ELI]** eli:number: "213" → "2130"' in out
    assert "#### <eli/kz/code/2014/226-V/art_214> “Article 214 of the Criminal Code" in out and "— new" in out
    assert "- gained: <eli/kz/code/2014/226-V/art_214> ← <id/location/disc>" in out
    code, out, _ = run(capsys, "--root", str(project), "diff", "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["sources"]["added"]
    code, out, _ = run(capsys, "--root", str(project), "diff", "--stat")
    assert "<graph/kz-criminal-code>: +8 -1 in 2 resource(s)" in out and "kg:Article: +8 -1" in out


def test_two_revisions_and_two_files(project, capsys):  # noqa: F811
    append(project, CODE, "art214.ttl")
    git(project, "commit", "-q", "-am", "art 214")
    code, out, _ = run(capsys, "--root", str(project), "diff", "HEAD~1", "HEAD", "--stat")
    assert code == 0 and "+7 -0" in out
    code, out, _ = run(capsys, "diff", str(FIXTURES / "art214.ttl"), str(FIXTURES / "typos.ttl"), "--stat")
    assert code == 0 and "+3 -2" in out, out


def test_bad_input_exits_2(project, tmp_path, capsys):  # noqa: F811
    code, _, err = run(capsys, "--root", str(project), "diff", "no-such-rev")
    assert code == 2 and "unknown revision" in err
    code, _, err = run(capsys, "--root", str(project), "diff", "HEAD", "missing.ttl")
    assert code == 2 and "missing.ttl: no such file" in err
    (tmp_path / "bad.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    code, _, err = run(capsys, "diff", str(FIXTURES / "art214.ttl"), str(tmp_path / "bad.ttl"))
    assert code == 2 and "bad.ttl:1:" in err and "Traceback" not in err
