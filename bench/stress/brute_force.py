"""Brute force: wrong write tokens from one client (127.0.0.2) as fast as it can send them. Past KG_AUTH_FAILURES
attempts per window the client gets 429 with Retry-After (before any token is compared), while another client
(127.0.0.3) writes with the right token and is not affected."""

from __future__ import annotations

import time
from pathlib import Path

from common import Figures, count, get, project_copy, request, serve

ATTACKER, OWNER = "127.0.0.2", "127.0.0.3"
TOKEN = "stress-brute-force-token"
GRAPH = "https://example.org/brute-force"
UPDATE = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://example.org/s> <https://example.org/p> "x" }} }}'.encode()
ALLOWED = 5  # KG_AUTH_FAILURES, the default


def run(quick: bool, work: Path) -> Figures:
    figures = Figures("brute_force")
    attempts = 60 if quick else 200
    statuses: list[int] = []
    with serve(work, "brute-force", root=project_copy(work), write_token=TOKEN) as service:
        started = time.monotonic()
        for n in range(attempts):
            status = request(service.port, "POST", "/sparql", UPDATE, source=ATTACKER, timeout=10, headers={
                "Content-Type": "application/sparql-update", "Authorization": f"Bearer guess-{n:06d}"})[0]
            statuses.append(status)
            count(figures, status)
        took = time.monotonic() - started
        owner = request(service.port, "POST", "/sparql", UPDATE, source=OWNER, timeout=30, headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})[0]
        count(figures, owner)
        written = get(service.port, "/data?graph=" + GRAPH, source=OWNER, headers={"Accept": "text/turtle"})
        count(figures, written[0])
        figures.crashes += 0 if service.alive() else 1
    unauthorized, throttled = statuses.count(401), statuses.count(429)
    figures.notes.update({"attempts": attempts, "seconds": round(took, 1), "401": unauthorized, "429": throttled,
                          "other client's write": owner})
    figures.targets["at most KG_AUTH_FAILURES wrong tokens compared"] = unauthorized <= ALLOWED
    figures.targets["the rest get 429"] = throttled == attempts - unauthorized
    figures.targets["another client's write goes through"] = owner == 204 and b"example.org/s" in written[1]
    figures.targets["no 5xx"] = figures.server_errors == 0 and figures.crashes == 0
    return figures
