"""kill -9 during writes: a write-capable service takes concurrent writes, every one of its processes is killed at a
random moment, it is started again on the same store, and every acknowledged write must be there, whole (each write
puts two triples in one update; one without the other is a partial write)."""

from __future__ import annotations

import random
import signal
import threading
import time
from pathlib import Path
from urllib.parse import quote

from common import Figures, count, get, kill, project_copy, request, serve

BASE = "https://w3id.org/infosec-law-kg/"
NOTE = f"{BASE}id/state/kz"
COMMENT, SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#comment", "http://www.w3.org/2000/01/rdf-schema#seeAlso"
TOKEN = "stress-token"


def update(mark: str) -> bytes:
    return (f'INSERT DATA {{ GRAPH <{BASE}graph/states> {{ <{NOTE}> <{COMMENT}> "{mark}"@en . '
            f'<{NOTE}> <{SEE_ALSO}> <urn:kg-stress:{mark}> }} }}').encode()


def stored(port: int) -> tuple[set[str], set[str]]:
    """The marks present as comments and as see-also links."""
    query = (f"SELECT ?c ?l WHERE {{ {{ <{NOTE}> <{COMMENT}> ?c FILTER(STRSTARTS(STR(?c), 'w')) }} UNION "
             f"{{ <{NOTE}> <{SEE_ALSO}> ?l FILTER(STRSTARTS(STR(?l), 'urn:kg-stress:')) }} }}")
    status, body = get(port, "/sparql?query=" + quote(query), headers={"Accept": "text/csv"})
    if status != 200:
        raise RuntimeError(f"reading back the writes answered {status}")
    comments, links = set(), set()
    for line in body.decode().splitlines()[1:]:
        comment, _, link = line.partition(",")
        if comment:
            comments.add(comment)
        if link.strip():
            links.add(link.strip().removeprefix("urn:kg-stress:"))
    return comments, links


def trial(figures: Figures, root: Path, work: Path, number: int, rng: random.Random) -> tuple[int, int]:
    """One round: writers until a random kill; returns (acknowledged writes lost, partial writes)."""
    acknowledged: list[str] = []
    stop, first = threading.Event(), threading.Event()
    with serve(work, "durability", root=root, write_token=TOKEN) as service:
        def writer(index: int) -> None:
            sequence = 0
            while not stop.is_set():
                mark = f"w{number}-{index}-{sequence}"
                sequence += 1
                status, _ = request(service.port, "POST", "/sparql", update(mark),
                                    {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
                                    source=f"127.0.0.{11 + index}")  # three clients: admission control is per client
                if status == 204:
                    acknowledged.append(mark)
                    first.set()
                if status != 0:  # 0: the connection died with the service, as it should at the kill
                    count(figures, status, deliberate=(503,))  # 503: over capacity or time, tried again
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        first.wait(60)  # writes are being acknowledged; then the kill comes at a random moment
        time.sleep(rng.uniform(0.5, 3.0))  # the random moment of the kill: what this scenario is about
        kill(service, signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join()
    with serve(work, "durability-after", root=root, write_token=TOKEN) as service:
        comments, links = stored(service.port)
    lost = sum(1 for mark in acknowledged if mark not in comments or mark not in links)
    figures.notes["acknowledged writes"] = figures.notes.get("acknowledged writes", 0) + len(acknowledged)
    return lost, len(comments ^ links)


def run(quick: bool, work: Path) -> Figures:
    figures = Figures("durability")
    rng = random.Random(7)
    root = project_copy(work)
    trials = 3 if quick else 100
    partial = 0
    for number in range(trials):
        lost, halves = trial(figures, root, work, number, rng)
        figures.lost_writes += lost
        partial += halves
    figures.notes.update({"kill -9 trials": trials, "partial writes": partial})
    figures.targets = {"no acknowledged write lost": figures.lost_writes == 0, "no partial write": partial == 0,
                       "no 5xx": figures.server_errors == 0,
                       "writes were acknowledged": figures.notes.get("acknowledged writes", 0) >= trials}
    return figures
