"""The service's cache against the engine: a canned-query mix whose parameters run over every state, instrument,
concept and year of the graph (and the three languages), sent in random order from 8 connections to `kg serve` (in
memory, its cache on) and, as the same SPARQL with the values inlined, to the Oxigraph server in memory. Reports
req/s of each, the ratio, and the service's cache hit rate (its `X-KG-Cache` header). Usage: `python bench/cache.py
[--duration 20] [--out bench/results/cache.md]`."""

from __future__ import annotations

import argparse
import http.client
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "stress"))
sys.path.insert(0, str(HERE.parent / "src"))

from common import free_port, serve  # noqa: E402

from kg.core.config import Settings  # noqa: E402
from kg.core.project import project_files  # noqa: E402
from kg.services import canned  # noqa: E402
from kg.store.bindings import bind  # noqa: E402
from kg.store.embedded import EmbeddedStore  # noqa: E402

KG = "https://w3id.org/infosec-law-kg/ontology#"
OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")


def requests_over_the_graph() -> list[tuple[str, str]]:
    """(canned path with its query string, the same SPARQL inlined) for every value the graph offers."""
    settings = Settings.from_env({})
    store = EmbeddedStore.from_files(project_files(settings))
    pick = lambda q: [row["x"] for row in store.select(q)]  # noqa: E731
    states = pick(f"SELECT DISTINCT ?x WHERE {{ ?x a <{KG}State> }}")
    instruments = pick(f"SELECT DISTINCT ?x WHERE {{ ?x a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{KG}InternationalInstrument> }}")
    concepts = pick(f"SELECT DISTINCT ?x WHERE {{ ?x a ?c FILTER(?c IN (<{KG}OffenceType>, <{KG}ProtectedObject>)) }}")
    years = sorted({str(y)[:4] for y in pick("SELECT DISTINCT ?x WHERE { ?o <http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> ?x }")}) or ["2022", "2023"]
    plan = [("state-instruments", {"state": s}) for s in states] + [("offence-placements", {"state": s}) for s in states]
    plan += [("gap-analysis", {"instrument": i, "state": s}) for i in instruments for s in states[:3]]
    plan += [("provisions-by-concept", {"concept": c}) for c in concepts]
    plan += [("crime-statistics", {"year": y}) for y in years]
    queries, out = canned.load(), []
    for name, values in plan:
        for lang in ("en", "ru", "kk"):
            params = {**values, "lang": lang}
            query = queries[name]
            bound = query.bindings(list(params.items()), settings.base)
            out.append((f"/api/queries/{name}?{urlencode(params)}", bind(query.text, bound)))
    return out


def drive(port: int, requests: list[tuple[str, str, bytes | None]], seconds: float,
          threads: int = 8) -> tuple[float, Counter, Counter]:
    """Send (method, path, body) requests drawn at random from `threads` connections for `seconds`."""
    answered, statuses, cache = [0], Counter(), Counter()
    lock, deadline = threading.Lock(), time.monotonic() + seconds

    def worker(seed: int) -> None:
        rng, connection = random.Random(seed), http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            try:
                method, path, body = rng.choice(requests)
                headers = {"Accept": "application/sparql-results+json"}
                if body is not None:
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                with lock:
                    answered[0] += 1
                    statuses[response.status] += 1
                    cache[response.getheader("X-KG-Cache") or "-"] += 1
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.monotonic()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return answered[0] / (time.monotonic() - started), statuses, cache


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    plan = requests_over_the_graph()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with serve(work, "kg", admission="off", cache="on") as service:
            kg_rps, kg_status, cache = drive(service.port, [("GET", path, None) for path, _ in plan], args.duration)
        port = free_port()
        engine = subprocess.Popen([OXIGRAPH, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                if subprocess.run(["curl", "-s", "-o", "/dev/null", f"{url}/query?query=ASK%7B%7D"]).returncode == 0:
                    break
                time.sleep(0.05)  # a readiness probe's polling period
            subprocess.run([sys.executable, "-m", "kg.cli", "load", "--endpoint", f"{url}/query", "--update-endpoint",
                            f"{url}/update"], check=True, capture_output=True)
            # POSTed: the server refuses request lines past 8 kB, and three of these queries are longer inlined
            ox_rps, ox_status, _ = drive(port, [("POST", "/query", urlencode({"query": text}).encode())
                                                for _, text in plan], args.duration)
        finally:
            engine.terminate()
            engine.wait()
    hits = cache["hit"] / max(cache["hit"] + cache["miss"], 1)
    report = (f"Canned-query mix over the whole graph ({len(plan)} distinct requests, random order, 8 connections, "
              f"{args.duration:g} s each; {date.today()})\n\n| side | req/s | statuses | cache hit rate |\n|---|---:|---|---:|\n"
              f"| kg serve (memory, cache on) | {kg_rps:,.0f} | {dict(kg_status)} | {hits:.0%} |\n"
              f"| oxigraph serve (memory), same SPARQL | {ox_rps:,.0f} | {dict(ox_status)} | — |\n\n"
              f"Ratio: {kg_rps / max(ox_rps, 1e-9):.2f}x (target ≥ 1.5x: {'met' if kg_rps >= 1.5 * ox_rps else 'missed'})\n")
    print(report)
    if args.out:
        args.out.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
