"""Turn the bench's measurements into ratios, a summary against the issue's target, and Markdown tables."""

from __future__ import annotations

import math

TARGET = 0.15  # simple lookups within 15 % of the reference (req/s and p50)
FIGURES = ("rps", "p50_ms", "p99_ms")
GAP_TITLE = "### Gap analysis on the embedded store: `OPTIONAL … FILTER(!BOUND)` vs `FILTER NOT EXISTS`"
BINDING_TITLE = ("### Canned-query parameters on the embedded store: Oxigraph substitution (as served) vs the same "
                 "terms in an inline VALUES block")


def ratios(service: dict, reference: dict) -> dict:
    """The service's figures divided by the reference's (req/s > 1 is better; latency < 1 is better)."""
    return {name: round(service[name] / reference[name], 3) if reference[name] else math.nan for name in FIGURES}


def summarise(cells: list[dict]) -> dict:
    """Geometric means of the simple lookups' ratios per concurrency, and whether each meets the target."""
    per_concurrency = []
    for concurrency in sorted({cell["concurrency"] for cell in cells}):
        chosen = [cell["ratio"] for cell in cells if cell["group"] == "simple" and cell["concurrency"] == concurrency]
        if not chosen:
            continue
        means = {name: round(_geomean([r[name] for r in chosen]), 3) for name in FIGURES}
        met = means["rps"] >= 1 - TARGET and means["p50_ms"] <= 1 + TARGET
        per_concurrency.append({"concurrency": concurrency, **means, "met": met})
    return {"target": TARGET, "simple": per_concurrency, "met": all(row["met"] for row in per_concurrency)}


def markdown(result: dict) -> str:
    return "\n".join([*_heading(result["environment"]), "", *_http_table(result["http"]), "",
                      *_summary(result["summary"]), "", *_engine_table(GAP_TITLE, result["gap_forms"]), "",
                      *_engine_table(BINDING_TITLE, result["binding_forms"]), ""])


def _heading(env: dict) -> list[str]:
    data = f"{env['triples']:,} triples" + (f" (project + {env['synthetic_statutes']} synthetic codes)"
                                             if env["synthetic_statutes"] else " (the project graph)")
    return ["### Query service vs. a bare Flask + pyoxigraph reference", "",
            f"{data} · Python {env['python']}, pyoxigraph {env['pyoxigraph']}, {env['cpus']} CPUs · gunicorn with "
            f"{env['workers']} sync workers for every side, the store loaded before the fork; the service's "
            f"{env['query_timeout_s']:g} s time limit is a per-worker watchdog · up to {env['requests_per_cell']} "
            f"requests or "
            f"{env['max_seconds_per_cell']:g} s per cell in {env['rounds']} rounds of alternating order · started in "
            f"{_starts(env['start_s'])} · load average "
            f"{env['load_average_before']} → {env['load_average_after']} · {env['date']}"]


def _http_table(cells: list[dict]) -> list[str]:
    unlimited = any("unlimited" in cell["ratios"] for cell in cells)
    extra = (" service with no time limit ÷ reference |", "---|") if unlimited else ("", "")
    lines = ["| request | rows | conc. | reference req/s | p50 ms | p99 ms | service req/s | p50 ms | p99 ms "
             "| service ÷ reference |" + extra[0], "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|" + extra[1]]
    for cell in cells:
        ref, svc, ratio = cell["reference"], cell["service"], cell["ratio"]
        mark = " ‡" if cell["group"] == "canned" else ""
        errors = f" ({svc['errors']}+{ref['errors']} errors)" if svc["errors"] or ref["errors"] else ""
        lines.append(f"| {cell['group']}: {cell['scenario']}{mark} | {_rows(cell['rows'])} | {cell['concurrency']} "
                     f"| {ref['rps']:,.0f} | {ref['p50_ms']:.2f} | {ref['p99_ms']:.2f} "
                     f"| {svc['rps']:,.0f} | {svc['p50_ms']:.2f} | {svc['p99_ms']:.2f} "
                     f"| {_ratio_text(ratio)}{errors} |"
                     + (f" {_ratio_text(cell['ratios']['unlimited'])} |" if unlimited else ""))
    lines += ["", "‡ canned query (`/api/queries/NAME?...`, its first example) on the service; on the reference, the "
                  "same SPARQL with the example's values inlined as a VALUES block, sent to `/sparql`."]
    return lines


def _summary(summary: dict) -> list[str]:
    parts = [f"c={row['concurrency']}: {_ratio_text(row)}" for row in summary["simple"]]
    verdict = "met" if summary["met"] else "**missed**"
    return [f"**Simple lookups** (geometric mean of the three): {'; '.join(parts)}. Target (within "
            f"{summary['target']:.0%} of the reference in req/s and p50): {verdict}."]


def _engine_table(title: str, rows: list[dict]) -> list[str]:
    lines = [title, "", "| case | form | rows | runs | median ms | × fastest |", "|---|---|---:|---:|---:|---:|"]
    for row in rows:
        rows_text = f"{row['rows']}" + ("" if row["same_rows"] else " ⚠ differs")
        lines.append(f"| {row['case']} | {row['form']} | {rows_text} | {row['runs']} | {row['median_ms']:.2f} "
                     f"| {row['vs_fastest']:.1f}x |")
    return lines


def _ratio_text(ratio: dict) -> str:
    return f"{ratio['rps']:.2f}x req/s, p50 {ratio['p50_ms']:.2f}x, p99 {ratio['p99_ms']:.2f}x"


def _rows(rows: dict) -> str:
    """The row count, or every side's when they differ (a sign the requests do not ask the same thing)."""
    counts = set(rows.values())
    return str(counts.pop()) if len(counts) == 1 else " ≠ ".join(f"{n} ({side})" for side, n in rows.items()) + " ⚠"


def _starts(start_s: dict) -> str:
    return ", ".join(f"{seconds:.1f} s ({name})" for name, seconds in start_s.items())


def _geomean(values: list[float]) -> float:
    usable = [value for value in values if value > 0 and not math.isnan(value)]
    return math.exp(sum(math.log(value) for value in usable) / len(usable)) if usable else math.nan
