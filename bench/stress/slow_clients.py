"""Slow clients (issue 8, point 2): connections that send part of a request head and then idle. Before the fix each
one held a read-only worker (or a write-capable service's thread) until gunicorn's worker timeout; now a worker takes
a connection only once its request has arrived (`kg.serving.workers`), and the server cuts an incomplete one at
`KG_HEADER_TIMEOUT`. Here 8 such connections (from 127.0.0.3) stay open while a cheap query from another loopback
address (127.0.0.2) is timed, in the read-only and the write-capable mode; the full run repeats the attack in waves,
each opened as soon as the server has cut the previous one, as an attacker would. Bounded: 8 sockets at a time, each
wait at most 60 s."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import quote

from common import Figures, count, loopback, project_copy, request, serve

SLOW = 8  # connections held open per wave
ATTACKER, CLIENT = "127.0.0.3", "127.0.0.2"
PARTIAL = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n"  # no blank line: never ends
CHEAP = "/sparql?query=" + quote("ASK { ?s ?p ?o }")
TARGET = 3.0  # seconds within which the cheap query must be answered during the attack
WAIT = 60.0  # bound of every wait here (the old behaviour took ~41 s)


def run(quick: bool, work: Path) -> Figures:
    figures = Figures("slow_clients")
    waves = 1 if quick else 3
    queries = 1 if quick else 3  # per wave, spread over the time the slow connections are held
    modes = [("read-only", {}, None), ("write-capable", {"write_token": "stress-token"}, project_copy(work))]
    answered = {}
    for mode, env, root in modes:
        with serve(work, mode.replace("-", "_"), root=root, **env) as service:
            slowest, cuts = 0.0, []
            for _ in range(waves):
                opened = time.monotonic()
                held = attack(service.port)
                try:
                    for n in range(queries):
                        if n:
                            time.sleep(1.0)  # the bench's pacing between queries, not a synchronisation
                        status, seconds = timed(service.port)
                        count(figures, status)
                        slowest = max(slowest, seconds if status == 200 else WAIT)
                    cuts.append(cut_after(held, opened))
                finally:
                    for sock in held:
                        sock.close()
            if not service.alive():
                figures.crashes += 1
            answered[mode] = slowest
            figures.notes[f"{mode}: cheap query during the attack, slowest s"] = round(slowest, 3)
            figures.notes[f"{mode}: slow connections cut after s"] = round(max(cuts), 1)
    for mode, seconds in answered.items():
        figures.targets[f"{mode}: answered within {TARGET:g} s"] = seconds <= TARGET
    figures.targets["no errors"] = figures.server_errors == 0 and figures.crashes == 0 and figures.refusals == 0
    return figures


def attack(port: int) -> list[socket.socket]:
    """Open SLOW connections that each send a partial request head and then say nothing more."""
    held = []
    for _ in range(SLOW):
        sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT, source_address=(loopback(ATTACKER), 0))
        sock.sendall(PARTIAL)
        held.append(sock)
    return held


def timed(port: int) -> tuple[int, float]:
    started = time.monotonic()
    status, _ = request(port, "GET", CHEAP, headers={"Accept": "application/sparql-results+json"}, timeout=WAIT,
                        source=CLIENT)
    return status, time.monotonic() - started


def cut_after(held: list[socket.socket], started: float) -> float:
    """Seconds from `started` until the server has closed every slow connection (WAIT if it kept one open longer)."""
    for sock in held:
        sock.settimeout(max(0.1, started + WAIT - time.monotonic()))
        try:
            while sock.recv(4096):  # a 408, then the end of the stream
                pass
        except TimeoutError:
            return WAIT
        except OSError:
            pass  # reset: cut as well
    return time.monotonic() - started
