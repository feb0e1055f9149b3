"""A smoke run of bench/scale.py (the 1M and 10M runs are manual): every side starts, answers the same rows for the
whole query mix, and the report is written as JSON, Markdown and SVG."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCALE = Path(__file__).resolve().parents[1] / "bench" / "scale.py"
BENCH_DATA = SCALE.with_name("data")  # the repository's copy of shared/bench-data: the smokes run wherever CI does
SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench-data"


def test_the_bench_data_is_the_shared_generator_and_query_mix():
    """bench/data is a copy of shared/bench-data, which the issues' figures refer to: the same files, byte for byte."""
    if not SHARED.is_dir():
        pytest.skip("shared/bench-data is not beside this checkout: nothing to compare the copy with")
    names = sorted(path.relative_to(SHARED) for path in SHARED.rglob("*") if path.is_file())
    assert names == sorted(path.relative_to(BENCH_DATA) for path in BENCH_DATA.rglob("*") if path.is_file())
    assert all((SHARED / name).read_bytes() == (BENCH_DATA / name).read_bytes() for name in names)


def test_a_small_scale_run_compares_every_side(tmp_path):
    done = subprocess.run([sys.executable, str(SCALE), "--triples", "5000", "--duration", "0.8", "--concurrency", "2",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "scale-5000.json").read_text())
    assert set(result["serving"]) == {"kg serve --store", "oxigraph serve-read-only", "kg serve (memory)",
                                      "minimal Flask app (memory)"}
    assert all(side["same_rows"] for side in result["serving"].values())
    assert all(side["api_mix"]["rps"] > 0 for side in result["serving"].values())
    assert all(side["api_mix"]["server_cpu_ms_per_request"] > 0 and side["api_mix"]["client_cpu_ms_per_request"] > 0
               for side in result["serving"].values())  # where each request's milliseconds go, per side
    assert all(result["serving"][side]["restart_s"] > 0 for side in ("kg serve --store", "oxigraph serve-read-only"))
    assert set(result["engine_in_process_cpu_ms"]) == {"kg-db", "ox-db", "kg-db, union default graph",
                                                      "ox-db, union default graph"}
    assert all(cost > 0 for costs in result["engine_in_process_cpu_ms"].values() for cost in costs.values())
    assert (tmp_path / "scale-5000.md").read_text().startswith("Scale bench, 5,000 triples")
    assert "| True | 0, resent 0 |" in (tmp_path / "scale-5000.md").read_text()  # errors printed, none here
    assert (tmp_path / "scale-5000.svg").read_text().startswith("<svg")
    assert "kg load --store" in done.stderr and "starting oxigraph serve-read-only" in done.stderr  # progress


def test_a_small_remote_run_compares_the_front_with_each_engine(tmp_path):
    done = subprocess.run([sys.executable, str(SCALE.with_name("remote.py")), "--triples", "5000", "--duration", "0.5",
                           "--concurrency", "2", "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "remote-5000.json").read_text())
    assert set(result["engines"]) == {"Oxigraph server", "Virtuoso"}
    for engine in result["engines"].values():
        assert engine["same_rows"] and len(engine["sides"]) == 3  # the engine, the minimal proxy, the service
        assert 0 < engine["proxy_api_ratio"] and 0 < engine["service_to_proxy_api"]
        assert all(side["full_mix"]["rps"] > 0 for side in engine["sides"].values())
        assert all(query["errors"] == 0 for side in engine["sides"].values() for query in side["full_mix"]["queries"].values())
    assert "| Virtuoso |" in (tmp_path / "remote-5000.md").read_text()
    assert "| errors |" in (tmp_path / "remote-5000.md").read_text()
    assert "| Oxigraph server | minimal Flask proxy (Oxigraph server) |" in (tmp_path / "remote-5000.md").read_text()
    assert "Virtuoso bulk load" in done.stderr and "oxigraph optimize" in done.stderr and "round-robin" in done.stderr


def test_a_small_loading_run_times_both_loaders_on_every_syntax(tmp_path):
    done = subprocess.run([sys.executable, str(SCALE.with_name("loading.py")), "--triples", "3000", "--rounds", "2",
                           "--out", str(tmp_path / "out"), "--work", str(tmp_path / "work")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "out" / "loading-3000.json").read_text())
    assert list(result["formats"]) == ["N-Triples", "Turtle", "N-Quads"]
    for row in result["formats"].values():
        assert row["same_quads"] and row["quads"]["kg load --store"] > 3000 * 0.9  # the same triples, all of them
        assert all(len(seconds) == 2 for seconds in row["rounds_seconds"].values())
        assert all(ratio > 0 for ratio in row["ratios"].values())
    assert {path.suffix for path in (tmp_path / "work").glob("kg-3000.*")} >= {".nt", ".ttl", ".nq"}
    report = (tmp_path / "out" / "loading-3000.md").read_text()
    assert report.startswith("Loading bench, 3,000 triples") and "| Turtle |" in report
    assert (tmp_path / "out" / "loading-3000.svg").read_text().startswith("<svg")
    assert "writing kg-3000.ttl" in done.stderr and "N-Quads" in done.stderr  # progress


@pytest.mark.parametrize("options, said", [(["--formats", "nt,rdfxml"], "not ['rdfxml']"),
                                            (["--rounds", "0"], "--rounds at least 1")])
def test_the_loading_bench_refuses_what_it_cannot_run(tmp_path, options, said):
    done = subprocess.run([sys.executable, str(SCALE.with_name("loading.py")), *options, "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())  # refused before generating anything


def test_a_temporary_work_folder_goes_at_the_end_and_a_given_one_stays(tmp_path):
    sys.path.insert(0, str(SCALE.parent))
    import scale

    with scale.work_folder(None, "kg-test-") as work:
        (work / "kg-10.nt").write_text("data")
    assert not work.exists()  # gigabytes at 10M triples
    with scale.work_folder(tmp_path / "kept", "kg-test-") as work:
        (work / "kg-10.nt").write_text("data")
    assert (tmp_path / "kept" / "kg-10.nt").read_text() == "data"


def test_interleaved_rounds_keep_each_mixs_best_and_every_rounds_errors():
    sys.path.insert(0, str(SCALE.parent))
    import scale

    def measured(api: float, full: float, errors: int) -> dict:
        def mix(rps: float, failed: int) -> dict:
            return {"rps": rps, "errors": failed, "queries": {"q1_article_lookup": {"errors": 0}}}
        return {"start_s": 1.0, "rows": {}, "same_rows": True, "peak_rss_mib": 100 + errors,
                "api_mix": mix(api, errors), "full_mix": mix(full, 0)}

    kept = None
    for api, full, errors in [(800.0, 20.0, 0), (700.0, 18.0, 2), (850.0, 19.0, 0)]:
        kept = scale.keep_best(kept, measured(api, full, errors))
    assert kept["api_mix"]["rps"] == 850.0 and kept["full_mix"]["rps"] == 20.0  # each mix its own best round
    assert kept["rounds_rps"] == {"api_mix": [800.0, 700.0, 850.0], "full_mix": [20.0, 18.0, 19.0]}
    assert kept["rounds_errors"] == [0, 2, 0] and kept["peak_rss_mib"] == 102
    assert scale.errors_cell(kept).startswith("2")  # the errors of a round not kept still count
