"""A smoke run of bench/editor.py (its figures are made by hand on a quiet machine): the report is written with the
graph's size and every measure, and the change-aware run costs less than the whole one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EDITOR = Path(__file__).resolve().parents[1] / "bench" / "editor.py"


def test_a_small_editor_run_reports_the_loop(tmp_path):
    done = subprocess.run([sys.executable, str(EDITOR), "--runs", "1", "--synthetic", "1", "--out", str(tmp_path),
                           "--json", str(tmp_path / "editor.json")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = (tmp_path / "editor-synthetic-1.md").read_text()
    assert report.startswith("The editor's loop (`bench/editor.py`), ")
    assert "`kg validate --changed` (one new article), warm" in report and "ratio changed / full" in report
    figures = json.loads((tmp_path / "editor.json").read_text())
    assert figures["triples"] > 9000 and figures["changed_s"] > 0 and figures["full_no_owl_s"] > figures["changed_s"]
