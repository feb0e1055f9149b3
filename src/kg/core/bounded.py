"""Run pure-Python work where it can be stopped: in a forked child process, killed at a deadline.

Python cannot interrupt a thread, and pySHACL cannot be told to stop, so work whose time depends on the input (the
validation of a write) runs in a child that shares the parent's memory copy-on-write and can be killed without
touching the parent's state. The child sends its result back through a pipe; its exceptions come back too.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_FORK = multiprocessing.get_context("fork")


class Overran(Exception):
    """The work ran past its deadline and its process was killed."""


class Beside:
    """Work started in a forked child that runs while this process does something else (the other core); `result()`
    waits for it. Where a fork is not safe (a JVM already started) the work runs here, at `result()`."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work, self._child, self._reader = work, None, None
        if not _jvm_started():
            self._reader, writer = _FORK.Pipe(duplex=False)
            self._child = _FORK.Process(target=_run, args=(work, writer), daemon=True)
            self._child.start()
            writer.close()

    def result(self) -> T:
        if self._child is None:
            return self._work()
        return _collect(self._child, self._reader)


def in_child(work: Callable[[], T], seconds: float) -> T:
    """`work()` run in a forked child; Overran after `seconds` (0 or less: run here, unbounded).

    A process that started a JVM (the OWL checks of `kg validate`, through JPype) runs the work here, unbounded: a
    child forked from it hangs in its first allocations (seen with pyoxigraph). The service never starts a JVM."""
    if seconds <= 0 or _jvm_started():
        return work()
    reader, writer = _FORK.Pipe(duplex=False)
    child = _FORK.Process(target=_run, args=(work, writer), daemon=True)
    child.start()
    writer.close()
    return _collect(child, reader, seconds)


def _collect(child, reader, seconds: float | None = None):
    """The child's result (its exception raised here); Overran and the child killed after `seconds`."""
    try:
        if not reader.poll(seconds):
            child.kill()
            raise Overran(f"still running after {seconds:g} s")
        status, value = reader.recv()
    except EOFError:
        raise RuntimeError(f"the child process died (exit code {child.exitcode})") from None
    finally:
        reader.close()
        child.join()
    if status == "error":
        raise value
    return value


def _run(work: Callable, writer) -> None:
    try:
        reply = ("ok", work())
    except BaseException as error:  # noqa: BLE001 (sent to the parent, which raises it)
        reply = ("error", error if _picklable(error) else RuntimeError(f"{type(error).__name__}: {error}"))
    writer.send(reply)
    writer.close()
    os._exit(0)  # nothing of the parent's (atexit handlers, buffered files, a server's sockets) runs twice


def _jvm_started() -> bool:
    jpype = sys.modules.get("jpype")
    return jpype is not None and jpype.isJVMStarted()


def _picklable(error: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(error))
        return True
    except Exception:  # noqa: BLE001
        return False
