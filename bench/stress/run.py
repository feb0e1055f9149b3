"""The stress suite: every scenario of the hardening issues against real `kg serve` processes on loopback, bounded in
requests and seconds, with a verdict per target. `--quick` is the small version CI runs (a minute or two).

Usage: `python bench/stress/run.py [--quick] [--only NAME ...] [--json PATH]`. Prints a Markdown table; exits 1 when
a target is missed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SCENARIOS = ["fuzz", "outbound", "xss", "durability", "fairness", "slow_clients", "brute_force"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small version (CI)")
    parser.add_argument("--only", nargs="*", choices=SCENARIOS, help="run only these scenarios")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-stress-") as folder:
        for name in args.only or SCENARIOS:
            module = _scenario(name)
            if module is None:
                print(f"stress: {name}: not written yet, skipped", file=sys.stderr)
                continue
            work = Path(folder) / name
            work.mkdir()
            started = time.monotonic()
            print(f"stress: {name} ...", file=sys.stderr, flush=True)
            figures = module.run(quick=args.quick, work=work)
            figures.seconds = round(time.monotonic() - started, 1)
            print(f"stress: {name}: {'ok' if figures.ok else 'MISSED'} in {figures.seconds} s", file=sys.stderr)
            results.append(figures)
    print(markdown(results, args.quick))
    if args.json:
        args.json.write_text(json.dumps([f.as_dict() for f in results], indent=2, ensure_ascii=False) + "\n")
    return 0 if all(f.ok for f in results) else 1


def _scenario(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return None
        raise


def markdown(results: list, quick: bool) -> str:
    lines = [f"Stress suite ({'quick' if quick else 'full'} run)", "",
             "| scenario | requests | refusals | 5xx | crashes | outbound | lost writes | seconds | targets |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for f in results:
        targets = "; ".join(f"{name}: {'met' if met else 'MISSED'}" for name, met in f.targets.items())
        lines.append(f"| {f.name} | {f.requests:,} | {f.refusals:,} | {f.server_errors} | {f.crashes} | "
                     f"{f.outbound_requests} | {f.lost_writes} | {f.seconds} | {targets} |")
    notes = [f"- {f.name}: " + ", ".join(f"{k} {v}" for k, v in f.notes.items()) for f in results if f.notes]
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


if __name__ == "__main__":
    sys.exit(main())
