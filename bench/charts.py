"""The scale bench's pictures, drawn as plain SVG (no plotting library needed): throughput and latency percentiles of
one run, and throughput by system and size across runs. Input: the JSON results bench/scale.py writes."""

from __future__ import annotations

import math
from collections.abc import Callable

API_QUERIES = ("q1_article_lookup", "q2_chapter_articles", "q7_construct_article")
MIXES = (("api_mix", "API mix", "#3b6ea5"), ("full_mix", "full mix", "#e0a030"))
PERCENTILES = (("p50_ms", "p50", "#3b6ea5"), ("p90_ms", "p90", "#e0a030"), ("p99_ms", "p99", "#b03a2e"))
LABEL_X, PLOT_X, PLOT_WIDTH = 10, 230, 360


def run_chart(result: dict) -> str:
    """One run: req/s of each side (API and full mix), then each side's latency percentiles for the API mix's
    queries on a logarithmic scale (p90 and p99 where the run recorded them)."""
    sides = list(result["serving"].items())
    title = f'{result["triples"]:,} triples, concurrency {result["concurrency"]} ({result["date"]})'
    parts, y = [], 20
    parts.append(_text(LABEL_X, y, f"req/s, {title}", size=14))
    y += 20
    top = max(side[key]["rps"] for _, side in sides for key, _, _ in MIXES) or 1
    for name, side in sides:
        parts.append(_text(LABEL_X, y + 18, name))
        for offset, (key, _, colour) in enumerate(MIXES):
            parts += _bar(y + offset * 18, side[key]["rps"] / top, colour, side[key]["rps"])
        y += 2 * 18 + 14
    parts += _legend(y, [(label, colour) for _, label, colour in MIXES])
    y += 40
    parts.append(_text(LABEL_X, y, "API mix latency, ms (log scale): p50, p90, p99", size=14))
    y += 14
    values = [side["api_mix"]["queries"][q].get(key) for _, side in sides for q in API_QUERIES
              for key, _, _ in PERCENTILES if q in side["api_mix"]["queries"]]
    low, high = _log_range([v for v in values if v and v > 0])
    parts += _axis(y, low, high)
    y += 8
    for name, side in sides:
        for query in API_QUERIES:
            figures = side["api_mix"]["queries"].get(query)
            if not figures:
                continue
            y += 14
            parts.append(_text(LABEL_X, y, f"{name}: {query.split('_')[0]}", size=11))
            for key, _, colour in PERCENTILES:
                value = figures.get(key)
                if value and value > 0:
                    x = PLOT_X + PLOT_WIDTH * _position(value, low, high)
                    parts.append(f'<circle cx="{x:.1f}" cy="{y - 4}" r="4" fill="{colour}"/>')
        y += 6
    y += 16
    parts += _legend(y, [(label, colour) for _, label, colour in PERCENTILES])
    return _svg(y + 16, parts)


def sizes_chart(results: list[dict]) -> str:
    """Across runs: req/s of each side at each size (API and full mix), so that the cost of size shows per system."""
    results = sorted(results, key=lambda result: result["triples"])
    measure, rps = across_sizes(results)
    names = list(dict.fromkeys(name for result in results for name in result["serving"]))
    top = max(rps(result["serving"][name][key]) for result in results for name in result["serving"]
              for key, _, _ in MIXES) or 1
    parts, y = [_text(LABEL_X, 20, f"req/s by system and size (mixes: {measure})", size=14)], 40
    for name in names:
        parts.append(_text(LABEL_X, y + 12, name, size=13))
        y += 18
        for result in results:
            side = result["serving"].get(name)
            if side is None:
                continue
            label = f'{result["triples"]:,} triples, concurrency {result["concurrency"]}'
            parts.append(_text(LABEL_X + 16, y + 12, label, size=11))
            for offset, (key, _, colour) in enumerate(MIXES):
                parts += _bar(y + offset * 16, rps(side[key]) / top, colour, rps(side[key]), height=14)
            y += 2 * 16 + 6
        y += 8
    parts += _legend(y, [(label, colour) for _, label, colour in MIXES])
    return _svg(y + 16, parts)


LOADERS = (("kg load --store", "#3b6ea5"), ("oxigraph load", "#e0a030"), ("oxigraph load + optimize", "#b03a2e"))


def load_chart(result: dict) -> str:
    """bench/loading.py's run: for each syntax, the seconds of `kg load --store`, of the bulk loader, and of the bulk
    loader with its compaction (the same work `kg load` does); then the peak memory of the two loaders."""
    rows = list(result["formats"].items())
    parts, y = [_text(LABEL_X, 20, f'loading {result["triples"]:,} triples ({result["date"]}, medians of '
                                   f'{result["rounds"]} rounds)', size=14)], 32
    for unit, bars in (("seconds", _load_seconds), ("peak memory, MiB", _load_memory)):
        parts.append(_text(LABEL_X, y + 14, unit, size=13))
        y += 22
        values = {syntax: bars(row["median"]) for syntax, row in rows}
        top = max(value for figures in values.values() for value in figures) or 1
        for syntax, figures in values.items():
            parts.append(_text(LABEL_X + 16, y + 14 * len(figures) - 2, syntax, size=12))
            for offset, (value, (_, colour)) in enumerate(zip(figures, LOADERS)):
                parts += _bar(y + offset * 16, value / top, colour, value, height=14)
            y += 16 * len(figures) + 8
        y += 6
    parts += _legend(y + 8, LOADERS, spacing=130)
    return _svg(y + 24, parts)


def _load_seconds(median: dict) -> list[float]:
    load = median["oxigraph load"]["seconds"]
    return [median["kg load --store"]["seconds"], load, round(load + median["oxigraph optimize"]["seconds"], 2)]


def _load_memory(median: dict) -> list[float]:
    return [median["kg load --store"]["peak_mib"], median["oxigraph load"]["peak_mib"]]


def sizes_markdown(results: list[dict]) -> str:
    """The same across runs as a table: req/s and p50 of the lookup per side and size."""
    results = sorted(results, key=lambda result: result["triples"])
    measure, rps = across_sizes(results)
    lines = [f"Scale bench across sizes (bench/scale.py): req/s by system and size; mixes: {measure}", "",
             "| side | triples | concurrency | API mix req/s | full mix req/s | q1 p50 ms | date |",
             "|---|---:|---:|---:|---:|---:|---|"]
    names = list(dict.fromkeys(name for result in results for name in result["serving"]))
    for name in names:
        for result in results:
            side = result["serving"].get(name)
            if side is not None:
                lines.append(f'| {name} | {result["triples"]:,} | {result["concurrency"]} | {rps(side["api_mix"])} | '
                             f'{rps(side["full_mix"])} | {side["full_mix"]["queries"]["q1_article_lookup"]["p50_ms"]} | '
                             f'{result["date"]} |')
    return "\n".join(lines) + "\n"


def across_sizes(results: list[dict]) -> tuple[str, Callable[[dict], float]]:
    """The mix figure every run has, so that sizes compare like with like: the round-robin req/s once every run
    measured it (bench/scale.py from 2026-12-05), else the mean of each query's own req/s, which earlier runs
    reported as a mix's req/s and later runs keep as `mean_of_queries_rps`."""
    mixes = [side[key] for result in results for side in result["serving"].values() for key, _, _ in MIXES]
    if all("mean_of_queries_rps" in mix for mix in mixes):
        return "queries sent round-robin", lambda mix: mix["rps"]
    return "the mean of each query's own req/s (runs before 2026-12-05 measured only that)", \
        lambda mix: mix.get("mean_of_queries_rps", mix["rps"])


def _bar(y: float, share: float, colour: str, value: float, height: int = 16) -> list[str]:
    length = PLOT_WIDTH * share
    return [f'<rect x="{PLOT_X}" y="{y}" width="{length:.1f}" height="{height}" fill="{colour}"/>',
            _text(PLOT_X + 6 + length, y + height - 3, f"{value:g}", size=11)]


def _log_range(values: list[float]) -> tuple[float, float]:
    if not values:
        return 1.0, 10.0
    return 10 ** math.floor(math.log10(min(values))), 10 ** math.ceil(math.log10(max(values)))


def _position(value: float, low: float, high: float) -> float:
    return (math.log10(value) - math.log10(low)) / max(math.log10(high) - math.log10(low), 1e-9)


def _axis(y: float, low: float, high: float) -> list[str]:
    parts = [f'<line x1="{PLOT_X}" y1="{y}" x2="{PLOT_X + PLOT_WIDTH}" y2="{y}" stroke="#888"/>']
    tick = low
    while tick <= high * 1.0001:
        x = PLOT_X + PLOT_WIDTH * _position(tick, low, high)
        parts.append(f'<line x1="{x:.1f}" y1="{y - 3}" x2="{x:.1f}" y2="{y + 3}" stroke="#888"/>')
        parts.append(_text(x - 8, y - 6, f"{tick:g}", size=10))
        tick *= 10
    return parts


def _legend(y: float, entries: list[tuple[str, str]], spacing: int = 70) -> list[str]:
    return [_text(PLOT_X + spacing * index, y, label, fill=colour) for index, (label, colour) in enumerate(entries)]


def _text(x: float, y: float, text: str, size: int = 12, fill: str = "#000") -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}">{escaped}</text>'


def _svg(height: float, parts: list[str]) -> str:
    return "\n".join([f'<svg xmlns="http://www.w3.org/2000/svg" width="680" height="{height:.0f}" '
                      'font-family="sans-serif">', *parts, "</svg>"]) + "\n"
