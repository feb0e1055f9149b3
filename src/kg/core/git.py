"""The project's files as a git revision holds them, for change-aware validation and the semantic diff.

Only `git` itself is used (rev-parse, merge-base, ls-tree, cat-file): no library, and nothing is checked out. Every
failure is a UsageError with one line (exit 2): no git, not a repository, a revision that does not exist.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kg.core.errors import UsageError


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    if shutil.which("git") is None:
        raise UsageError("git is not installed: --changed and diffs against a revision need it")
    if not Path(root).is_dir():
        raise UsageError(f"{root} is not a folder")
    done = subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, check=False)
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if any("not a git repository" in line for line in reason):
            raise UsageError(f"{root} is not in a git repository: name files instead, or run `git init`")
        raise UsageError(f"git {args[0]}: {reason[-1] if reason else 'failed'}")
    return done.stdout


def resolve(root: Path, revision: str) -> str:
    """The commit a revision names; `A...` means the merge base of A and HEAD (as in `git diff A...`)."""
    if revision.startswith("-"):
        raise UsageError(f"unknown revision {revision!r}")
    if revision.endswith("...") and len(revision) > 3:
        try:
            return _git(root, "merge-base", revision[:-3], "HEAD").decode().strip()
        except UsageError as error:
            if "git repository" in str(error):
                raise
            raise UsageError(f"no merge base of {revision[:-3]!r} and HEAD (does the revision exist?)") from None
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
    except UsageError as error:
        if "git repository" in str(error):
            raise
        raise UsageError(f"unknown revision {revision!r}") from None


def files_at(root: Path, commit: str, folders: list[Path]) -> dict[Path, bytes]:
    """The `*.ttl` files directly in each folder (inside `root`) as the commit holds them, by their working-tree path."""
    root = Path(root).resolve()
    relative = []
    for folder in folders:
        try:
            relative.append(Path(folder).resolve().relative_to(root).as_posix() + "/")
        except ValueError:
            raise UsageError(f"{folder} is outside the project {root}") from None
    listing = _git(root, "ls-tree", "-z", commit, "--", *relative)  # paths relative to root, as git prints them
    wanted = {}
    for entry in filter(None, listing.split(b"\0")):
        meta, _, name = entry.partition(b"\t")
        path = root / name.decode()
        if meta.split()[1] == b"blob" and path.suffix == ".ttl":
            wanted[path] = meta.split()[2].decode()
    if not wanted:
        return {}
    output = _git(root, "cat-file", "--batch", data="\n".join(wanted.values()).encode() + b"\n")
    return dict(zip(wanted, _batch(output)))
def _batch(output: bytes) -> list[bytes]:
    """The contents in `git cat-file --batch` output: a header `<id> <type> <size>`, the bytes, a newline."""
    contents, at = [], 0
    while at < len(output):
        header_end = output.index(b"\n", at)
        size = int(output[at:header_end].split()[2])
        contents.append(output[header_end + 1:header_end + 1 + size])
        at = header_end + 1 + size + 1
    return contents
