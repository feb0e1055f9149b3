"""The load journal of an on-disk store: which file load is under way, so that one cut short is set right.

Oxigraph's bulk loader is not atomic: it writes its batches as it goes, and a process ended in the middle (Ctrl-C,
`kill`, a crash, a power cut) leaves part of a file stored. So `kg.store.loading` writes what it is doing into the
store's folder (`kg-load.json`) before it starts and removes the note when it is done. A note found when the store is
opened for writing is set right first: a file that was still streaming in is removed whole (its new or staging graph),
one whose quads were being moved from the staging graph into an existing graph is moved in to the end (the staging
graph holds the whole file by then). A store opened read-only cannot do that, so `kg serve --store` refuses to start
while a note is there: a half-loaded graph is not served as if it were whole. (A worker that gunicorn replaces while a
load runs opens the store as it finds it, as it did before: refusing would halt the whole server. A running server
never sees a load anyway: restart it afterwards.) An in-memory store keeps no journal (a process that ends takes its
data with it).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from kg.core.errors import BackendError

FILE = "kg-load.json"


@dataclass(frozen=True)
class Entry:
    """One file load: into `graph`, streamed first into `staging` (the graph itself when it is new)."""
    graph: str
    staging: str
    replace: bool = False
    moving: bool = False  # the file parsed whole and is in `staging`; its quads are being moved into `graph`

    def moved(self) -> "Entry":
        return replace(self, moving=True)


class Journal:
    def __init__(self, folder: Path | str | None) -> None:
        self.path = Path(folder) / FILE if folder is not None else None

    def pending(self) -> Entry | None:
        """The load a process began in this store and did not end, if any. A note that cannot be read is not
        guessed at: the store refuses to open until someone looks (its path is in the message)."""
        if self.path is None or not self.path.exists():
            return None
        try:
            return Entry(**json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as error:
            raise BackendError(f"{self.path}: the note of an unfinished `kg load` cannot be read ({error}); the store "
                               "may hold part of a file: check its graphs, then remove the note") from None

    def refuse_unfinished(self) -> None:
        """For a store about to be served read-only, which cannot set it right: refuse while a note is there."""
        if (entry := self.pending()) is not None:
            raise BackendError(f"{self.path.parent}: a `kg load` into <{entry.graph}> is under way in this store or "
                               "was cut short; wait for it to end, or open the store for writing once (run the "
                               "`kg load` again: it first sets the store right), then serve it")

    def write(self, entry: Entry) -> None:
        """Record `entry`, durably, before the store changes (written beside and renamed: never half a note)."""
        if self.path is None:
            return
        staged = self.path.with_name(f".{FILE}.tmp")
        try:
            with staged.open("w", encoding="utf-8") as note:
                json.dump(asdict(entry), note)
                note.flush()
                os.fsync(note.fileno())
            os.replace(staged, self.path)
        except OSError as error:  # no step of a load without its note (a full disk, say)
            raise BackendError(f"{self.path}: cannot write the note of the load ({error.strerror or error}); the "
                               "file is not loaded") from None

    def clear(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
