"""Open the store the settings describe."""

from __future__ import annotations

from kg.core.config import Settings
from kg.core.errors import UsageError
from kg.core.project import project_files
from kg.store.base import Store
from kg.store.embedded import EmbeddedStore
from kg.store.guard import Guard


def open_store(settings: Settings, *, serving: bool = True, watched: bool = False) -> Store:
    """The remote server, the on-disk folder, or the project's files in memory.

    For serving, an embedded store gets the query time limit (`KG_QUERY_TIMEOUT` seconds; 0 turns it off) and an
    on-disk one without a write token is opened read-only. `watched=True` is for a pre-forked read-only worker
    whose watchdog (`kg.serving.watchdog`) enforces the limit by ending the process: its queries run in process, with
    no executor hop. `serving=False` gives the plain read-write store, for the operator's own commands
    (`kg load`, `kg export`, `kg query`).
    """
    if settings.endpoint:
        from kg.store.remote import RemoteStore

        return RemoteStore(settings)
    read_only = serving and settings.store_path is not None and not settings.writable
    primary = _embedded(settings, read_only)
    if not serving or watched or settings.query_timeout <= 0:
        return primary
    from kg.store.limited import TimeLimitedStore

    return TimeLimitedStore(primary, settings, replica_path=settings.store_path if read_only else None)


def _embedded(settings: Settings, read_only: bool) -> EmbeddedStore:
    guard = Guard.from_settings(settings)
    if settings.store_path is None:
        return EmbeddedStore.from_files(project_files(settings), guard, settings.base)
    try:
        return EmbeddedStore(settings.store_path, read_only=read_only, guard=guard, base=settings.base)
    except OSError as error:
        hint = " (build it first with `kg load --store DIR`)" if read_only else ""
        raise UsageError(f"{settings.store_path}: cannot open the store{hint}: {error}") from None


def durable(settings: Settings) -> Settings:
    """The settings a write-capable service runs with: its data on disk, so that no acknowledged write depends on a
    process staying alive. Without `--store` that is `{root}/.kg/store`, filled from the project's files the first
    time (and kept after that: the writes live there)."""
    if not settings.writable or settings.endpoint or settings.store_path:
        return settings
    folder = settings.root / ".kg" / "store"
    if not (folder / "CURRENT").exists():  # RocksDB's marker of an existing store
        try:
            folder.mkdir(parents=True, exist_ok=True)
            store = EmbeddedStore(folder, base=settings.base)
        except OSError as error:
            raise UsageError(f"a write-capable service keeps its data on disk, and {folder} cannot hold it "
                             f"({error}); give a folder with --store DIR") from None
        try:
            for data_file in project_files(settings):
                store.load(data_file.path, data_file.graph)
        finally:
            store.close()
    return settings.with_(store_path=folder)
