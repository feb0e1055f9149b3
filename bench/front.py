"""How much the service's front costs per `/sparql` request, in this process: no server, no sockets, no executors.

Both apps answer the same prebuilt WSGI environ (GET `/sparql?query=`, `Accept: application/sparql-results+json`)
from the same in-memory pyoxigraph store: the bare reference (`bench/reference.py`) and the service built by
`create_app` on a plain `EmbeddedStore` (no time-limit machinery; `bench/run.py` measures whole servers).
The figure is the median µs per request over batches of 50 (the two apps' batches interleaved), and the
service's ratio to the reference. With `--endpoint URL` both go to that SPARQL server (holding the project's graphs,
its default graph their union): the reference is then the bare proxy (`bench/proxy_reference.py`), the service runs in
remote mode, and the figures are what each front costs around the same HTTP exchange.
Run: `python bench/front.py [--requests N] [--serving] [--endpoint URL] [--profile QUERY]`;
`--serving` gives the service bench/scale.py's settings (no response cache, no admission control: serving alone, as
the scale figures measure it); `--profile` runs only the service, for `py-spy record -- python bench/front.py
--profile lookup`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.test import EnvironBuilder

BENCH = Path(__file__).parent
sys.path.insert(0, str(BENCH))

from proxy_reference import create_app as create_proxy  # noqa: E402
from reference import create_app as create_reference  # noqa: E402
from scale import SERVICE_ENV  # noqa: E402

from kg.core.config import Settings  # noqa: E402
from kg.core.project import project_files  # noqa: E402
from kg.store.embedded import EmbeddedStore  # noqa: E402
from kg.store.open import open_store  # noqa: E402
from kg.web.app import create_app  # noqa: E402

QUERIES = ("ask", "lookup", "label", "chapter-articles")
ACCEPT = "application/sparql-results+json"


def environ(query: str) -> dict:
    builder = EnvironBuilder(path="/sparql", query_string=urlencode({"query": query}), headers={"Accept": ACCEPT})
    return builder.get_environ()


def call(app, env: dict) -> bytes:
    """One request through the WSGI interface, the body read to the end as a server would."""
    status = []
    body = app(dict(env), lambda s, h, exc_info=None: status.append(s))
    try:
        data = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    assert status[0].startswith("200"), (status, data[:300])
    return data


def timings(apps: list, env: dict, requests: int) -> list[float]:
    """µs per request for each app: the median over batches of 50, the apps' batches interleaved so that the
    machine's drift hits them alike."""
    for app in apps:
        for _ in range(50):
            call(app, env)
    batches = [[] for _ in apps]
    for _ in range(max(1, requests // 50)):
        for app, times in zip(apps, batches):
            started = time.perf_counter()
            for _ in range(50):
                call(app, env)
            times.append((time.perf_counter() - started) / 50 * 1e6)
    return [statistics.median(times) for times in batches]


SERVING = SERVICE_ENV  # bench/scale.py's service: no cache, no admission control, serving alone


def apps(environ: dict[str, str] | None = None, endpoint: str | None = None):
    """(reference, service): on the project's graphs in memory, or both in front of the SPARQL server `endpoint`."""
    settings = Settings.from_env({**(environ or {}), **({"KG_ENDPOINT": endpoint} if endpoint else {})})
    if endpoint:
        return create_proxy(endpoint), create_app(settings, open_store(settings))
    store = EmbeddedStore.from_files(project_files(settings))
    return create_reference(store.engine), create_app(settings, store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--serving", action="store_true", help="bench/scale.py's settings: no cache, no admission")
    parser.add_argument("--endpoint", help="a SPARQL server holding the project's graphs: the remote mode's fronts")
    parser.add_argument("--profile", choices=QUERIES, help="run only the service on this query, for a profiler")
    args = parser.parse_args()
    reference, service = apps(SERVING if args.serving else None, args.endpoint)
    if args.profile:
        env = environ((BENCH / "queries" / f"{args.profile}.rq").read_text(encoding="utf-8"))
        for _ in range(args.requests):
            call(service, env)
        return
    print("| query | terms | reference µs | service µs | service ÷ reference |\n|---|---:|---:|---:|---:|")
    for name in QUERIES:
        env = environ((BENCH / "queries" / f"{name}.rq").read_text(encoding="utf-8"))
        terms = call(reference, env).count(b'"type"')  # one per bound term of a SELECT; none for an ASK
        ref, svc = timings([reference, service], env, args.requests)
        print(f"| {name} | {terms} | {ref:.0f} | {svc:.0f} | {svc / ref:.2f} |")


if __name__ == "__main__":
    main()
