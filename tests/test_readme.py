"""The README's promises: it opens with the two set-up commands CI runs, and its counts are `kg stats`'s."""

import re
from pathlib import Path

from kg.services import stats

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_setup_commands_that_ci_runs():
    block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["bash scripts/install.sh && .venv/bin/kg serve",
                        "bash scripts/install.sh && .venv/bin/python -m pytest -q"]
    ci = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line and line[0] not in "#"]
    assert ci[-2:] == ["bash scripts/install.sh", ".venv/bin/python -m pytest -q"]


def test_readme_counts_are_current(settings):
    table = re.search(r"<!-- kg stats -->\n(.*?)\n<!-- /kg stats -->", README, re.S).group(1)
    assert table.strip() == stats.markdown(settings).strip(), "README counts are stale: paste the output of `kg stats`"
