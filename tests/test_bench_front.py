"""bench/front.py: the in-process comparison is fair only if both apps give the same answers; no timing asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import front  # noqa: E402


@pytest.fixture(scope="module")
def apps():
    return front.apps()


def answer(body: bytes):
    parsed = pyoxigraph.parse_query_results(body, format=pyoxigraph.QueryResultsFormat.JSON)
    if isinstance(parsed, pyoxigraph.QueryBoolean):
        return bool(parsed)
    names = [v.value for v in parsed.variables]
    return sorted(tuple(str(row[name]) for name in names) for row in parsed)


@pytest.mark.parametrize("name", front.QUERIES)
def test_reference_and_service_answer_alike(apps, name):
    env = front.environ((BENCH / "queries" / f"{name}.rq").read_text(encoding="utf-8"))
    reference, service = (answer(front.call(app, env)) for app in apps)
    assert reference == service and reference not in ([], False)


def test_the_table_is_printed():
    out = subprocess.run([sys.executable, str(BENCH / "front.py"), "--requests", "50"], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    assert out.count("\n| ") == len(front.QUERIES) and "service ÷ reference" in out


def test_serving_settings_turn_the_cache_off_as_the_scale_bench_does():
    """`--serving` measures the front the scale figures measure: no ETag work, no admission ledger."""
    env = front.environ((BENCH / "queries" / "lookup.rq").read_text(encoding="utf-8"))

    def etag(app) -> str | None:
        seen = {}
        body = app(dict(env), lambda status, headers, exc_info=None: seen.update(headers))
        b"".join(body)
        getattr(body, "close", lambda: None)()
        return seen.get("ETag")

    assert etag(front.apps()[1]) is not None
    assert etag(front.apps(front.SERVING)[1]) is None
    out = subprocess.run([sys.executable, str(BENCH / "front.py"), "--requests", "50", "--serving"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    assert out.count("\n| ") == len(front.QUERIES)
