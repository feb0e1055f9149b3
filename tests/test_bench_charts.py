"""bench/charts.py: the benches' pictures hold every side, size, percentile and loader they are given, as valid SVG."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import charts  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def run(triples: int, sides: dict[str, float], percentiles=("p50_ms", "p90_ms", "p99_ms")) -> dict:
    def mix(rps: float) -> dict:
        return {"rps": rps, "queries": {q: {"rps": rps, **{key: rps / 10 * (1 + i) for i, key in enumerate(percentiles)}}
                                        for q in charts.API_QUERIES}}
    return {"triples": triples, "concurrency": 8, "date": "2026-12-05",
            "serving": {name: {"api_mix": mix(rps), "full_mix": mix(rps / 3)} for name, rps in sides.items()}}


def texts(svg: str) -> list[str]:
    return [element.text for element in ET.fromstring(svg).iter(f"{SVG}text")]


def test_a_run_chart_draws_both_mixes_and_every_percentile_of_every_api_query():
    result = run(1_000_000, {"kg serve --store": 400.0, "oxigraph serve-read-only": 900.0})
    svg = ET.fromstring(charts.run_chart(result))
    bars = [rect for rect in svg.iter(f"{SVG}rect")]
    assert len(bars) == 2 * 2  # two sides, two mixes
    widest = max(float(rect.get("width")) for rect in bars)
    assert widest == charts.PLOT_WIDTH  # the fastest side spans the plot
    assert len(list(svg.iter(f"{SVG}circle"))) == 2 * len(charts.API_QUERIES) * 3


def test_a_run_without_p90_and_p99_draws_its_p50s_only():
    result = run(10_000_000, {"kg serve --store": 137.0}, percentiles=("p50_ms",))
    assert len(list(ET.fromstring(charts.run_chart(result)).iter(f"{SVG}circle"))) == len(charts.API_QUERIES)


def test_the_sizes_chart_and_table_show_each_side_at_each_size_it_was_run():
    small = run(1_000_000, {"kg serve --store": 400.0, "kg serve (memory)": 850.0})
    large = run(10_000_000, {"kg serve --store": 137.0})
    labels = texts(charts.sizes_chart([large, small]))
    assert labels.index("kg serve --store") < labels.index("1,000,000 triples, concurrency 8") < labels.index(
        "10,000,000 triples, concurrency 8") < labels.index("kg serve (memory)")  # sizes in order under each side
    assert labels.count("1,000,000 triples, concurrency 8") == 2 and labels.count("10,000,000 triples, concurrency 8") == 1
    table = charts.sizes_markdown([large, small]).splitlines()
    rows = [line for line in table if line.startswith("| kg serve")]
    assert [row.split(" | ")[1] for row in rows] == ["1,000,000", "10,000,000", "1,000,000"]


def test_across_sizes_a_run_from_before_round_robin_mixes_is_compared_by_the_measure_it_has():
    before = run(10_000_000, {"kg serve --store": 137.0})  # its mix req/s is the mean of the queries' own req/s
    after = run(1_000_000, {"kg serve --store": 290.0})
    for side in after["serving"].values():
        for key in ("api_mix", "full_mix"):
            side[key]["mean_of_queries_rps"] = side[key]["rps"] * 2
    table = charts.sizes_markdown([before, after])
    assert "mean of each query's own req/s" in table.splitlines()[0]
    assert "| kg serve --store | 1,000,000 | 8 | 580.0 | " in table  # the new run's mean, not its round-robin 290
    assert "mean of each query" in texts(charts.sizes_chart([before, after]))[0]
    assert "round-robin" in charts.sizes_markdown([after]).splitlines()[0]


def test_the_loading_chart_draws_three_time_bars_and_two_memory_bars_per_syntax_on_one_scale_each():
    def median(kg: float, ox: float, optimize: float, kg_mib: float, ox_mib: float) -> dict:
        return {"kg load --store": {"seconds": kg, "peak_mib": kg_mib},
                "oxigraph load": {"seconds": ox, "peak_mib": ox_mib},
                "oxigraph optimize": {"seconds": optimize, "peak_mib": 50.0}}
    result = {"triples": 1_000, "date": "2026-12-06", "rounds": 3, "formats": {
        "N-Triples": {"median": median(9.0, 7.0, 1.0, 900.0, 1000.0)},
        "Turtle": {"median": median(4.5, 7.0, 1.0, 450.0, 1000.0)}}}
    svg = ET.fromstring(charts.load_chart(result))
    widths = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")]
    assert len(widths) == 2 * (3 + 2)
    seconds, memory = widths[:6], widths[6:]  # all the syntaxes' seconds, then all their peaks
    full = charts.PLOT_WIDTH
    # 9 s the longest load: kg 9, oxigraph 7, with its compaction 8; then the Turtle row
    assert seconds == pytest.approx([full, full * 7 / 9, full * 8 / 9, full / 2, full * 7 / 9, full * 8 / 9])
    assert memory == pytest.approx([full * 0.9, full, full * 0.45, full])  # 1,000 MiB the largest
    labels = texts(charts.load_chart(result))
    assert labels.count("N-Triples") == 2 and labels.count("Turtle") == 2
