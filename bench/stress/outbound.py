"""Outbound-request vectors against a local listener: every known class of SERVICE/LOAD bypass (the same file the
tests use), plain SERVICE and LOAD, and variations, sent by GET, POST form and POST direct to the read-only, the
write-capable and the remote mode (an `oxigraph serve` backend, which would fetch too). The listener must receive
nothing; a positive control with the listener on KG_SERVICE_ALLOWLIST shows it would have seen a request."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

from common import PROJECT, Figures, count, free_port, project_copy, request, serve

VECTORS = json.loads((PROJECT / "tests" / "fixtures" / "outbound" / "bypasses.json").read_text())["vectors"]
PLAIN = [{"name": "plain SERVICE", "text": "SELECT * {{ SERVICE <{U}p> {{ ?s ?p ?o }} }}", "update": False},
         {"name": "plain LOAD", "text": "LOAD <{U}q>", "update": True},
         {"name": "SERVICE SILENT in an update", "text": "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE SILENT <{U}r> {{ ?s ?p ?o }} }}", "update": True},
         {"name": "lower case, nested", "text": "select * {{ optional {{ {{ service <{U}s> {{ ?s ?p ?o }} }} }} }}", "update": False}]
TOKEN = "stress-token"


@contextmanager
def listener():
    """A local HTTP server that records every request (and answers an empty SPARQL result)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(f"{self.command} {self.path}")
            body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


def send_all(figures: Figures, port: int, target: str, updates: bool, repeat: int) -> None:
    for vector in (VECTORS + PLAIN) * repeat:
        text = vector["text"].format(U=target)
        kind = "update" if vector["update"] else "query"
        if vector["update"] and not updates:
            continue
        auth = {"Authorization": f"Bearer {TOKEN}"} if updates else {}
        ways = [("POST", "/sparql", urlencode({kind: text}).encode(), {"Content-Type": "application/x-www-form-urlencoded", **auth}),
                ("POST", "/sparql", text.encode(), {"Content-Type": f"application/sparql-{kind}", **auth})]
        if kind == "query":
            ways.append(("GET", f"/sparql?query={quote(text)}", None, {}))
        for method, path, body, headers in ways:
            status, _ = request(port, method, path, body, headers)
            count(figures, status)


@contextmanager
def oxigraph(work: Path):
    """`oxigraph serve` with the project loaded, as a remote backend."""
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    port = free_port()
    with (work / "oxigraph.log").open("wb") as log:
        process = subprocess.Popen([binary, "serve", "--location", str(work / "oxigraph"), "--bind",
                                    f"127.0.0.1:{port}", "--union-default-graph"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        subprocess.run([sys.executable, "-m", "kg.cli", "load", "--endpoint", f"{url}/query", "--update-endpoint",
                        f"{url}/update"], check=True, capture_output=True, timeout=120, cwd=PROJECT)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(quick: bool, work: Path) -> Figures:
    figures = Figures("outbound")
    repeat = 1 if quick else 20
    with listener() as (port, hits):
        target = f"http://127.0.0.1:{port}/"
        with serve(work, "read-only") as service:
            send_all(figures, service.port, target, updates=False, repeat=repeat)
        with serve(work, "write-capable", root=project_copy(work), write_token=TOKEN) as service:
            send_all(figures, service.port, target, updates=True, repeat=repeat)
        with oxigraph(work) as url:
            with serve(work, "remote", "--endpoint", f"{url}/query", "--update-endpoint", f"{url}/update",
                       write_token=TOKEN) as service:
                send_all(figures, service.port, target, updates=True, repeat=repeat)
        figures.outbound_requests = len(hits)
        with serve(work, "allowed", service_allowlist=f"127.0.0.1:{port}") as service:  # the positive control
            status, _ = request(service.port, "GET", "/sparql?query=" + quote(f"SELECT * {{ SERVICE <{target}c> {{ ?s ?p ?o }} }}"))
        control = len(hits) - figures.outbound_requests
    figures.notes = {"vectors": len(VECTORS) + len(PLAIN), "control requests seen": control, "control status": status}
    figures.targets = {"no outbound request": figures.outbound_requests == 0, "no 5xx": figures.server_errors == 0,
                       "no crash": figures.crashes == 0, "listener sees an allowed request": control >= 1}
    return figures
