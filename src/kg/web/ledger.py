"""The ledger of admission control, shared by every process of the service: per client, the costly requests running,
the seconds of costly work used, and the wrong-token attempts; in all, the costly requests running.

One fixed-size table in memory that every process sees: an anonymous shared mapping (`mmap(-1, ...)` is MAP_SHARED)
created in gunicorn's master before the fork, so each worker reads and writes the same pages. A client is a row
chosen by a keyed hash of its address (the key is random per service, so a client cannot pick a victim's row); two
clients in one row only make each other's limits stricter. A lock serialises the changes: a POSIX record lock on an
unlinked temporary file, which the kernel drops when its process dies (a worker ended mid-update cannot wedge the
others), taken under a thread lock (record locks do not exclude the threads of one process).

Time used is a bucket that drains evenly: `budget` seconds per `window`, so a client that used it all may run
again after `used - budget` seconds' worth of drain; wrong tokens drain the same way (`auth_failures` per window).
Each running costly request is a holder (pid, row, start). A worker that ends without returning (the watchdog ends
it with os._exit at the time limit) cannot release its own: the master calls `release_pid` from gunicorn's
`child_exit` hook, which frees them and charges each the full time limit.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import math
import mmap
import os
import secrets
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kg.core.errors import Overloaded, TooManyRequests

ROWS = 4096  # clients told apart at once; more share rows (stricter, never looser)
HOLDERS = 256  # costly requests running at once, all processes together (capacity is capped to it)


class _Client(ctypes.Structure):
    _fields_ = [("running", ctypes.c_int32), ("used", ctypes.c_double), ("used_at", ctypes.c_double),
                ("failures", ctypes.c_double), ("failed_at", ctypes.c_double)]


class _Holder(ctypes.Structure):
    _fields_ = [("pid", ctypes.c_int32), ("row", ctypes.c_int32), ("started", ctypes.c_double)]  # pid 0: free


class _Table(ctypes.Structure):
    _fields_ = [("running", ctypes.c_int32), ("clients", _Client * ROWS), ("holders", _Holder * HOLDERS)]


class _Young(Exception):
    """At the client's cap, but its running requests are young: worth waiting a moment."""


@dataclass(frozen=True)
class Limits:
    """What the ledger enforces; 0 turns a per-client limit off."""

    concurrency: int = 1  # costly requests one client may have running (keep it below capacity)
    budget: float = 30.0  # seconds of costly requests per window, per client
    window: float = 60.0
    auth_failures: int = 5  # wrong-token attempts per window, per client
    capacity: int = 2  # costly requests running at once, all clients together
    charge: float = 10.0  # seconds charged for a request whose process ended under it (the time limit)


class Ledger:
    """The shared table and its lock; create it before the fork. `clock` must be the same in every process
    (time.monotonic is system-wide on Linux)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.capacity = max(1, min(limits.capacity, HOLDERS))
        self._clock = clock
        self._memory = mmap.mmap(-1, ctypes.sizeof(_Table))
        self._table = _Table.from_buffer(self._memory)
        self._file = tempfile.TemporaryFile(prefix="kg-ledger-")
        weakref.finalize(self, self._file.close)
        self._threads = threading.Lock()
        self._key = secrets.token_bytes(16)

    @contextmanager
    def _locked(self) -> Iterator[_Table]:
        with self._threads:
            fcntl.lockf(self._file, fcntl.LOCK_EX)
            try:
                yield self._table
            finally:
                fcntl.lockf(self._file, fcntl.LOCK_UN)

    def row(self, client: str) -> int:
        digest = hashlib.blake2b(client.encode("utf-8", "surrogatepass"), key=self._key, digest_size=8).digest()
        return int.from_bytes(digest, "big") % ROWS

    # ------------------------------------------------------------------ costly requests

    def admit(self, client: str, patience: float = 0.0) -> int:
        """Take a slot for a costly request of `client`, or raise TooManyRequests (its own limits) or Overloaded
        (every slot taken). Returns the holder to `release`. A client at its concurrency cap whose running requests
        are all younger than `patience` seconds waits up to that long for one to end (a burst of quick queries
        queues briefly); one with an older request running is refused at once (it is likely a slow one)."""
        give_up = time.monotonic() + patience
        while True:
            try:
                return self._admit(client, patience)
            except _Young:
                if time.monotonic() >= give_up:
                    patience = 0.0  # one last try, refused this time
                    continue
                time.sleep(0.002)

    def _admit(self, client: str, patience: float) -> int:
        limits, now, row = self.limits, self._clock(), self.row(client)
        with self._locked() as table:
            entry = table.clients[row]
            used = _drain(entry, "used", "used_at", now, self._rate())
            if limits.budget > 0 and used - limits.budget > 1e-6:  # over it (a client may end exactly at it)
                raise TooManyRequests(
                    f"this client has used its {limits.budget:g} s of query time per {limits.window:g} s "
                    "(KG_CLIENT_BUDGET, KG_BUDGET_WINDOW); try again later", _wait(used - limits.budget, self._rate()))
            if limits.concurrency > 0 and entry.running >= limits.concurrency:
                if patience > 0 and all(now - holder.started < patience for holder in table.holders
                                        if holder.pid and holder.row == row):
                    raise _Young()
                raise TooManyRequests(
                    f"this client already has {entry.running} costly request(s) running (at most "
                    f"{limits.concurrency}, KG_CLIENT_CONCURRENCY and the service's capacity); wait for one to end",
                    self._soonest(table, now, row))
            free = next((i for i, holder in enumerate(table.holders) if holder.pid == 0), None)
            if table.running >= self.capacity or free is None:
                raise Overloaded(
                    f"all {self.capacity} slots for ad-hoc queries and writes are taken; try again later",
                    self._soonest(table, now, None))
            holder = table.holders[free]
            holder.pid, holder.row, holder.started = os.getpid(), row, now
            entry.running += 1
            table.running += 1
            return free

    def release(self, ticket: int) -> None:
        """The request of `ticket` is over: charge its time to its client and free its slot."""
        now = self._clock()
        with self._locked() as table:
            holder = table.holders[ticket]
            if holder.pid == os.getpid():  # not already released by the master (it would be a new holder's)
                self._free(table, holder, now - holder.started, now)

    def release_pid(self, pid: int) -> int:
        """Free the slots of a process that ended (in the master, from `child_exit`), charging each request the
        full time limit (or its time so far, if longer). Returns how many there were."""
        now, freed = self._clock(), 0
        with self._locked() as table:
            for holder in table.holders:
                if holder.pid == pid:
                    self._free(table, holder, max(self.limits.charge, now - holder.started), now)
                    freed += 1
        return freed

    def running(self, client: str | None = None) -> int:
        """Costly requests running: of one client (its row), or of all."""
        with self._locked() as table:
            return table.running if client is None else table.clients[self.row(client)].running

    def used(self, client: str) -> float:
        """Seconds of the client's budget in use now."""
        with self._locked() as table:
            return _drain(table.clients[self.row(client)], "used", "used_at", self._clock(), self._rate())

    # ------------------------------------------------------------------ wrong tokens

    def check_token_attempts(self, client: str) -> None:
        """Raise TooManyRequests when the client has spent its wrong-token attempts for now."""
        limit = self.limits.auth_failures
        if limit <= 0:
            return
        with self._locked() as table:
            failures = _drain(table.clients[self.row(client)], "failures", "failed_at", self._clock(),
                              self._failure_rate())
        if failures > limit - 1:  # room for one more attempt only once a whole one has drained
            raise TooManyRequests(f"too many wrong tokens from this client ({limit} per {self.limits.window:g} s, "
                                  "KG_AUTH_FAILURES); try again later",
                                  _wait(failures - (limit - 1), self._failure_rate()))

    def token_failed(self, client: str) -> None:
        with self._locked() as table:
            entry = table.clients[self.row(client)]
            entry.failures = _drain(entry, "failures", "failed_at", self._clock(), self._failure_rate()) + 1

    # ------------------------------------------------------------------ inside the lock

    def _rate(self) -> float:
        return self.limits.budget / self.limits.window if self.limits.window > 0 else math.inf

    def _failure_rate(self) -> float:
        return self.limits.auth_failures / self.limits.window if self.limits.window > 0 else math.inf

    def _free(self, table: _Table, holder: _Holder, seconds: float, now: float) -> None:
        entry = table.clients[holder.row]
        entry.used = _drain(entry, "used", "used_at", now, self._rate()) + max(0.0, seconds)
        entry.running = max(0, entry.running - 1)
        table.running = max(0, table.running - 1)
        holder.pid, holder.row, holder.started = 0, 0, 0.0

    def _soonest(self, table: _Table, now: float, row: int | None) -> int:
        """Seconds until a running request (of `row`, or any) reaches the time limit: when a slot is sure to free."""
        ends = [holder.started + self.limits.charge - now for holder in table.holders
                if holder.pid and (row is None or holder.row == row)]
        return max(1, math.ceil(min(ends))) if ends and self.limits.charge > 0 else 1


def _drain(entry: _Client, value: str, stamp: str, now: float, rate: float) -> float:
    """The bucket's level now (it drains at `rate` per second); stored back with its time."""
    elapsed = max(0.0, now - getattr(entry, stamp))
    level = 0.0 if rate == math.inf else max(0.0, getattr(entry, value) - elapsed * rate)
    setattr(entry, value, level)
    setattr(entry, stamp, now)
    return level


def _wait(excess: float, rate: float) -> int:
    """Whole seconds until a bucket `excess` over its limit is back to it."""
    return 1 if rate in (0, math.inf) else max(1, math.ceil(excess / rate))
