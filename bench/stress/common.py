"""What the stress scenarios share: a `kg serve` on a loopback port in its own process group, bounded request
helpers, and the figures every scenario reports. Loopback only: every address used here is 127.0.0.0/8."""

from __future__ import annotations

import http.client
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

PROJECT = Path(__file__).resolve().parents[2]


@dataclass
class Figures:
    """A scenario's counts: what was sent, how the server answered, what went wrong, and whether its targets hold."""

    name: str
    requests: int = 0
    refusals: int = 0  # 4xx (429 included): the server said no, as it should to bad or excess input
    server_errors: int = 0  # 5xx that are not a deliberate 503 for a time limit
    crashes: int = 0  # a worker or the whole service died (a process gone, a connection reset mid-answer)
    outbound_requests: int = 0  # requests that reached a listener the server must never contact
    lost_writes: int = 0  # acknowledged writes missing afterwards
    seconds: float = 0.0
    notes: dict = field(default_factory=dict)  # scenario-specific figures (latencies, trials, ...)
    targets: dict = field(default_factory=dict)  # name -> met (bool)

    @property
    def ok(self) -> bool:
        return all(self.targets.values())

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def loopback(host: str) -> str:
    """Refuse any address that is not this machine's loopback (the suite never targets anything else)."""
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"stress: {host} is not a loopback address; refusing")
    return host


@dataclass
class Service:
    process: subprocess.Popen
    port: int
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None


def project_copy(work: Path) -> Path:
    """A copy of ontology/, graph/ and shapes/ (a write-capable service keeps its store inside its root)."""
    root = work / "project"
    if not root.exists():
        for part in ("ontology", "graph", "shapes"):
            shutil.copytree(PROJECT / part, root / part)
    return root


@contextmanager
def serve(work: Path, name: str, *options: str, root: Path | None = None, **env: str) -> Iterator[Service]:
    """`kg serve` on a free loopback port with `KG_*` settings from `env`, in its own process group (so that a kill
    reaches every process); stopped, all of it, on leaving. A port taken between choosing it and binding it (another
    run on the same machine) is chosen again."""
    settings = {f"KG_{key.upper()}": str(value) for key, value in env.items()}
    environ = {**{k: v for k, v in os.environ.items() if not k.startswith("KG_")}, **settings}
    if root is not None:
        environ["KG_ROOT"] = str(root)
    log = work / f"{name}.log"
    for _attempt in range(5):
        port = free_port()
        command = [sys.executable, "-m", "kg.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *options]
        with log.open("ab") as sink:
            process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env=environ, start_new_session=True, cwd=PROJECT)
        service = Service(process, port, log)
        try:
            wait_ready(service)
            break
        except RuntimeError:
            kill(service, signal.SIGTERM)
            if "already in use" not in log.read_text(errors="replace")[-500:]:
                raise
    else:
        raise RuntimeError(f"no free port for {name}")
    try:
        yield service
    finally:
        kill(service, signal.SIGTERM)


def wait_ready(service: Service, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.alive():
            raise RuntimeError(f"kg serve exited with {service.process.returncode}: {service.log.read_text()[-2000:]}")
        if get(service.port, "/sparql?query=" + quote("ASK {}"), timeout=2)[0] == 200:
            return
        time.sleep(0.05)  # a readiness probe's polling period
    raise RuntimeError(f"kg serve did not answer within {timeout} s")


def kill(service: Service, sig: int = signal.SIGKILL) -> None:
    """Signal the whole process group (master, workers, executors) and reap the master."""
    try:
        os.killpg(service.process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        service.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(service.process.pid, signal.SIGKILL)
        service.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 30, source: str = "127.0.0.1") -> tuple[int, bytes]:
    """One HTTP/1.1 request from a chosen loopback address; (0, b"") when the connection failed or was reset."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                            source_address=(loopback(source), 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        connection.close()


def get(port: int, path: str, timeout: float = 30, source: str = "127.0.0.1", headers: dict | None = None):
    return request(port, "GET", path, headers=headers, timeout=timeout, source=source)


def count(figures: Figures, status: int, deliberate: tuple[int, ...] = ()) -> None:
    """Add one answer to the figures: 4xx are refusals, 5xx (other than `deliberate` ones) errors, 0 a crash."""
    figures.requests += 1
    if status == 0:
        figures.crashes += 1
    elif 400 <= status < 500:
        figures.refusals += 1
    elif status >= 500 and status not in deliberate:
        figures.server_errors += 1
