"""Run the service under gunicorn (pre-forked worker processes), or Flask's development server with `--dev`.

Read-only (no write token, the default): `KG_WORKERS` sync workers (default 2), each serving one request at a time
in process, on its own copy of the store. The in-memory store is loaded in the master before the fork, so the
workers share its pages copy-on-write; an on-disk store is opened read-only by each worker after the fork (a
RocksDB handle must not cross a fork). The time limit is a per-worker watchdog (`kg.serving.watchdog`): a request past
`KG_QUERY_TIMEOUT` gets a 503 and its worker ends, so the query really stops; the master starts a replacement while
the other workers keep serving. Pre-forking is how a runaway is stopped without taxing ordinary requests: a query
makes no hop to another process (the earlier design sent each one through a pipe to an executor process).

With a write token the store needs one owner (an on-disk store opens read-write in one process only; a write to an
in-memory store must be seen by every later query): one gthread worker with `KG_THREADS` threads, its queries run
by `TimeLimitedStore`'s executor processes, killed at the limit. It stays under gunicorn, not waitress, so that
there is one server to configure, log and document; its threads mostly wait on the executors, releasing the GIL.
With `--endpoint` the app holds no data: `KG_WORKERS` gthread workers × `KG_THREADS` threads wait on the remote
server, whose own timeout and the client's socket timeout bound each query.
"""

from __future__ import annotations

import errno
import logging
import math
import os
import resource
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.core.config import Settings
from kg.core.errors import KgError, UsageError
from kg.store.base import Store
from kg.store.journal import Journal
from kg.store.open import durable, open_store
from kg.serving.client_input import ClientInput
from kg.web.admission import ledger_for
from kg.web.app import create_app

log = logging.getLogger("kg.serve")


@dataclass(frozen=True)
class Mode:
    """How the processes share the store."""

    worker_class: str  # sync: one request per process, which the watchdog needs; gthread: threads that wait
    shared_store: bool  # opened in the master before the fork; else by each worker after it
    one_worker: bool  # the store must have a single owner
    watched: bool  # queries run in the worker, under its watchdog


MODES = {
    "read-only, in memory": Mode("sync", shared_store=True, one_worker=False, watched=True),
    "read-only, on disk": Mode("sync", shared_store=False, one_worker=False, watched=True),
    "read-write": Mode("gthread", shared_store=False, one_worker=True, watched=False),
    "remote": Mode("gthread", shared_store=True, one_worker=False, watched=False),
}


def mode_name(settings: Settings) -> str:
    if settings.endpoint:
        return "remote"
    if settings.writable:
        return "read-write"
    return "read-only, on disk" if settings.store_path else "read-only, in memory"


def serve(settings: Settings, dev: bool = False) -> None:
    """Open the store (here, or in each worker), log what was started, and serve until interrupted."""
    started = time.perf_counter()
    given = settings
    settings = durable(settings)
    if settings.store_path != given.store_path:
        log.info("writes are kept on disk in %s (the default without --store)", settings.store_path)
    check_port(settings.host, settings.port)  # one clear message, not gunicorn's retries
    if settings.store_path and not settings.writable:  # read-only, it could not undo a load cut short: it would serve
        Journal(settings.store_path).refuse_unfinished()  # part of a file as if it were whole
    if dev:
        _serve_dev(settings, started)
        return
    name = mode_name(settings)
    if name == "read-only, on disk" and not Path(settings.store_path).is_dir():  # checked here: workers open it
        raise UsageError(f"{settings.store_path}: no store there (build it first with `kg load --store DIR`)")
    mode = MODES[name]
    service = Service(settings, mode, started, ledger_for(settings))  # the admission ledger: before the fork, shared
    if mode.shared_store:
        service.open()  # before the fork: the workers share it
    run_gunicorn(service.wsgi, {**server_options(settings, mode), "when_ready": service.ready,
                                "post_worker_init": service.worker_ready, "worker_exit": service.worker_exit,
                                "child_exit": service.worker_gone})


def check_port(host: str, port: int) -> None:
    """UsageError with a hint when the address cannot be listened on (a port in use, above all)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UsageError(f"{host}:{port} is already in use (another kg serve?): stop what listens there, "
                                 f"or choose another port with --port N (env KG_PORT)") from None
            raise UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def _serve_dev(settings: Settings, started: float) -> None:
    store = open_store(settings)
    try:
        app = create_app(settings, store)
        log.info("ready in %.2f s: %s; %s; RSS %s; http://%s:%s/ (Flask development server)",
                 time.perf_counter() - started, describe_store(settings), count_triples(store), memory(),
                 settings.host, settings.port)
        app.run(host=settings.host, port=settings.port, threaded=True, debug=False, use_reloader=False)
    finally:
        store.close()  # stops the query executors, flushes an on-disk store


class Service:
    """The store and the app of one process: the master's (shared store) or each worker's, opened after the fork."""

    def __init__(self, settings: Settings, mode: Mode, started: float, ledger=None) -> None:
        self.settings, self.mode, self.started, self.ledger = settings, mode, started, ledger
        self.store: Store | None = None
        self.app: Callable | None = None
        self.booted = started

    def open(self) -> None:
        self.store = open_store(self.settings, watched=self.mode.watched)
        self.app = create_app(self.settings, self.store, self.ledger)

    def wsgi(self) -> Callable:
        """gunicorn's `load()`, in the worker after the fork: its own store if not shared, and its watchdog."""
        self.booted = time.perf_counter()
        if not self.mode.shared_store:
            self.open()
        app = ClientInput(self.app)
        if self.mode.watched and self.settings.query_timeout > 0:
            from kg.serving.watchdog import Watchdog

            return Watchdog(app, self.settings.query_timeout).start()
        return app

    def ready(self, arbiter) -> None:
        """In the master, once it listens (workers boot next)."""
        triples = (count_triples(self.store) if self.mode.shared_store else
                   "the worker opens the store" if self.mode.one_worker else "each worker opens the store")
        log.info("ready in %.2f s: %s; %s; RSS %s; http://%s:%s/ (gunicorn, %s)", time.perf_counter() - self.started,
                 describe_store(self.settings), triples, memory(), self.settings.host, self.settings.port,
                 describe_workers(self.settings, self.mode))

    def worker_ready(self, worker) -> None:
        """In a worker, after its app is loaded; the first one names the graphs of a store it opened itself. It does
        not count their triples: on disk that reads the whole store (seconds per million triples) before the worker
        takes its first request (`kg stats` counts them)."""
        graphs = "" if self.mode.shared_store or worker.age > 1 else f"; {len(self.store.named_graphs())} named graphs"
        log.info("worker %d ready in %.2f s%s; RSS %s", os.getpid(), time.perf_counter() - self.booted, graphs,
                 memory())

    def worker_gone(self, arbiter, worker) -> None:
        """In the master, once a worker has ended: free the admission slots it still held (the watchdog ended it
        mid-request), each charged the full time limit to its client."""
        if self.ledger is not None and (freed := self.ledger.release_pid(worker.pid)):
            log.info("worker %d ended holding %d costly request(s): released, charged to their clients",
                     worker.pid, freed)

    def worker_exit(self, arbiter, worker) -> None:
        """Close what the worker opened (stops a read-write store's executors, flushes an on-disk store)."""
        if not self.mode.shared_store and self.store is not None:
            self.store.close()


def server_options(settings: Settings, mode: Mode) -> dict:
    """gunicorn's settings for a mode (the bench's reference uses them too, to run under the same server)."""
    from kg.serving.workers import Deadlines, worker_class  # imports gunicorn

    threaded = mode.worker_class == "gthread"
    return {
        "bind": f"[{settings.host}]:{settings.port}" if ":" in settings.host else f"{settings.host}:{settings.port}",
        "workers": 1 if mode.one_worker else max(1, settings.workers),
        "worker_class": worker_class(mode.worker_class, Deadlines(settings.header_timeout, settings.body_timeout,
                                                                  settings.max_body)),
        "threads": max(1, settings.threads) if threaded else 1,  # more than 1 would turn sync into gthread
        "timeout": worker_timeout(settings.query_timeout),
        "limit_request_line": 0,  # no limit of gunicorn's (4094 bytes): the app answers past MAX_REQUEST_TARGET (414)
        "proc_name": "infosec-law-kg",
        "errorlog": "-",
        "loglevel": "info",
        "control_socket_disable": True,  # no shared ~/.gunicorn/gunicorn.ctl (gunicorn >= 25.1)
    }


def worker_timeout(limit: float) -> int:
    """gunicorn kills a sync worker silent this long; kept well above the query limit, so the watchdog (which
    answers 503) always acts first. No limit (0): gunicorn never kills."""
    return 0 if limit <= 0 else math.ceil(limit) + 30


def run_gunicorn(load: Callable[[], Callable], options: dict) -> None:
    """Serve `load()`'s WSGI app with gunicorn; `load` runs in each worker, after the fork. Exits the process."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # a setting this gunicorn does not know is left out
                    self.cfg.set(key, value)

        def load(self) -> Callable:
            return load()

    Server().run()


def describe_store(settings: Settings) -> str:
    if settings.endpoint:
        return f"remote SPARQL server {settings.endpoint}"
    if settings.store_path:
        return f"on-disk Oxigraph store {settings.store_path}"
    return "in-memory Oxigraph store of the project files"


def describe_workers(settings: Settings, mode: Mode) -> str:
    options = server_options(settings, mode)
    workers = f"{options['workers']} {mode.worker_class} worker{'s' if options['workers'] > 1 else ''}"
    if mode.worker_class == "gthread":
        workers += f" × {options['threads']} threads"
    if settings.query_timeout <= 0:
        return f"{workers}, no time limit"
    limit = ("per-worker watchdog" if mode.watched else "query executor processes" if not settings.endpoint
             else "client timeout")
    return f"{workers}, {settings.query_timeout:g} s time limit: {limit}"


def count_triples(store: Store) -> str:
    """`N triples in G named graphs`; a remote server that cannot count in time does not stop the start."""
    try:
        sizes = store.graph_sizes()
    except KgError as error:
        return f"triple count unavailable ({error})"
    return f"{sum(sizes.values()):,} triples in {len(sizes)} named graphs"


def memory() -> str:
    """Resident memory now, and how much of it is this process's own (not shared with the master); Linux /proc,
    else the peak the kernel reports."""
    try:
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
        resident = f"{int(status['VmRSS'].split()[0]) / 1024:.0f} MiB"
    except (OSError, KeyError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS
        return f"peak {peak / (1024 if peak < 1 << 32 else 1 << 20):.0f} MiB"
    try:
        rollup = dict(line.split(":", 1) for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:])
        private = sum(int(rollup[key].split()[0]) for key in ("Private_Clean", "Private_Dirty"))
        return f"{resident} ({private / 1024:.0f} MiB private)"
    except (OSError, KeyError, ValueError):
        return resident
