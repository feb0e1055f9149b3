"""Data dumps of the served store (https://www.w3.org/TR/void/#dump, DCAT distributions): the whole dataset in
N-Quads and TriG, named by the store's version (`infosec-law-kg-{version}.nq`), so a name always means one content.

A dump is written on the first request for it after a change (any write advances the version, so the next dump has
a new name; older files stay until removed), atomically (a temporary file renamed), and only when the version did
not move while it was written. `kg export --dumps DIR` writes the same files for a release.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from kg.core.config import Settings
from kg.core.project import project_files
from kg.services.export import export
from kg.store.base import Store
from kg.store.version import FILE as VERSION_FILE

NAME = "infosec-law-kg"
FORMATS = {"nq": "application/n-quads", "trig": "application/trig"}  # suffix -> media type
PATTERN = re.compile(rf"{NAME}-([0-9a-zA-Z]{{1,64}})\.({'|'.join(FORMATS)})")


def version_of(store: Store) -> str | None:
    """The store's version, or None when it has none (a remote server: no dumps are offered)."""
    return getattr(store, "version", None)


def file_name(version: str, suffix: str) -> str:
    return f"{NAME}-{version}.{suffix}"


def folder(settings: Settings) -> Path:
    """Where the service keeps its dumps: beside an on-disk store, else under the project's `.kg/`, else (not
    writable) in the temporary folder."""
    chosen = Path(settings.store_path).parent / "dumps" if settings.store_path else Path(settings.root) / ".kg" / "dumps"
    try:
        chosen.mkdir(parents=True, exist_ok=True)
        if os.access(chosen, os.W_OK):
            return chosen
    except OSError:
        pass
    fallback = Path(tempfile.gettempdir()) / f"{NAME}-dumps-{os.getuid() if hasattr(os, 'getuid') else 0}"
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def write(store: Store, target: Path, suffix: str) -> Path | None:
    """The dump of the store's current version in `target` (written unless there); None without a version."""
    version = version_of(store)
    if version is None:
        return None
    path = target / file_name(version, suffix)
    if path.exists():
        return path
    with store.transaction():
        body = export(store, FORMATS[suffix])
        if version_of(store) != version:
            return None  # changed meanwhile: the next request writes the new version's dump
    staged = target / f".{path.name}.{os.getpid()}.tmp"
    staged.write_bytes(body)
    os.replace(staged, path)
    return path


def write_all(store: Store, target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    return [path for suffix in FORMATS if (path := write(store, target, suffix)) is not None]


def find(settings: Settings, store: Store, name: str) -> tuple[Path, str] | None:
    """The file and media type for a dump's name: the current version's is written on demand, an older one is
    served while its file is kept; None for anything else."""
    match = PATTERN.fullmatch(name)
    if match is None:
        return None
    version, suffix = match.groups()
    where = folder(settings)
    path = write(store, where, suffix) if version == version_of(store) else where / name
    return (path, FORMATS[suffix]) if path is not None and path.exists() else None


def modified(settings: Settings) -> datetime:
    """When the served data last changed: the version file of an on-disk store, else the newest project file."""
    if settings.store_path and (Path(settings.store_path) / VERSION_FILE).exists():
        stamp = (Path(settings.store_path) / VERSION_FILE).stat().st_mtime
    else:
        stamp = max((f.path.stat().st_mtime for f in project_files(settings)), default=0.0)
    return datetime.fromtimestamp(stamp, timezone.utc).replace(microsecond=0)
