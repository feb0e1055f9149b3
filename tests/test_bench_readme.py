"""scripts/bench_readme.py keeps the reports in the order the README shows them, whatever the files' times (a fresh
clone gives them all one), and puts a new report last."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import bench_readme  # noqa: E402


def test_the_readmes_order_is_kept_and_a_new_report_goes_last(tmp_path):
    for age, name in enumerate(["b", "a", "new", "c"]):
        report = tmp_path / f"{name}.md"
        report.write_text(f"report {name}\n")
        os.utime(report, (1_000_000 - age, 1_000_000 - age))  # file times in another order
    shown = "From `bench/results/c.md`:\n...\nFrom `bench/results/a.md`:\n...\nFrom `bench/results/b.md`:\n"
    section = bench_readme.section(tmp_path, shown)
    assert [line.split("/")[-1] for line in section.splitlines() if line.startswith("From")] == \
        ["c.md`:", "a.md`:", "b.md`:", "new.md`:"]
