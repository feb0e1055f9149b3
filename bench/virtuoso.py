"""Debian's Virtuoso 7 (`virtuoso-opensource`) in the foreground with a database folder of its own, for the remote-mode
tests (tests/integration/conftest.py) and the remote-mode bench (bench/remote.py): started, bulk-loaded, stopped.

Its default graph is the union of its graphs, as the service expects. Anonymous SPARQL (/sparql) may only read;
`create_writer` makes a SQL user with SPARQL_UPDATE, who logs in (HTTP Digest) at /sparql-auth and at the Graph Store
endpoint /sparql-graph-crud-auth."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {folder}, {data}
[HTTPServer]
ServerPort = {port}
ServerThreads = 8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def binaries() -> tuple[str, str] | None:
    """The server and its SQL client, or None when Virtuoso is not installed."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (binary, isql) if binary and isql else None


@dataclass
class Virtuoso:
    process: subprocess.Popen
    url: str  # http://127.0.0.1:port (the SPARQL endpoint is url + "/sparql")
    sql_port: int
    isql: str

    def sql(self, statement: str, timeout: float = 3600) -> str:
        done = subprocess.run([self.isql, str(self.sql_port), "dba", "dba", f"exec={statement}"], check=True,
                              capture_output=True, text=True, timeout=timeout)
        return done.stdout

    def create_writer(self, user: str, password: str) -> None:
        """A SQL user who may update through SPARQL (it logs in at /sparql-auth and /sparql-graph-crud-auth); the
        statements go on standard input, so that the password is not in a command line `ps` shows."""
        if not user.isidentifier():
            raise ValueError(f"a Virtuoso user name must be an identifier: {user!r}")
        quoted = password.replace("'", "''")  # an SQL string literal
        statements = f"DB.DBA.USER_CREATE('{user}', '{quoted}');\ngrant SPARQL_UPDATE to \"{user}\";\n"
        done = subprocess.run([self.isql, str(self.sql_port), "dba", "dba"], input=statements, check=True,
                              capture_output=True, text=True, timeout=60)
        if "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql could not create {user}: {(done.stdout + done.stderr).strip()[-2000:]}")

    def bulk_load(self, file: Path, graph: str) -> None:
        """Virtuoso's bulk loader (ld_dir + rdf_loader_run), then a checkpoint so that the data is on disk."""
        self.sql(f"ld_dir('{file.parent}', '{file.name}', '{graph}');")
        self.sql("rdf_loader_run();")
        self.sql("checkpoint;")

    def stop(self, seconds: float = 30) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(folder: Path, data: Path | None = None, buffers: int = 10000, attempts: int = 3,
          timeout: float = 60) -> Virtuoso:
    """Virtuoso on two loopback ports (it cannot be given port 0: ports free a moment ago, another pair if taken);
    `data` is a folder its bulk loader may read; `buffers` are 8 KiB pages of its cache."""
    binary, isql = binaries() or (None, None)
    if binary is None:
        raise RuntimeError("Virtuoso is missing: scripts/install.sh installs Debian's virtuoso-opensource")
    for _attempt in range(attempts):
        port, sql_port = _free_port(), _free_port()
        (folder / "virtuoso.ini").write_text(INI.format(folder=folder, data=data or folder, sql_port=sql_port,
                                                        port=port, buffers=buffers, dirty=buffers * 3 // 4))
        with (folder / "server.log").open("wb") as log:
            process = subprocess.Popen([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=folder)
        url = f"http://127.0.0.1:{port}"
        if _answers(process, f"{url}/sparql?query=ASK%7B%7D", timeout):
            return Virtuoso(process, url, sql_port, isql)
    raise RuntimeError(f"Virtuoso did not start: {(folder / 'server.log').read_text()[-2000:]}")


def _answers(process: subprocess.Popen, url: str, timeout: float) -> bool:
    """A readiness probe: True once the URL answers, False if the process exited (its ports were taken)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except OSError:
            time.sleep(0.05)  # the probe's polling period
    process.kill()
    process.wait()
    return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
