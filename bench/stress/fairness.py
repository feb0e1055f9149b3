"""Fairness: four runaway queries at a time from one client (127.0.0.2, each running to the time limit, sent again
as soon as it is answered) while another client (127.0.0.3) sends cheap requests: an ASK on one article through
`/sparql` and a canned query. Admission control (kg.web.admission) keeps the runaways to the first client's share,
so the other client is served as if nobody else were there. Both process models: read-only (sync workers, the
watchdog) and write-capable (one threaded process, executor processes)."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from common import Figures, count, get, project_copy, serve

RUNNER, OTHER = "127.0.0.2", "127.0.0.3"
BASE = "https://w3id.org/infosec-law-kg/"
RUNAWAY = "/sparql?" + urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
CHEAP = ["/sparql?" + urlencode({"query": f"ASK {{ <{BASE}eli/kz/code/2014/226-V/art_205> ?p ?o }}"}),
         "/api/queries/state-instruments?state=id/state/kz"]
JSON = {"Accept": "application/sparql-results+json"}
P50_TARGET_MS = 50
RUNAWAYS = 4
PAUSE = 0.05  # a refused runaway is sent again after this (bounds the request count; still 80 requests/s)


def run(quick: bool, work: Path) -> Figures:
    figures = Figures("fairness")
    limit, seconds = (2, 5) if quick else (10, 25)
    modes = [("read-only", None, {}), ("write-capable", project_copy(work), {"write_token": "stress-token"})]
    for mode, root, env in modes:
        with serve(work, mode, root=root, query_timeout=limit, **env) as service:
            alone = [_cheap(service.port, path)[1] for path in CHEAP * 10]
            runner_statuses, other = _contend(service.port, seconds, limit, figures)
            for status, _ in other:
                count(figures, status)
            latencies = [ms for status, ms in other]
            errors = sum(status != 200 for status, _ in other)
            p50 = statistics.median(latencies) if latencies else float("inf")
            figures.notes[f"{mode}: other client p50 ms"] = round(p50, 1)
            figures.notes[f"{mode}: other client p99 ms"] = round(_p99(latencies), 1)
            figures.notes[f"{mode}: other client alone p50 ms"] = round(statistics.median(alone), 1)
            figures.notes[f"{mode}: other client requests / errors"] = f"{len(other)} / {errors}"
            figures.notes[f"{mode}: runaway answers"] = ", ".join(f"{s}×{n}" for s, n in sorted(runner_statuses.items()))
            figures.targets[f"{mode}: other client's p50 ≤ {P50_TARGET_MS} ms"] = p50 <= P50_TARGET_MS
            figures.targets[f"{mode}: other client gets no error"] = errors == 0 and len(other) > 0
            figures.crashes += 0 if service.alive() else 1
    return figures


def _contend(port: int, seconds: float, limit: float, figures: Figures) -> tuple[dict, list]:
    stop = threading.Event()
    lock = threading.Lock()
    runner: dict[int, int] = {}
    other: list[tuple[int, float]] = []

    def runaway() -> None:
        while not stop.is_set():
            status = get(port, RUNAWAY, timeout=limit + 20, source=RUNNER, headers=JSON)[0]
            with lock:
                runner[status] = runner.get(status, 0) + 1
                count(figures, status, deliberate=(503,))  # the time limit's 503, or every slot taken
            if status != 200:
                stop.wait(PAUSE)

    def cheap() -> None:
        turn = 0
        while not stop.is_set():
            other.append(_cheap(port, CHEAP[turn % len(CHEAP)]))
            turn += 1

    threads = [threading.Thread(target=runaway) for _ in range(RUNAWAYS)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the runaways are in before the other client starts measuring (load shaping, not a sync)
    measurer = threading.Thread(target=cheap)
    measurer.start()
    stop.wait(seconds)
    stop.set()
    for thread in [measurer, *threads]:
        thread.join(limit + 30)
    return runner, other


def _cheap(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    status = get(port, path, timeout=30, source=OTHER, headers=JSON)[0]
    return status, (time.perf_counter() - started) * 1000


def _p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * 0.99))] if values else float("inf")
