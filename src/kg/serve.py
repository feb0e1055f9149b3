"""Run the service: waitress (production: one process, a pool of threads) or Flask's development server.

One process, because the store lives in it: an on-disk Oxigraph store opens read-write in one process only, and
an in-memory store would be loaded again by every pre-forked worker. Threads are enough there: request threads
mostly wait (on the query executor processes that enforce the time limit, `kg.store.limited`, or on a remote
server), and waiting releases the GIL. With a remote store the app holds no data and scales out by running more
copies behind a load balancer.
"""

from __future__ import annotations

import logging
import resource
import time
from pathlib import Path

from kg.config import Settings
from kg.errors import KgError
from kg.store.base import Store
from kg.store.open import open_store
from kg.web.app import create_app

log = logging.getLogger("kg.serve")


def serve(settings: Settings, dev: bool = False) -> None:
    """Open the store, build the app, log what was started, and serve until interrupted."""
    started = time.perf_counter()
    store = open_store(settings)
    app = create_app(settings, store)
    server = "Flask development server" if dev else f"waitress, {settings.threads} threads"
    log.info("ready in %.2f s: %s; %s; RSS %s; http://%s:%s/ (%s)", time.perf_counter() - started,
             describe_store(settings), count_triples(store), memory(), settings.host, settings.port, server)
    try:
        if dev:
            app.run(host=settings.host, port=settings.port, threaded=True, debug=False, use_reloader=False)
        else:
            import waitress

            waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads,
                           ident="infosec-law-kg")
    finally:
        store.close()  # stops the query executors, flushes an on-disk store


def describe_store(settings: Settings) -> str:
    if settings.endpoint:
        return f"remote SPARQL server {settings.endpoint}"
    if settings.store_path:
        return f"on-disk Oxigraph store {settings.store_path}"
    return "in-memory Oxigraph store of the project files"


def count_triples(store: Store) -> str:
    """`N triples in G named graphs`; a remote server that cannot count in time does not stop the start."""
    try:
        sizes = store.graph_sizes()
    except KgError as error:
        return f"triple count unavailable ({error})"
    return f"{sum(sizes.values()):,} triples in {len(sizes)} named graphs"


def memory() -> str:
    """Resident memory now (Linux /proc), else the peak the kernel reports."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return f"{int(line.split()[1]) / 1024:.0f} MiB"
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS
    return f"peak {peak / (1024 if peak < 1 << 32 else 1 << 20):.0f} MiB"
