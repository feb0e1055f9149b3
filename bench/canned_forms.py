"""Which way should each canned query receive its parameters on the embedded store? Oxigraph's substitution of the
bound variables, or the same typed terms as inline VALUES blocks in each group (`kg.store.bindings.bind`, the form
remote servers get). Both are built from validated terms, never from raw input; they must give the same rows.
Prints, per query and example, the median of each form and the one to choose; `kg.services.canned` follows the
`# bind:` line of each `.rq` file, which this bench justifies. Usage: `python bench/canned_forms.py [--runs N]`."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kg.core.config import Settings  # noqa: E402
from kg.core.project import project_files  # noqa: E402
from kg.services import canned  # noqa: E402
from kg.store.bindings import bind  # noqa: E402
from kg.store.embedded import EmbeddedStore  # noqa: E402


def median_ms(run, runs: int) -> tuple[float, list]:
    times, answer = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
        answer = sorted(sorted((k, str(v)) for k, v in row.items()) for row in result.rows)
    return statistics.median(times) * 1000, answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    settings = Settings.from_env({})
    store = EmbeddedStore.from_files(project_files(settings), base=settings.base)
    print("| query | example | substitution ms | inline VALUES ms | same rows | faster | `# bind:` now |\n|---|---|---:|---:|---|---|---|")
    for query in canned.load().values():
        for example in query.examples:
            bound = query.bindings(parse_qsl(example, keep_blank_values=True), settings.base)
            sub, rows_sub = median_ms(lambda: store.query(query.text, bindings=bound), args.runs)
            inline_text = bind(query.text, bound)
            val, rows_val = median_ms(lambda: store.query(inline_text), args.runs)
            faster = "values" if val < sub * 0.9 else "substitute"
            print(f"| {query.name} | `{example[:40]}` | {sub:.2f} | {val:.2f} | {rows_sub == rows_val} | {faster} | "
                  f"{query.binding} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
