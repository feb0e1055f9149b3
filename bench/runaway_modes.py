"""Issue 7's question, measured: can one way of stopping a runaway query serve both the read-only and the
write-capable service? Three process models on the same data, the same load generator:

- watchdog: the read-only service (KG_WORKERS sync workers, each ended by its watchdog at the limit);
- executors: the write-capable service (one threaded owner of the on-disk store, queries in killable executors);
- single owner: what the watchdog would mean for a writable store, which one process must own: one sync worker
  (run here as `--workers 1`, the same process model).

For each: cheap-query throughput and p50 (concurrency 4), cheap-query p50 while one runaway runs, write latency
(write-capable only), and resident memory of all its processes. Usage: `python bench/runaway_modes.py [--json PATH]`.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "stress"))

import loadgen  # noqa: E402
from common import project_copy, request, serve  # noqa: E402

CHEAP = "/sparql?query=" + quote("ASK { <https://w3id.org/infosec-law-kg/eli/kz/code/2014/226-V/art_205> ?p ?o }")
RUNAWAY = "/sparql?query=" + quote("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
TOKEN = "bench-token"
LIMIT = 4  # seconds: the query time limit of every mode here


def rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(l for l in status.splitlines() if l.startswith("VmRSS")).split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, StopIteration):
            continue
        stack += [int(c) for c in children]
    return round(total / 1024, 1)


def during_runaway(port: int) -> dict:
    started = threading.Event()

    def runaway():
        started.set()
        request(port, "GET", RUNAWAY, timeout=60, source="127.0.0.2")  # one client's runaway
    thread = threading.Thread(target=runaway)
    thread.start()
    started.wait()
    time.sleep(0.3)  # the runaway is under way in a worker: the situation this measures
    sample = loadgen.measure(port, CHEAP, requests=40, concurrency=1, duration=LIMIT * 2, warmup=0,
                             source="127.0.0.3")  # another client's cheap queries
    thread.join()
    return {"cheap p50 ms during a runaway": round(sample.percentile(0.5), 1),
            "cheap max ms during a runaway": round(sample.percentile(1.0), 1), "errors": sample.errors}


def write_latency(port: int, writes: int = 20) -> float:
    times = []
    for number in range(writes):
        update = (f'INSERT DATA {{ GRAPH <https://w3id.org/infosec-law-kg/graph/states> {{ '
                  f'<https://w3id.org/infosec-law-kg/id/state/kz> <http://www.w3.org/2000/01/rdf-schema#comment> "b{number}"@en }} }}')
        began = time.perf_counter()
        status, _ = request(port, "POST", "/sparql", update.encode(),
                            {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        if status == 204:
            times.append(time.perf_counter() - began)
    return round(sorted(times)[len(times) // 2] * 1000, 1) if times else float("nan")


def measure_mode(name: str, work: Path, options: list[str], env: dict) -> dict:
    env = dict(env)
    root = env.pop("root", None)
    with serve(work, name, *options, root=root, query_timeout=LIMIT, admission="off", cache="off", **env) as service:
        sample = loadgen.measure(service.port, CHEAP, requests=2000, concurrency=4, duration=10)
        row = {"mode": name, "cheap req/s (c=4)": round(sample.rps), "cheap p50 ms": round(sample.percentile(0.5), 2),
               "RSS MiB (all processes)": rss_mib(service.process.pid)}
        row.update(during_runaway(service.port))
        if "write_token" in env:
            row["write p50 ms"] = write_latency(service.port)
        return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--out", type=Path, help="also write the Markdown report here (e.g. bench/results/runaway-modes.md)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        rows = [measure_mode("watchdog (read-only, 2 workers)", work, ["--workers", "2"], {}),
                measure_mode("executors (write-capable)", work, [], {"write_token": TOKEN, "root": project_copy(work)}),
                measure_mode("single owner (1 sync worker)", work, ["--workers", "1"], {})]
    keys = list(dict.fromkeys(k for row in rows for k in row))
    lines = [f"Stopping a runaway, three process models ({date.today()}, {os.cpu_count()} cores, load "
             f"{os.getloadavg()[0]:.1f}, query limit {LIMIT} s)", "", "| " + " | ".join(keys) + " |",
             "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(row.get(k, "")) for k in keys) + " |" for row in rows]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
