"""The stress suite's quick version (the same scenarios as the full run, bounded to a minute or two): every target
of every scenario must be met. The full run is `python bench/stress/run.py` (README, "Security and limits")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[1] / "bench" / "stress" / "run.py"


@pytest.mark.xdist_group("stress")
def test_the_quick_stress_suite_meets_every_target(tmp_path):
    figures = tmp_path / "stress.json"
    finished = subprocess.run([sys.executable, str(RUNNER), "--quick", "--json", str(figures)],
                              capture_output=True, text=True, timeout=900)
    results = json.loads(figures.read_text())
    missed = {r["name"]: [t for t, met in r["targets"].items() if not met] for r in results if not r["ok"]}
    assert finished.returncode == 0 and not missed, f"{missed}\n{finished.stdout}\n{finished.stderr[-3000:]}"
    assert {"fuzz", "outbound", "xss", "durability"} <= {r["name"] for r in results}
