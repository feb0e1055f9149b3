"""Put the bench's own reports into README.md, between `<!-- bench:begin -->` and `<!-- bench:end -->`, so that every
speed figure (and every "met" or "missed") the README shows is one a bench run printed. The reports are the Markdown
files the benches wrote into bench/results/ (bench/scale.py, bench/writes.py, bench/runaway_modes.py, ...), in the
order the README already shows them and a new report last (file times say nothing on a fresh clone); the SVG charts
beside them are linked. Usage: `python scripts/bench_readme.py` (after running the benches)."""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def section(results: Path, shown: str = "") -> str:
    """The reports in `results`, in the order `shown` (the README's section now) names them, new ones last by name."""
    def position(report: Path) -> tuple[int, str]:
        at = shown.find(f"`bench/results/{report.name}`")
        return (at if at >= 0 else len(shown), report.name)

    reports = sorted(results.glob("*.md"), key=position)
    if not reports:
        return "_No bench report in bench/results/ yet: run the benches, then this script._\n"
    parts = []
    for report in reports:
        parts.append(f"From `bench/results/{report.name}`:\n\n{report.read_text(encoding='utf-8').strip()}\n")
        chart = report.with_suffix(".svg")
        if chart.exists():
            parts.append(f"![{report.stem}](bench/results/{chart.name})\n")
    return "\n".join(parts)


def main() -> int:
    readme = PROJECT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"README.md has no {BEGIN} ... {END} section", file=sys.stderr)
        return 2
    head, _, rest = text.partition(BEGIN)
    shown, _, tail = rest.partition(END)
    readme.write_text(f"{head}{BEGIN}\n{section(PROJECT / 'bench' / 'results', shown)}{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
