"""Files -> store: each RDF file into its named graph, with a progress line (count, rate) for large inputs.

`kg load --store DIR` runs this once; `kg serve --store DIR` then reopens the folder without parsing anything.
Every file is parsed completely before any of it is stored, so a syntax error stores nothing of that file.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kg.core.config import Settings
from kg.core.errors import UsageError
from kg.core.project import DataFile, project_files
from kg.store.base import Store
from kg.store.open import open_store
from kg.rdf.parsing import read_triples

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
    """Load each file into its graph (`replace`: instead of the graph's current content), reporting on `stream`."""
    return [load_file(store, data_file, replace=replace, stream=stream) for data_file in files]


def load_file(store: Store, data_file: DataFile, *, replace: bool = False, stream: TextIO | None = None) -> Loaded:
    progress = Progress(data_file.path.name, stream or sys.stderr)
    started = time.perf_counter()
    if replace:  # parse first: a syntax error must not cost the graph its current content
        triples = read_triples(data_file.path, progress)
        store.replace_graph(data_file.graph, triples)
        count = len(triples)
    else:
        count = store.load(data_file.path, data_file.graph, progress)
    loaded = Loaded(data_file.path, data_file.graph, count, time.perf_counter() - started)
    progress.finish(f"{data_file.path} -> <{data_file.graph}>: {count:,} triples in {loaded.seconds:.2f} s")
    return loaded


class Progress:
    """Triples so far and the rate: redrawn in place with `\\r` on a terminal, one line per report otherwise."""

    def __init__(self, name: str, stream: TextIO) -> None:
        self.name, self.stream, self.started = name, stream, time.perf_counter()
        self.live = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, count: int) -> None:
        rate = count / max(time.perf_counter() - self.started, 1e-9)
        line = f"kg load: {self.name}: {count:,} triples ({rate:,.0f}/s)"
        self.stream.write(f"{CLEAR_LINE}{line}" if self.live else f"{line}\n")
        self.stream.flush()

    def finish(self, message: str) -> None:
        self.stream.write((CLEAR_LINE if self.live else "") + f"kg load: {message}\n")
        self.stream.flush()
