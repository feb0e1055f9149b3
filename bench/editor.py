"""The editor's loop, timed as whole `kg` processes: a one-resource change validated with `kg validate --changed`,
side by side with a full `kg validate --no-owl`, and a whole `kg validate` with every step.

    .venv/bin/python bench/editor.py              # 5 runs of each, after one warm-up; Markdown table
    .venv/bin/python bench/editor.py --runs 9 --json editor.json

It copies the project (ontology/, graph/, shapes/) into a temporary git repository, commits it, and adds one new
article (`art_214`, chapter 7, sourced to `id/location/disc`) to graph/kz-criminal-code.ttl. Cold figures are the
first run after the on-disk cache (`.kg/cache`: N-Quads of unchanged files and HermiT's result, keyed by content
hashes) was emptied; warm ones the median of the runs after a warm-up. The pair (changed, full) alternates so that
drift hits both alike; the ratio is taken pair by pair. Targets (issue 9): changed ≤ 1 s, ratio ≤ 0.15, whole
`kg validate` ≤ 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pyoxigraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KG = [sys.executable, "-m", "kg.cli"]
BASE = "https://w3id.org/infosec-law-kg/"
ARTICLE = """
<eli/kz/code/2014/226-V/art_214> a kg:Article ;
    rdfs:label "214 бап (Қазақстан Республикасының Қылмыстық кодексі)"@kk ,
        "Статья 214 Уголовного кодекса Республики Казахстан"@ru-t-kk ,
        "Article 214 of the Criminal Code of the Republic of Kazakhstan"@en-t-kk ;
    eli:number "214" ;
    eli:is_part_of <eli/kz/code/2014/226-V/chp_7> ;
    kg:source <id/location/disc> .
"""


def project(folder: Path, synthetic_codes: int = 0) -> Path:
    for name in ("ontology", "graph", "shapes"):
        shutil.copytree(ROOT / name, folder / name)
    if synthetic_codes:  # a bigger graph: N synthetic criminal codes of 200 articles each (bench/synthetic.py)
        synthetic.write(folder / "graph" / "synthetic.ttl", synthetic_codes)
    git = ["git", "-C", str(folder), "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "bench"], check=True)
    with open(folder / "graph" / "kz-criminal-code.ttl", "a", encoding="utf-8") as code:
        code.write(ARTICLE)
    return folder


def timed(argv: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, done.returncode


def measure(root: Path, runs: int, with_whole: bool = True) -> dict:
    changed = [*KG, "--root", str(root), "validate", "--changed", "-q"]
    full = [*KG, "--root", str(root), "validate", "--no-owl", "-q"]
    whole = [*KG, "--root", str(root), "validate", "-q"]
    if not with_whole:
        whole = ["true"]
    shutil.rmtree(root / ".kg", ignore_errors=True)
    cold = {"changed": timed(changed)[0]}
    shutil.rmtree(root / ".kg", ignore_errors=True)
    cold["whole"] = timed(whole)[0]
    timed(changed), timed(full), timed(whole)  # warm-up
    pairs, wholes, codes = [], [], set()
    for _ in range(runs):
        (a, code_a), (b, code_b) = timed(changed), timed(full)
        pairs.append((a, b))
        codes |= {code_a, code_b}
        wholes.append(timed(whole)[0])
    return {
        "runs": runs, "exit_codes": sorted(codes), "triples": _triples(root), "load": round(os.getloadavg()[0], 1),
        "date": date.today().isoformat(), "with_whole": with_whole,
        "changed_cold_s": round(cold["changed"], 3), "whole_cold_s": round(cold["whole"], 3),
        "changed_s": round(statistics.median(a for a, _ in pairs), 3),
        "full_no_owl_s": round(statistics.median(b for _, b in pairs), 3),
        "ratio": round(statistics.median(a / b for a, b in pairs), 3),
        "whole_s": round(statistics.median(wholes), 3),
        "changed_range_s": [round(min(a for a, _ in pairs), 3), round(max(a for a, _ in pairs), 3)],
        "whole_range_s": [round(min(wholes), 3), round(max(wholes), 3)],
    }


def _triples(root: Path) -> int:
    """The graph's size as the engine reads it (data files and ontology)."""
    store = pyoxigraph.Store()
    for path in sorted((root / "graph").glob("*.ttl")) + sorted((root / "ontology").glob("*.ttl")):
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE, base_iri=BASE)
    return len(store)


def markdown(figures: dict) -> str:
    met = lambda ok: "met" if ok else "**missed**"  # noqa: E731
    rows = [
        ("`kg validate --changed` (one new article), warm", f"{figures['changed_s']:.2f} s", "≤ 1 s",
         met(figures["changed_s"] <= 1.0)),
        ("the same, cold (cache emptied)", f"{figures['changed_cold_s']:.2f} s", "reported", ""),
        ("`kg validate --no-owl` (whole graph)", f"{figures['full_no_owl_s']:.2f} s", "", ""),
        ("ratio changed / full, pair by pair (median)", f"{figures['ratio']:.3f}", "≤ 0.15",
         met(figures["ratio"] <= 0.15)),
        ("`kg validate` (every step), warm", f"{figures['whole_s']:.2f} s", "≤ 5 s", met(figures["whole_s"] <= 5.0)),
        ("the same, cold (HermiT not cached)", f"{figures['whole_cold_s']:.2f} s", "reported", ""),
    ]
    if not figures["with_whole"]:
        rows = rows[:4]
    lines = [f"The editor's loop (`bench/editor.py`), {figures['triples']:,} triples, {figures['date']}, "
             f"{os.cpu_count()} cores, load {figures['load']}: one new article, whole `kg` processes", "",
             "| measure | median | target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines) + f"\n\n{figures['runs']} runs each; exit codes seen: {figures['exit_codes']}.\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="add N synthetic criminal codes (~1,900 triples each) to see how the loop grows; "
                             "the whole `kg validate` is then left out")
    parser.add_argument("--out", type=Path, help="write the Markdown report into this folder (e.g. bench/results)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-bench-editor-") as folder:
        figures = measure(project(Path(folder), args.synthetic), args.runs, with_whole=not args.synthetic)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    report = markdown(figures)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        name = f"editor-synthetic-{args.synthetic}.md" if args.synthetic else "editor.md"
        (args.out / name).write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
