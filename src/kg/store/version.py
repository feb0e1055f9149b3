"""A store's version: a token that every change advances, from which the service derives its HTTP ETags and keys its
result cache. Equal data opened twice (two pre-forked workers, or a restart) gets the same token, so caches agree:
an in-memory store built from files takes the hash of the files, an on-disk store keeps its token in the folder
(`kg-version`, rewritten by every write and every `kg load`)."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

FILE = "kg-version"


class Version:
    def __init__(self, folder: Path | None = None, writable: bool = True, token: str | None = None) -> None:
        self.folder, self.writable = (Path(folder) if folder is not None else None), writable
        self.token = token or self._stored() or (self.advance() if writable else self._derived())

    @classmethod
    def of_files(cls, paths: Iterable[Path]) -> "Version":
        digest = hashlib.sha256()
        for path in paths:
            digest.update(str(path).encode() + b"\0" + Path(path).read_bytes())
        return cls(token=digest.hexdigest()[:16])

    def advance(self) -> str:
        """A new token, written to the folder of an on-disk store (atomically: a reader sees the old or the new)."""
        self.token = secrets.token_hex(8)
        if self.folder is not None and self.writable:
            staged = self.folder / f".{FILE}.tmp"
            staged.write_text(self.token, encoding="ascii")
            os.replace(staged, self.folder / FILE)
        return self.token

    def _stored(self) -> str | None:
        try:
            return (self.folder / FILE).read_text(encoding="ascii").strip() or None if self.folder else None
        except OSError:
            return None

    def _derived(self) -> str:
        """For a read-only store without a token file: what its files say (the same in every worker)."""
        digest = hashlib.sha256()
        for entry in sorted(self.folder.iterdir()) if self.folder else []:
            if entry.name.startswith(("CURRENT", "MANIFEST", "OPTIONS")):
                digest.update(f"{entry.name}:{entry.stat().st_size}:{entry.stat().st_mtime_ns}".encode())
        return digest.hexdigest()[:16]
