"""bench/front.py --endpoint: the minimal proxy (bench/proxy_reference.py) and the service in remote mode answer
alike in front of the same Oxigraph server, so comparing their cost is fair; no timing asserted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import front  # noqa: E402

from test_bench_front import answer  # noqa: E402


@pytest.fixture(scope="module")
def fronts(remote_settings):
    proxy, service = front.apps(front.SERVING, remote_settings.endpoint)
    yield proxy, service
    proxy.extensions["close"]()


@pytest.mark.parametrize("name", front.QUERIES)
def test_the_proxy_and_the_service_answer_alike(fronts, name):
    env = front.environ((BENCH / "queries" / f"{name}.rq").read_text(encoding="utf-8"))
    proxy, service = (answer(front.call(app, env)) for app in fronts)
    assert proxy == service and proxy not in ([], False)


def test_the_proxy_passes_the_servers_error_on(fronts):
    """A bare pass-through: the engine's own status comes back (the service maps it to its own 400)."""
    statuses = []
    body = fronts[0](front.environ("SELECT nonsense"), lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    assert statuses[0].startswith("400")
