"""Files -> store: each RDF file into its named graph, with a progress line (count, rate) for large inputs.

`kg load --store DIR` runs this once, then compacts the store for reading; `kg serve --store DIR` then reopens the
folder without parsing anything. A syntax error or an interruption (Ctrl-C, SIGTERM) stores nothing of the file under
way; the store sees to that (`Store.load`, and on disk `kg.store.journal` for a process that ended before it could).
"""

from __future__ import annotations

import signal
import socket
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kg.core.config import Settings
from kg.core.errors import UsageError
from kg.core.project import DataFile, project_files
from kg.store.base import InterruptedAfterStoring, Store
from kg.store.open import open_store

CLEAR_LINE = "\r\x1b[K"  # back to the line's start, erase it


@dataclass(frozen=True)
class Loaded:
    path: Path
    graph: str
    triples: int
    seconds: float


def targets(settings: Settings, paths: Iterable[Path] = (), graph: str | None = None) -> list[DataFile]:
    """The project's ontology and graph files by default; given files into `{base}graph/{stem}`, or all into `graph`."""
    paths = list(paths)
    if not paths:
        return project_files(settings)
    return [DataFile(Path(p), graph or settings.graph_iri(Path(p).stem)) for p in paths]


def open_target(settings: Settings) -> Store:
    """The persistent store to fill: an on-disk folder or a remote server; loading into memory would be lost."""
    if not settings.endpoint and not settings.store_path:
        raise UsageError("kg load needs a persistent store: --store DIR or --endpoint URL "
                         "(or KG_STORE_PATH / KG_ENDPOINT)")
    return open_store(settings, serving=False)


def load_files(store: Store, files: Iterable[DataFile], *, replace: bool = False,
               stream: TextIO | None = None) -> list[Loaded]:
    """Load each file into its graph (`replace`: instead of the graph's current content), reporting on `stream`;
    then compact the store once for all of them."""
    stream = stream or sys.stderr
    loaded = [load_file(store, data_file, replace=replace, stream=stream) for data_file in files]
    compact(store, stream)
    print(f"kg load: {counted(sum(item.triples for item in loaded), 'triple')} from {counted(len(loaded), 'file')}",
          file=stream)
    return loaded


def compact(store: Store, stream: TextIO) -> None:
    """The store's compaction after loading (`Store.compact`), with the seconds it has taken so far while it runs:
    it reports no progress of its own."""
    progress = Progress("compacting the store for reading", stream)
    with progress.ticking():
        compacted = store.compact()
    if compacted:
        progress.finish(f"store compacted for reading in {time.perf_counter() - progress.started:.2f} s")


def load_file(store: Store, data_file: DataFile, *, replace: bool = False, stream: TextIO | None = None) -> Loaded:
    """One file into its graph; a syntax error stores nothing of it, and a graph it replaces keeps its content."""
    progress = Progress(data_file.path.name, stream or sys.stderr, _size(data_file.path))
    started = time.perf_counter()
    with progress.watching(), _interruptible(progress):
        try:
            count = store.load(data_file.path, data_file.graph, progress, replace=replace)
        except InterruptedAfterStoring:
            progress.finish(f"{data_file.path}: interrupted once it had parsed whole: it was stored, the load ends")
            raise
        except KeyboardInterrupt:  # the store has taken out what it had of the file (files before it stay)
            progress.finish(f"{data_file.path}: interrupted: nothing of it was stored")
            raise
    loaded = Loaded(data_file.path, data_file.graph, count, time.perf_counter() - started)
    progress.finish(f"{data_file.path} -> <{data_file.graph}>: {counted(count, 'triple')} in {loaded.seconds:.2f} s")
    return loaded


@contextmanager
def _interruptible(progress: "Progress"):
    """Ctrl-C and SIGTERM (`kill`, a service manager stopping `kg load`) during a file's load: said at once, and raised
    as KeyboardInterrupt, on which the store undoes the file. Python acts on a signal only when the engine's call
    returns, which for the bulk loader is when the whole file is stored (a minute at 10M triples): until then the
    signal's byte on a wakeup socket (`signal.set_wakeup_fd`, written by the C-level handler) is all there is."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread receives signals
        yield
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    terminating = signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM as Ctrl-C: undone alike

    def notice() -> None:
        while received := reader.recv(16):
            if {signal.SIGINT, signal.SIGTERM} & set(received):
                progress.interrupted = time.perf_counter()
                progress.finish(f"{progress.name}: interrupted: the engine ends its current step, then what it "
                                "stored of the file is removed (Ctrl-\\ quits at once and may leave part of it)")
                return

    watcher = threading.Thread(target=notice, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, terminating)
        signal.set_wakeup_fd(previous)
        writer.close()
        reader.shutdown(socket.SHUT_RDWR)  # ends the watcher's recv
        watcher.join()
        reader.close()


class Progress:
    """Where a load is: the share of the file read and an ETA (the engine reads the file itself, so the bytes this
    process has read stand for it, from /proc/self/io), or triples so far when a store reports them. Redrawn in place
    with `\\r` on a terminal, one line per report otherwise (every REPORT_EVERY seconds)."""

    REPORT_EVERY = 2.0

    def __init__(self, name: str, stream: TextIO, size: int | None = None) -> None:
        self.name, self.stream, self.size, self.started = name, stream, size, time.perf_counter()
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.interrupted: float | None = None  # when a signal to stop came: the reports then say the load is undone
        self._done = threading.Event()

    def __call__(self, count: int) -> None:
        rate = count / max(time.perf_counter() - self.started, 1e-9)
        self._write(f"{count:,} triples ({rate:,.0f}/s)")

    def watching(self):
        """Report the share read every few seconds while the block runs (only where the kernel tells, and the size
        is known)."""
        first = _bytes_read()
        if first is None or not self.size:
            return nullcontext()
        return self._reporting(lambda: self._share_read(first))

    def ticking(self):
        """Report the seconds elapsed every few seconds while the block runs: work whose share done is unknown."""
        return self._reporting(lambda: f"{time.perf_counter() - self.started:,.0f} s so far")

    @contextmanager
    def _reporting(self, status: Callable[[], str]):
        """A thread writing `status()` every REPORT_EVERY seconds until the block ends."""
        def report() -> None:
            while not self._done.wait(self.REPORT_EVERY):
                self._write(status() if self.interrupted is None else
                            f"interrupted, undoing the load: {time.perf_counter() - self.interrupted:,.0f} s so far")

        reporter = threading.Thread(target=report, daemon=True)
        reporter.start()
        try:
            yield
        finally:
            self._done.set()
            reporter.join()

    def _share_read(self, first: int) -> str:
        done = min(max((_bytes_read() or first) - first, 0), self.size)
        elapsed = time.perf_counter() - self.started
        if done == self.size:  # the engine still sorts and writes what it read: no share to show, the time it takes
            return f"all {self.size / 1e6:,.1f} MB read, storing them: {elapsed:,.0f} s so far"
        eta = elapsed * (self.size - done) / done if done else None
        left = f", about {eta:,.0f} s left" if eta is not None else ""
        return f"{done / self.size:.0%} of {self.size / 1e6:,.1f} MB{left}"

    def _write(self, status: str) -> None:
        line = f"kg load: {self.name}: {status}"
        self.stream.write(f"{CLEAR_LINE}{line}" if self.live else f"{line}\n")
        self.stream.flush()

    def finish(self, message: str) -> None:
        self.stream.write((CLEAR_LINE if self.live else "") + f"kg load: {message}\n")
        self.stream.flush()


def counted(number: int, noun: str) -> str:
    """`1 triple`, `2 triples`, `1,000 triples`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _size(path: Path) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


def _bytes_read() -> int | None:
    """Bytes this process has read so far (Linux), or None where the kernel does not say."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None
