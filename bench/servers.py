"""Start the two servers under test as subprocesses on free loopback ports, wait until they answer, stop them."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
READY_PATH = "/sparql?" + urlencode({"query": "ASK {}"})


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path
    launched: float  # perf_counter() at launch
    started: float = 0.0  # seconds until it answered

    def stop(self) -> None:
        """SIGTERM, then SIGKILL; only this process is signalled (gunicorn's master stops its workers; a worker's
        executors, in the write-capable mode, exit when its pipes close)."""
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            if self.process.poll() is not None:
                break
            self.process.send_signal(sig)
            try:
                self.process.wait(wait)
            except subprocess.TimeoutExpired:
                continue


def free_port(taken: tuple[int, ...] = ()) -> int:
    """A port nothing listens on now, other than those already handed out (they may not be bound yet)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in taken:
            return port


def clean_environment(settings: dict[str, str]) -> dict[str, str]:
    """This environment without `KG_*` (the servers run with the defaults, whatever the caller has set), plus
    the `KG_*` settings given."""
    return {**{key: value for key, value in os.environ.items() if not key.startswith("KG_")}, **settings}


def service_command(root: Path, port: int, workers: int, threads: int) -> list[str]:
    """`kg --root ROOT serve --port P --workers W --threads T`: the same code path as the console script."""
    return [sys.executable, "-m", "kg.cli", "--root", str(root), "serve", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--threads", str(threads)]


def reference_command(root: Path, port: int, workers: int, threads: int) -> list[str]:
    """The reference takes no threads: its sync workers serve one request each, as the read-only service's do."""
    return [sys.executable, str(HERE / "reference.py"), "--root", str(root), "--port", str(port),
            "--workers", str(workers)]


def launch(name: str, command_for, root: Path, workers: int, threads: int, logs: Path, *,
           settings: dict[str, str], taken: tuple[int, ...] = ()) -> Server:
    """Start a server; its output goes to a log file, shown if it fails to come up."""
    port = free_port(taken)
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command_for(root, port, workers, threads), stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=clean_environment(settings))
    return Server(name, process, port, log, time.perf_counter())


def wait_ready(server: Server, timeout: float) -> None:
    """Poll with a trivial query until it answers 200; record how long the start took."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{tail(server.log)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection.request("GET", READY_PATH, headers={"Accept": "application/sparql-results+json"})
            if connection.getresponse().status == 200:
                connection.close()
                server.started = time.perf_counter() - server.launched
                return
            connection.close()
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {timeout:g} s:\n{tail(server.log)}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
