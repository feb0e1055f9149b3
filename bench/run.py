"""Benchmark the query service against a bare Flask + pyoxigraph reference, and the two gap-analysis query forms.

Starts the servers (`kg serve`, the same with `KG_QUERY_TIMEOUT=0`, and bench/reference.py) as subprocesses on free
127.0.0.1 ports, over the same data and under gunicorn with the same sync workers; sends each the same requests at each
concurrency (alternating the order, to cancel drift); prints a Markdown table with the service's figures as ratios
to the reference's. Then it
times `OPTIONAL … FILTER(!BOUND)` against `FILTER NOT EXISTS` on the embedded store. Every run is bounded in
requests and seconds per cell. Usage: `python bench/run.py [--synthetic N] [--json PATH]`; see bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import engine  # noqa: E402
import loadgen  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
import synthetic  # noqa: E402

PROJECT = HERE.parent


@dataclass(frozen=True)
class Scenario:
    """One kind of request: raw SPARQL to both servers, or a canned query (its raw equivalent to the reference)."""

    name: str
    group: str  # simple | medium | canned
    query: str = ""  # a file in bench/queries/ (raw SPARQL)
    canned: str = ""  # a canned query name; the service gets its first example URL


SCENARIOS = [
    Scenario("all properties of art. 205", "simple", query="lookup.rq"),
    Scenario("ASK art. 205 a kg:Article", "simple", query="ask.rq"),
    Scenario("labels of art. 205", "simple", query="label.rq"),
    Scenario("chapter 7 articles + labels", "medium", query="chapter-articles.rq"),
    Scenario("statute-articles (ch. 7, ru)", "canned", canned="statute-articles"),
    Scenario("label-search (киберқылмыс)", "canned", canned="label-search"),
]
GAP_CASES = ["Convention on Cybercrime × KZ"]  # plus the synthetic case with --synthetic


@dataclass(frozen=True)
class Side:
    """A server under test: how to start it and which of a scenario's two paths it is sent."""

    name: str
    command: Callable[[Path, int, int], list[str]]
    settings: dict[str, str]
    raw: bool  # True: the reference's raw-SPARQL path; False: the service's path (canned URL for canned queries)


SIDES = [
    Side("reference", servers.reference_command, {}, raw=True),
    Side("service", servers.service_command, {}, raw=False),
    # the same service with the time limit off (no watchdog): what the limit itself costs
    Side("unlimited", servers.service_command, {"KG_QUERY_TIMEOUT": "0"}, raw=False),
]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        result = run(args, work)
    except BaseException:
        print(f"bench: logs kept in {work}", file=sys.stderr)
        raise
    shutil.rmtree(work, ignore_errors=True)
    if args.json == "-":
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(report.markdown(result))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def run(args, work: Path) -> dict:
    root = PROJECT if not args.synthetic else synthetic.make_root(PROJECT, _folder(work / "root"), args.synthetic)
    load_before = os.getloadavg()
    sides = [side for side in SIDES if side.name != "unlimited" or args.unlimited]
    running = start_all(sides, root, args, work)
    try:
        cells = [cell for scenario in SCENARIOS for cell in measure_scenario(scenario, running, args)]
    finally:
        for server in running.values():
            server.stop()
    from kg.core.config import Settings
    from kg.core.project import project_files
    from kg.store.embedded import EmbeddedStore

    store = EmbeddedStore.from_files(project_files(Settings(root=root)))
    cases = GAP_CASES + (["synthetic convention × s0"] if args.synthetic else [])
    gap_rows = engine.gap_forms(store, cases, args.gap_runs, args.gap_budget)
    binding_rows = engine.binding_forms(store, binding_cases(cells), args.gap_runs, args.gap_budget)
    return {"environment": _environment(args, len(store), running, load_before), "http": cells,
            "summary": report.summarise(cells), "gap_forms": gap_rows, "binding_forms": binding_rows}


def start_all(sides: list[Side], root: Path, args, work: Path) -> dict[str, servers.Server]:
    """Launch every side, then wait for each: they load the data at the same time."""
    running: dict[str, servers.Server] = {}
    try:
        for side in sides:
            taken = tuple(server.port for server in running.values())
            running[side.name] = servers.launch(side.name, side.command, root, args.workers, args.threads, work,
                                                settings=side.settings, taken=taken)
        for server in running.values():
            servers.wait_ready(server, args.startup_timeout)
    except BaseException:
        for server in running.values():
            server.stop()
        raise
    return running


def measure_scenario(scenario: Scenario, running: dict[str, servers.Server], args) -> list[dict]:
    """One row per concurrency; every side is first checked to give the same number of rows."""
    sides = [side for side in SIDES if side.name in running]
    service_path, raw_path = paths(scenario, running["service"].port)
    path = {side.name: raw_path if side.raw else service_path for side in sides}
    rows = {side.name: _rows(running[side.name].port, path[side.name]) for side in sides}
    cells = []
    for concurrency in args.concurrency:
        samples = {side.name: loadgen.Sample() for side in sides}
        for round_ in range(args.rounds):  # A B C, then C B A: a slow spell hits every side alike
            for side in sides[:: 1 if round_ % 2 == 0 else -1]:
                samples[side.name] = samples[side.name].merge(loadgen.measure(
                    running[side.name].port, path[side.name], requests=max(1, args.requests // args.rounds),
                    concurrency=concurrency, duration=args.duration / args.rounds, warmup=args.warmup))
        figures = {name: _figures(sample) for name, sample in samples.items()}
        ratio = {name: report.ratios(figures[name], figures["reference"]) for name in figures if name != "reference"}
        cells.append({"scenario": scenario.name, "group": scenario.group, "concurrency": concurrency, "rows": rows,
                      **figures, "ratio": ratio["service"], "ratios": ratio,
                      **({"canned": scenario.canned, "example": service_path} if scenario.canned else {})})
    return cells


def paths(scenario: Scenario, service_port: int) -> tuple[str, str]:
    """The service's path and the reference's (raw SPARQL) path for a scenario."""
    if scenario.query:
        path = "/sparql?" + urlencode({"query": (HERE / "queries" / scenario.query).read_text(encoding="utf-8")})
        return path, path
    example = example_url(service_port, scenario.canned)
    return example, "/sparql?" + urlencode({"query": equivalent_sparql(scenario.canned, example)})


def example_url(port: int, name: str) -> str:
    """The first example URL `GET /api/queries` gives for a canned query."""
    status, body = loadgen.fetch(port, "/api/queries", {"Accept": "application/json"})
    if status != 200:
        raise RuntimeError(f"GET /api/queries answered {status}")
    listed = {query["name"]: query for query in json.loads(body)["queries"]}
    return listed[name]["exampleUrls"][0]


def equivalent_sparql(name: str, example: str) -> str:
    """The canned query's text with the example's typed values inlined as a VALUES block opening its WHERE."""
    return canned_forms(name, example)[2]


def canned_forms(name: str, example: str) -> tuple[str, dict, str]:
    """A canned query's text, its bindings for an example URL, and the text with them inlined (VALUES)."""
    from kg.services import canned

    from kg.store.bindings import bind

    query = canned.load()[name]
    bound = query.bindings(parse_qsl(example.partition("?")[2], keep_blank_values=True))
    # VALUES blocks in every group (a sub-SELECT's too), terms in N-Triples syntax written by pyoxigraph
    return query.text, bound, bind(query.text, bound)


def binding_cases(cells: list[dict]) -> dict[str, tuple[str, dict, str]]:
    """The canned queries measured over HTTP, by name, in both binding forms."""
    return {cell["canned"]: canned_forms(cell["canned"], cell["example"]) for cell in cells if cell.get("canned")}


def _rows(port: int, path: str) -> int:
    """The number of result rows (1 for ASK), after checking the answer is a 200."""
    status, body = loadgen.fetch(port, path)
    if status != 200:
        raise RuntimeError(f"{path[:100]}... answered {status}: {body[:300]!r}")
    answer = json.loads(body)
    return len(answer["results"]["bindings"]) if "results" in answer else 1


def _figures(sample: loadgen.Sample) -> dict:
    return {"requests": sample.requests, "errors": sample.errors, "seconds": round(sample.seconds, 3),
            "rps": round(sample.rps, 1), "p50_ms": round(sample.percentile(0.50), 3),
            "p99_ms": round(sample.percentile(0.99), 3)}


def _environment(args, triples: int, running: dict[str, servers.Server], load_before) -> dict:
    import pyoxigraph

    from kg.core.config import Settings

    return {"python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__, "cpus": os.cpu_count(),
            "triples": triples, "synthetic_statutes": args.synthetic, "workers": args.workers,
            "query_timeout_s": Settings().query_timeout,
            "requests_per_cell": args.requests, "max_seconds_per_cell": args.duration, "rounds": args.rounds,
            "start_s": {name: round(server.started, 2) for name, server in running.items()},
            "ports": {name: server.port for name, server in running.items()},
            "load_average_before": round(load_before[0], 2), "load_average_after": round(os.getloadavg()[0], 2),
            "date": time.strftime("%Y-%m-%d")}


def _folder(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a positive integer")
    return int(text)


def _concurrency(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive integers")
    return values


def _parser() -> argparse.ArgumentParser:
    from kg.core.config import Settings

    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=_positive, default=600, help="requests per cell (scenario × concurrency × side)")
    parser.add_argument("--duration", type=float, default=2.0, help="at most this many seconds per cell")
    parser.add_argument("--concurrency", type=_concurrency, default=[1, 8], help="comma-separated (default 1,8)")
    parser.add_argument("--rounds", type=_positive, default=2, help="split each cell into rounds, alternating the order")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per connection first")
    parser.add_argument("--workers", type=_positive, default=Settings().workers,
                        help="gunicorn sync workers, every side (default: kg serve's)")
    parser.add_argument("--threads", type=_positive, default=Settings().threads,
                        help="passed to kg serve (used only by its write-capable and remote modes)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="add N synthetic criminal codes (200 articles each) to the data of both servers")
    parser.add_argument("--gap-runs", type=int, default=20, help="evaluations per gap-analysis form")
    parser.add_argument("--gap-budget", type=float, default=3.0, help="stop repeating a gap form after this many seconds")
    parser.add_argument("--unlimited", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the service with KG_QUERY_TIMEOUT=0, to show what the time limit costs")
    parser.add_argument("--startup-timeout", type=float, default=180.0)
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH ('-': only JSON, to stdout)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
