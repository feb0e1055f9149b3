"""The remote mode's cost: `kg serve --endpoint` in front of an engine, against the same engine queried directly, on
the shared synthetic legal graph (shared/bench-data), for the Oxigraph server and for Virtuoso (Debian's).

Each engine holds the data on disk (loaded by its own bulk loader; Oxigraph's store then compacted by `oxigraph
optimize`, as its loader advises before a read-heavy workload and as `kg load --store` does) with the union of its
graphs as default graph. Between them stands the minimal front (bench/proxy_reference.py: a bare Flask app passing
each request on over a kept connection and the answer back untouched, under the same gunicorn settings): what any
Python front costs on this machine, so what the service adds to that is seen apart from what fronting costs at all.
The service runs with its defaults for a remote store (no result cache there; admission control off, as in
bench/scale.py: serving, not rationing). Each side gets the API mix (q1, q2, q7) and the full mix (q1–q8) at one
concurrency, after checking that it answers the same rows as the engine. Target (issue 10): API mix ≥ 0.85x the
engine queried directly. Results go to JSON and a Markdown table. Usage:
`python bench/remote.py --triples 1000000 [--concurrency 8] [--duration 20] [--out DIR] [--engines oxigraph,virtuoso]`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
import virtuoso  # noqa: E402
from scale import (API_MIX, BENCH_DATA, FULL_MIX, GRAPH, OXIGRAPH, PROJECT, SERVICE_ENV, Server, _machine,  # noqa: E402
                   errors_cell, free_port, mix, step, synthetic_data, timed, work_folder,
                   write_report)

TARGET = 0.85
PROXY, FRONT = "minimal Flask proxy", "kg serve --endpoint"


@dataclass
class Endpoint:
    """An engine's SPARQL endpoint as bench/scale.py's `mix` and `rows` address it."""
    name: str
    port: int
    path: str  # with "?query=", to which the query is appended


def answers(side, query: str) -> int:
    """How many solutions (or triples) an endpoint answers, read from the standard formats whatever their layout."""
    graph = "CONSTRUCT" in query.upper() or "DESCRIBE" in query.upper()
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    status, body = loadgen.fetch(side.port, side.path + quote(query), {"Accept": accept})
    if status != 200:
        raise RuntimeError(f"{side.name} answered {status}: {body[:300]!r}")
    if graph:
        return sum(1 for line in body.decode().splitlines() if line.strip() and not line.startswith("#"))
    parsed = json.loads(body)
    return 1 if "boolean" in parsed else len(parsed["results"]["bindings"])


def measured(side, queries: dict[str, str], args) -> dict:
    """A side's rows for every query of the full mix, then the API mix and the full mix."""
    return {"rows": {q: answers(side, queries[q]) for q in FULL_MIX},
            "api_mix": mix(side, queries, API_MIX, args.concurrency, args.duration),
            "full_mix": mix(side, queries, FULL_MIX, args.concurrency, args.duration)}


def engines(work: Path, data: Path, which: list[str]):
    """(the engine's endpoint, its load figures, how to stop it) for each engine, loaded and serving."""
    if "oxigraph" in which:
        step("oxigraph load")
        loaded = timed([OXIGRAPH, "load", "--location", str(work / "ox-db"), "--file", str(data), "--graph", GRAPH])
        step("oxigraph optimize")
        loaded["optimize_seconds"] = timed([OXIGRAPH, "optimize", "--location", str(work / "ox-db")])["seconds"]
        port = free_port()
        server = Server("Oxigraph server", [OXIGRAPH, "serve-read-only", "--location", str(work / "ox-db"),
                                            "--union-default-graph", "--bind", f"127.0.0.1:{port}"], port, "/query?query=")
        yield Endpoint(server.name, port, server.path), loaded, server.stop
    if "virtuoso" in which:
        folder = work / "virtuoso"
        folder.mkdir(exist_ok=True)
        server = virtuoso.start(folder, data=data.parent, buffers=170000)  # 1.3 GiB of page cache
        step("Virtuoso bulk load")
        started = time.perf_counter()
        server.bulk_load(data, GRAPH)
        loaded = {"seconds": round(time.perf_counter() - started, 2), "peak_mib": None}
        yield Endpoint("Virtuoso", int(server.url.rsplit(":", 1)[1]), "/sparql?query="), loaded, server.stop


def run(args, work: Path) -> dict:
    data = synthetic_data(work, args.triples)
    queries = {name: (BENCH_DATA / "queries" / f"{name}.rq").read_text() for name in FULL_MIX}
    load_before = os.getloadavg()[0]
    result = {"triples": args.triples, "date": date.today().isoformat(), "machine": _machine(),
              "concurrency": args.concurrency, "engines": {}}
    for direct, loaded, stop in engines(work, data, args.engines):
        try:
            url = f"http://127.0.0.1:{direct.port}{direct.path.split('?')[0]}"
            fronts = [(f"{PROXY} ({direct.name})", [sys.executable, str(HERE / "proxy_reference.py"),
                                                     "--endpoint", url, "--port"], {}),
                      (f"{FRONT} ({direct.name})", [sys.executable, "-m", "kg.cli", "serve", "--endpoint", url,
                                                    "--port"], SERVICE_ENV)]
            sides = {direct.name: measured(direct, queries, args)}
            for name, command, env in fronts:  # one at a time: they never share the machine
                port = free_port()
                front = Server(name, command + [str(port)], port, "/sparql?query=", env)
                try:
                    sides[name] = measured(front, queries, args)
                finally:
                    front.stop()
        finally:
            stop()
        proxy, service, alone = (sides[f"{PROXY} ({direct.name})"], sides[f"{FRONT} ({direct.name})"],
                                 sides[direct.name])
        ratio = lambda side, base, which: round(side[which]["rps"] / max(base[which]["rps"], 1e-9), 2)  # noqa: E731
        result["engines"][direct.name] = {
            "load": loaded, "same_rows": all(side["rows"] == alone["rows"] for side in sides.values()), "sides": sides,
            "api_ratio": ratio(service, alone, "api_mix"), "full_ratio": ratio(service, alone, "full_mix"),
            "proxy_api_ratio": ratio(proxy, alone, "api_mix"), "proxy_full_ratio": ratio(proxy, alone, "full_mix"),
            "service_to_proxy_api": ratio(service, proxy, "api_mix")}
    result["machine"] += f" (load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)"
    return result


def markdown(result: dict) -> str:
    lines = [f"Remote-mode bench, {result['triples']:,} triples, {result['date']}, {result['machine']}, concurrency "
             f"{result['concurrency']}", "",
             "| engine | side | API mix req/s | full mix req/s | q1 p50 ms | same rows | errors "
             "| API mix CPU ms/request: the front's processes, load generator |",
             "|---|---|---:|---:|---:|---|---|---:|"]
    for engine, found in result["engines"].items():
        for side, figures in found["sides"].items():
            api = figures["api_mix"]
            q1 = api["queries"]["q1_article_lookup"]["p50_ms"]
            front = api.get("server_cpu_ms_per_request", "–")  # the engine queried directly: no front
            cpu = f"{front}, {api['client_cpu_ms_per_request']}"
            lines.append(f"| {engine} | {side} | {api['rps']} | {figures['full_mix']['rps']} | {q1} | "
                         f"{found['same_rows']} | {errors_cell(figures)} | {cpu} |")
    lines += ["", f"| ratio to the engine queried directly | kg serve --endpoint, API mix (target ≥ {TARGET}) "
                  "| kg serve --endpoint, full mix | minimal Flask proxy, API mix | minimal Flask proxy, full mix "
                  "| API mix: kg serve --endpoint / minimal Flask proxy |", "|---|---:|---:|---:|---:|---:|"]
    for engine, found in result["engines"].items():
        met = "met" if found["api_ratio"] >= TARGET else "**missed**"
        lines.append(f"| {engine} | {found['api_ratio']} ({met}) | {found['full_ratio']} | {found['proxy_api_ratio']} "
                     f"| {found['proxy_full_ratio']} | {found['service_to_proxy_api']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20, help="seconds per mix and side")
    parser.add_argument("--engines", type=lambda text: text.split(","), default=["oxigraph", "virtuoso"])
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "results")
    parser.add_argument("--work", type=Path,
                        help="keep data and stores here (default: a temporary folder, removed at the end)")
    args = parser.parse_args(argv)
    with work_folder(args.work, "kg-remote-") as work:
        result = run(args, work)
    write_report(args.out, f"remote-{args.triples}", result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
