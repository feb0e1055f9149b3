"""The service at scale, side by side with the references, on the shared synthetic legal graph (shared/bench-data):

- loading: `kg load --store` (which compacts the store for reading once loaded) against `oxigraph load` on the same
  N-Triples file, then `oxigraph optimize` (the same compaction), each timed apart (seconds, peak memory);
- serving on disk: `kg serve --store` (KG_CACHE=off, KG_ADMISSION=off: serving, not caching or rationing) against
  `oxigraph serve-read-only --union-default-graph` on the store `oxigraph load` built and `oxigraph optimize`
  compacted (what Oxigraph advises for a read-only endpoint under load);
- serving in memory: `kg serve` on the data in memory against the minimal Flask + pyoxigraph app (bench/reference.py),
  both under the same gunicorn workers.

Each server gets the API mix (q1, q2, q7) and the full mix (q1–q8) at one concurrency; the sides answer the same rows
(checked first). With `--sides ...,virtuoso`, Virtuoso 7 (bench/virtuoso.py) bulk-loaded with the same file is a side
too (on disk, its default graph the union). Results go to JSON, a Markdown table and an SVG chart
(throughput, and latency percentiles; bench/charts.py); with the results of other sizes in --out, a table and a
chart across sizes too (scale-sizes.md, .svg). Usage:
`python bench/scale.py --triples 1000000 [--concurrency 8] [--duration 20] [--warmup 3] [--sides disk,memory]
[--out DIR] [--work DIR] [--restarts 3] [--rounds 1]` (a data file already in --work is reused). With `--rounds N` the
sides are measured N times, interleaved, and each mix keeps its best round (every round's req/s and errors printed). Start-up: the first start
(after the load) and the median of restarts of each on-disk server. CPU: per request for each side and per query,
beside the engine alone (pyoxigraph in process on each on-disk store). Memory: each side's peak resident memory, summed
over its processes (pages a worker shares with its master counted in each).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

import charts  # noqa: E402
import loadgen  # noqa: E402

BENCH_DATA = Path(os.environ.get("KG_BENCH_DATA", HERE / "data"))  # a copy of shared/bench-data (bench/README.md)
API_MIX = ["q1_article_lookup", "q2_chapter_articles", "q7_construct_article"]
FULL_MIX = API_MIX + ["q3_offence_subtree", "q4_instrument_gaps", "q5_stats_trend", "q6_title_search", "q8_count_all"]
GRAPH = "https://lkg.example.org/graph/all"
SERVICE_ENV = {"KG_CACHE": "off", "KG_ADMISSION": "off", "KG_QUERY_TIMEOUT": "120", "KG_MAX_ROWS": "1000000"}
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"
STARTED = time.monotonic()


def step(message: str) -> None:
    """Progress on stderr, the report going to stdout: a 1M run takes a quarter of an hour, a 10M run hours."""
    elapsed = int(time.monotonic() - STARTED)
    print(f"bench {elapsed // 60:3d}:{elapsed % 60:02d} {message}", file=sys.stderr, flush=True)


@contextmanager
def work_folder(given: Path | None, prefix: str) -> Iterator[Path]:
    """`--work` as given, kept (its data file serves the next run), or a temporary folder removed at the end: the
    data and the stores take several GB at 10M triples."""
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


def write_report(out: Path, name: str, result: dict, text: str, chart: str | None = None) -> None:
    """A bench's result as `out/name.json`, its Markdown table as `.md` (what scripts/bench_readme.py puts in the
    README) and, if it has one, its chart as `.svg`; the table also on stdout."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / f"{name}.md").write_text(text)
    if chart is not None:
        (out / f"{name}.svg").write_text(chart)
    print(text)


def synthetic_data(work: Path, triples: int) -> Path:
    """The shared generator's N-Triples file of `triples` triples in `work`, generated once (a file there is reused)."""
    data = work / f"kg-{triples}.nt"
    if not data.exists():
        step(f"generating {triples:,} triples")
        subprocess.run([sys.executable, str(BENCH_DATA / "gen_legal_kg.py"), "--triples", str(triples),
                        "--out", str(data)], check=True, capture_output=True)
    return data


def timed(command: list[str], env: dict | None = None) -> dict:
    """Run a command to its end: wall seconds and its peak resident memory (MiB), measured by a helper process of
    its own so that each figure is that command's alone."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True, "
             "capture_output=True); print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    seconds, peak_kib = done.stdout.split()
    return {"seconds": round(float(seconds), 2), "peak_mib": round(int(peak_kib) / 1024)}


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def group(pid: int) -> list[Path]:
    """The /proc folders of a process and of every process in its group (a server and its workers): Linux, else []."""
    found = []
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            if int(folder.name) == pid or os.getpgid(int(folder.name)) == pid:
                found.append(folder)
        except (OSError, ValueError):
            continue
    return found


def peak_rss_mib(pid: int) -> int:
    """The peak resident memory of a process group, summed."""
    total = 0
    for folder in group(pid):
        try:
            fields = dict(line.split(":", 1) for line in (folder / "status").read_text().splitlines() if ":" in line)
            total += int(fields["VmHWM"].split()[0])
        except (OSError, KeyError, ValueError):
            continue
    return round(total / 1024)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process group."""
    ticks = 0
    for folder in group(pid):
        try:
            fields = (folder / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def in_process_cpu_ms(store_path: Path, queries: dict[str, str], names: list[str], seconds: float = 2.0,
                      union: bool = False) -> dict:
    """CPU milliseconds per query of the engine alone: pyoxigraph in this process, no HTTP, on an on-disk store
    opened read-only, its default graph the union asked as `kg serve --store` asks it (`union_arguments`), or with
    `union` as Oxigraph's server asks it (`--union-default-graph`). The floor any server on that store starts from."""
    import pyoxigraph
    from kg.store.embedded import UNION, union_arguments

    store, costs = pyoxigraph.Store.read_only(str(store_path)), {}
    arguments = UNION if union else union_arguments(store)
    for name in names:
        list(store.query(queries[name], **arguments))  # warm
        started, runs = time.process_time(), 0
        while time.process_time() - started < seconds:
            list(store.query(queries[name], **arguments))
            runs += 1
        costs[name] = round(1000 * (time.process_time() - started) / runs, 2)
    return costs


ENGINE_ASKS = {"": False, ", union default graph": True}  # row suffix -> `union`: as kg serve asks, as Oxigraph's server


class Server:
    def __init__(self, name: str, command: list[str], port: int, path: str, env: dict | None = None) -> None:
        self.name, self.port, self.path = name, port, path
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env={**os.environ, **(env or {})}, start_new_session=True)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.process.returncode}")
            try:
                if loadgen.fetch(port, path + quote("ASK {}"))[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)  # a readiness probe's polling period
        raise RuntimeError(f"{name} did not answer")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker still in a long query (10M triples)
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def mix(server: Server, queries: dict[str, str], names: list[str], concurrency: int, duration: float,
        warmup: int = 3) -> dict:
    """A mix as shared/bench-data defines it: its queries sent round-robin on every connection (loadgen), for
    `duration` seconds; its req/s is that run's, so each query weighs by what it costs (the costliest dominate, as
    in the issue's figures). Then each query alone for its share of `duration`: its req/s and percentiles, and the
    CPU its requests cost the server (all its processes). CPU per request of the mix, for the server and for the
    load generator (this process): on 2 cores both share the machine, so where the milliseconds go explains the req/s.
    (Reports before 2026-12-05 gave the mean of the queries' separate req/s as the mix's: the cheapest query
    dominated that; it is kept as `mean_of_queries_rps`.)"""
    process = getattr(server, "process", None)  # None: an endpoint this bench did not start (bench/remote.py)
    server_seconds = (lambda: cpu_seconds(process.pid)) if process is not None else (lambda: 0.0)
    paths = [server.path + quote(queries[name]) for name in names]
    step(f"{server.name}: {len(names)} queries round-robin, {duration:g} s, then each alone")
    server_before, client_before = server_seconds(), sum(os.times()[:2])
    cycle = loadgen.measure(server.port, paths, requests=10**9, concurrency=concurrency, duration=duration,
                            headers={"Accept": "*/*"}, warmup=warmup)
    sent = max(cycle.requests + warmup * concurrency, 1)  # warm-up requests included, and counted
    costs = {"client_cpu_ms_per_request": round(1000 * (sum(os.times()[:2]) - client_before) / sent, 2)}
    if process is not None:
        costs["server_cpu_ms_per_request"] = round(1000 * (server_seconds() - server_before) / sent, 2)
    per_query = {}
    for name, path in zip(names, paths):
        before = server_seconds()
        sample = loadgen.measure(server.port, path, requests=10**9, concurrency=concurrency,
                                 duration=duration / len(names), headers={"Accept": "*/*"}, warmup=warmup)
        per_query[name] = {"rps": round(sample.rps, 1), "p50_ms": round(sample.percentile(0.5), 1),
                           "p90_ms": round(sample.percentile(0.9), 1), "p99_ms": round(sample.percentile(0.99), 1),
                           "errors": sample.errors}
        if process is not None:
            per_query[name]["server_cpu_ms"] = round(1000 * (server_seconds() - before)
                                                     / max(sample.requests + warmup * concurrency, 1), 2)
    return {"rps": round(cycle.rps, 1), "errors": cycle.errors, "failures": {str(k): n for k, n in cycle.failures.items()},
            "resent": cycle.resent,
            "mean_of_queries_rps": round(sum(q["rps"] for q in per_query.values()) / len(names), 1),
            "queries": per_query, **costs}


def rows(server, query: str) -> int:
    """How many solutions (or triples) a side answers, read from the standard formats whatever their layout."""
    graph = "CONSTRUCT" in query.upper() or "DESCRIBE" in query.upper()
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    status, body = loadgen.fetch(server.port, server.path + quote(query), {"Accept": accept})
    if status != 200:
        raise RuntimeError(f"{server.name} answered {status}: {body[:300]!r}")
    if graph:
        return sum(1 for line in body.decode().splitlines() if line.strip() and not line.startswith("#"))
    parsed = json.loads(body)
    return 1 if "boolean" in parsed else len(parsed["results"]["bindings"])


class VirtuosoSide:
    """Virtuoso 7 (bench/virtuoso.py) bulk-loaded with the same file, its default graph the union of its graphs."""

    def __init__(self, work: Path, data: Path) -> None:
        import virtuoso

        folder = work / "virtuoso"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.server = virtuoso.start(folder, data=data.parent, buffers=170000)  # 1.3 GiB of page cache
        started = time.perf_counter()
        self.server.bulk_load(data, GRAPH)
        self.load = {"seconds": round(time.perf_counter() - started, 2), "peak_mib": None}
        self.name, self.path, self.process = "Virtuoso", "/sparql?query=", self.server.process
        self.port = int(self.server.url.rsplit(":", 1)[1])
        self.disk_mib = round(_size(folder) / 2**20)

    def stop(self) -> None:
        self.server.stop()


def run(args, work: Path) -> dict:
    loadgen.TIMEOUT = args.timeout
    service_env = {**SERVICE_ENV, "KG_QUERY_TIMEOUT": f"{args.timeout:g}"}
    data = synthetic_data(work, args.triples)
    queries = {name: (BENCH_DATA / "queries" / f"{name}.rq").read_text() for name in FULL_MIX}
    root = work / "root"  # a project folder whose graph/ is the data (N-Triples is Turtle) and no ontology
    (root / "graph").mkdir(parents=True, exist_ok=True)
    (root / "ontology").mkdir(exist_ok=True)
    if "memory" in args.sides:
        shutil.copy(data, root / "graph" / "all.ttl")
    for folder in ("kg-db", "ox-db"):  # loaded afresh: a store left by an earlier run would be loaded into
        shutil.rmtree(work / folder, ignore_errors=True)
    load_before = os.getloadavg()[0]
    result = {"triples": args.triples, "date": date.today().isoformat(), "machine": _machine(),
              "concurrency": args.concurrency, "load": {}, "serving": {}}
    step("kg load --store, then oxigraph load and oxigraph optimize")
    result["load"]["kg load --store"] = timed([sys.executable, "-m", "kg.cli", "load", "--store", str(work / "kg-db"),
                                               "--graph", GRAPH, str(data)])
    result["load"]["oxigraph load"] = timed([OXIGRAPH, "load", "--location", str(work / "ox-db"), "--file", str(data),
                                             "--graph", GRAPH])
    result["load"]["oxigraph optimize"] = timed([OXIGRAPH, "optimize", "--location", str(work / "ox-db")])
    result["disk_mib"] = {name: round(_size(work / folder) / 2**20) for name, folder in (("kg", "kg-db"), ("oxigraph", "ox-db"))}
    sides = [
        ("kg serve --store", [sys.executable, "-m", "kg.cli", "serve", "--store", str(work / "kg-db")], "/sparql?query=", service_env),
        ("oxigraph serve-read-only", [OXIGRAPH, "serve-read-only", "--location", str(work / "ox-db"), "--union-default-graph"], "/query?query=", None),
        ("kg serve (memory)", [sys.executable, "-m", "kg.cli", "--root", str(root), "serve"], "/sparql?query=", service_env),
        ("minimal Flask app (memory)", [sys.executable, str(HERE / "reference.py"), "--root", str(root)], "/sparql?query=", None),
    ]
    sides = [side for side in sides if ("memory" if "memory" in side[0] else "disk") in args.sides]  # Virtuoso: below
    expected = None
    if "virtuoso" in args.sides:
        sides.append(("Virtuoso", None, None, None))
    for round_number in range(1, args.rounds + 1):  # the sides interleaved: A B C D, A B C D, ...
        if args.rounds > 1:
            step(f"round {round_number} of {args.rounds}")
        for name, command, path, env in sides:
            side = serve_side(name, command, path, env, work, data, queries, args, result)
            expected = expected or side["rows"]
            side["same_rows"] = side["rows"] == expected
            result["serving"][name] = keep_best(result["serving"].get(name), side)
            if command is not None and "memory" not in name and round_number == 1:  # after the load: warm pages
                step(f"{name}: {args.restarts} restarts")
                result["serving"][name]["restart_s"] = restart_seconds(name, command, path, env, args.restarts)
    if "disk" in args.sides:
        step("the engine alone, in this process")
        result["engine_in_process_cpu_ms"] = {folder + suffix: in_process_cpu_ms(work / folder, queries, API_MIX, union=union)
                                              for folder in ("kg-db", "ox-db") for suffix, union in ENGINE_ASKS.items()}
    result["machine"] += f" (load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)"
    serving = result["serving"]
    result["ratios"] = {key: value for key, value in {
        "on disk, API mix: kg / oxigraph": _ratio(serving, "kg serve --store", "oxigraph serve-read-only", "api_mix"),
        "on disk, full mix: kg / oxigraph": _ratio(serving, "kg serve --store", "oxigraph serve-read-only", "full_mix"),
        "on disk, API mix: kg / Virtuoso": _ratio(serving, "kg serve --store", "Virtuoso", "api_mix"),
        "on disk, full mix: kg / Virtuoso": _ratio(serving, "kg serve --store", "Virtuoso", "full_mix"),
        "in memory, API mix: kg / minimal app": _ratio(serving, "kg serve (memory)", "minimal Flask app (memory)", "api_mix"),
        "in memory, full mix: kg / minimal app": _ratio(serving, "kg serve (memory)", "minimal Flask app (memory)", "full_mix"),
        "load time: kg / oxigraph": round(result["load"]["kg load --store"]["seconds"] / result["load"]["oxigraph load"]["seconds"], 2),
        "load time: kg / oxigraph load + optimize": round(result["load"]["kg load --store"]["seconds"] / sum(
            result["load"][part]["seconds"] for part in ("oxigraph load", "oxigraph optimize")), 2),
        "load peak memory: kg / oxigraph": round(result["load"]["kg load --store"]["peak_mib"] / max(result["load"]["oxigraph load"]["peak_mib"], 1), 2),
    }.items() if value is not None}
    return result


def serve_side(name: str, command: list[str] | None, path: str, env: dict | None, work: Path, data: Path,
               queries: dict[str, str], args, result: dict) -> dict:
    """Start one side, check its rows, measure both mixes, stop it."""
    port = free_port()
    step(f"starting {name}")
    started = time.perf_counter()
    if command is None:
        server = VirtuosoSide(work, data)
        result["load"]["Virtuoso bulk load"], result["disk_mib"]["virtuoso"] = server.load, server.disk_mib
        started = time.perf_counter()  # its start-up, not its load
    else:
        bind = ["--bind", f"127.0.0.1:{port}"] if command[0] == OXIGRAPH else ["--port", str(port)]
        server = Server(name, command + bind, port, path, env)
    start_s = round(time.perf_counter() - started, 2)  # until it answered ASK {}: before the rows are checked
    try:
        side = {"start_s": start_s, "rows": {q: rows(server, queries[q]) for q in FULL_MIX},
                "api_mix": mix(server, queries, API_MIX, args.concurrency, args.duration, args.warmup),
                "full_mix": mix(server, queries, FULL_MIX, args.concurrency, args.duration, args.warmup)}
        side["peak_rss_mib"] = peak_rss_mib(server.process.pid)
    finally:
        server.stop()
    return side


def keep_best(kept: dict | None, side: dict) -> dict:
    """Over interleaved rounds (`--rounds`), each mix's best round (the quietest machine for it), the req/s of every
    round beside it (`rounds_rps`), and the first round's start-up; with one round, the side as measured."""
    if kept is None:
        side["rounds_rps"] = {key: [side[key]["rps"]] for key in ("api_mix", "full_mix")}
        side["rounds_errors"] = [mix_errors(side)]
        return side
    kept["rounds_errors"].append(mix_errors(side))  # every round's errors count, not only the kept round's
    for key in ("api_mix", "full_mix"):
        kept["rounds_rps"][key].append(side[key]["rps"])
        if side[key]["rps"] > kept[key]["rps"]:
            kept[key] = side[key]
    kept["same_rows"] = kept["same_rows"] and side["same_rows"]
    kept["peak_rss_mib"] = max(kept["peak_rss_mib"], side["peak_rss_mib"])
    return kept


def restart_seconds(name: str, command: list[str], path: str, env: dict | None, times: int) -> float | None:
    """The median time from launch to the first answer over `times` restarts (None for none)."""
    seconds = []
    for _ in range(times):
        port = free_port()
        bind = ["--bind", f"127.0.0.1:{port}"] if command[0] == OXIGRAPH else ["--port", str(port)]
        started = time.perf_counter()
        server = Server(name, command + bind, port, path, env)
        seconds.append(time.perf_counter() - started)
        server.stop()
    return round(statistics.median(seconds), 2) if seconds else None


def errors_cell(side: dict) -> str:
    """A side's failed requests over both mixes (round-robin, then each query alone), what they were, and the requests
    sent again after the server closed an idle kept-alive connection (reports before 2026-12-05 did not count those)."""
    mixes = [side["api_mix"], side["full_mix"]]
    errors = sum(side["rounds_errors"]) if "rounds_errors" in side else mix_errors(side)
    kinds = Counter()
    for m in mixes:
        kinds.update(m.get("failures", {}))
    text = str(errors) + (" (" + ", ".join(f"{kind} ×{n}" for kind, n in kinds.items()) + ")" if kinds else "")
    return f"{text}, resent {sum(m['resent'] for m in mixes)}" if all("resent" in m for m in mixes) else text


def mix_errors(side: dict) -> int:
    """Failed requests of one measurement of both mixes (round-robin, then each query alone)."""
    return sum(m.get("errors", 0) + sum(q["errors"] for q in m["queries"].values())
               for m in (side["api_mix"], side["full_mix"]))


def _ratio(serving: dict, ours: str, reference: str, which: str) -> float | None:
    if ours not in serving or reference not in serving:
        return None
    return round(serving[ours][which]["rps"] / max(serving[reference][which]["rps"], 1e-9), 2)


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def markdown(result: dict) -> str:
    rounds = max((len(side.get("rounds_rps", {}).get("api_mix", [])) for side in result["serving"].values()), default=1)
    lines = [f"Scale bench, {result['triples']:,} triples, {result['date']}, {result['machine']}, concurrency "
             f"{result['concurrency']}" + (f"; the best of {rounds} interleaved rounds (every round's req/s below)"
                                            if rounds > 1 else ""), "",
             "| side | start s (restarts: median) | API mix req/s | full mix req/s | q1 p50 ms | q3 p50 ms | peak RSS MiB "
             "| same rows | errors | API mix CPU ms/request: server, load generator |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    for name, side in result["serving"].items():
        q, api = side["full_mix"]["queries"], side["api_mix"]
        cpu = (f"{api['server_cpu_ms_per_request']}, {api['client_cpu_ms_per_request']}"
               if "server_cpu_ms_per_request" in api else "")
        start = side["start_s"] if side.get("restart_s") is None else f"{side['start_s']} ({side['restart_s']})"
        lines.append(f"| {name} | {start} | {api['rps']} | {side['full_mix']['rps']} | "
                     f"{q['q1_article_lookup']['p50_ms']} | {q['q3_offence_subtree']['p50_ms']} | {side.get('peak_rss_mib', '')} | "
                     f"{side['same_rows']} | {errors_cell(side)} | {cpu} |")
    if rounds > 1:
        lines += ["", "| side | API mix req/s, each round | full mix req/s, each round | errors, each round |",
                  "|---|---|---|---|"]
        lines += [f"| {name} | " + " | ".join(", ".join(str(v) for v in values) for values in
                                          (side["rounds_rps"]["api_mix"], side["rounds_rps"]["full_mix"],
                                           side["rounds_errors"])) + " |" for name, side in result["serving"].items()]
    lines += ["", "Server CPU ms per request, by query (API mix), and the engine alone (pyoxigraph in this process, "
              "no HTTP, on each on-disk store; its default graph asked as kg serve asks it, or as the union the way "
              "Oxigraph's server asks it):", "", "| side | " + " | ".join(API_MIX) + " |",
              "|---|" + "---:|" * len(API_MIX)]
    for name, side in result["serving"].items():
        figures = side["api_mix"]["queries"]
        if all("server_cpu_ms" in figures[q] for q in API_MIX):
            lines.append(f"| {name} | " + " | ".join(str(figures[q]["server_cpu_ms"]) for q in API_MIX) + " |")
    for folder, costs in result.get("engine_in_process_cpu_ms", {}).items():
        lines.append(f"| pyoxigraph in process ({folder}) | " + " | ".join(str(costs[q]) for q in API_MIX) + " |")
    lines += ["", "| load | seconds | peak MiB |", "|---|---:|---:|"]
    lines += [f"| {name} | {row['seconds']} | {row['peak_mib']} |" for name, row in result["load"].items()]
    lines += ["", "Disk: " + ", ".join(f"{name} {mib:,} MiB" for name, mib in result["disk_mib"].items())]
    lines += ["", "| ratio | value |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in result["ratios"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=24, help="seconds per mix and side")
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "results")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a query may take (client and service)")
    parser.add_argument("--warmup", type=int, default=3, help="requests per connection before measuring")
    parser.add_argument("--sides", type=lambda text: text.split(","), default=["disk", "memory"],
                        help="disk (kg serve --store, oxigraph), memory (kg serve, minimal app), virtuoso")
    parser.add_argument("--work", type=Path,
                        help="keep data and stores here (default: a temporary folder, removed at the end)")
    parser.add_argument("--restarts", type=int, default=3, help="restarts of each on-disk server, for its start-up")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of all sides, interleaved; each mix's best kept")
    args = parser.parse_args(argv)
    with work_folder(args.work, "kg-scale-") as work:
        result = run(args, work)
    write_report(args.out, f"scale-{args.triples}", result, markdown(result), charts.run_chart(result))
    runs = [json.loads(path.read_text()) for path in sorted(args.out.glob("scale-*.json"))]
    if len(runs) > 1:  # the picture across sizes: how each system's cost grows with the graph
        (args.out / "scale-sizes.md").write_text(charts.sizes_markdown(runs))
        (args.out / "scale-sizes.svg").write_text(charts.sizes_chart(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
