"""Fuzz the HTTP surface: random and mutated requests (query texts, bodies, encodings, headers, paths, methods) from
several threads. Every answer must be an answer: a 2xx/3xx/4xx, or the deliberate 503 of a time limit; never another
5xx, a reset connection or a dead worker. The service must still answer correctly afterwards."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from urllib.parse import quote

from common import Figures, count, get, request, serve

BASE = "https://w3id.org/infosec-law-kg/"
SEEDS = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5", "ASK { ?s ?p ?o }", f"DESCRIBE <{BASE}id/state/kz>",
    "CONSTRUCT WHERE { ?s a ?c } LIMIT 3", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, 'бап')) }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }", "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3) }",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "LOAD <http://127.0.0.1:9/x>",
]
NASTY = ["{" * 5000, "(" * 3000, "[" * 2000, "\\u0000", "\\uD800", "'''", '"', "<", ">", "#", "\x00", "\udcff", "é" * 300,
         "SERVICE", "LOAD", "\\", "%", "%%", "%ZZ", "?" * 100, "$", "@", "^^", "_:", " FROM <x> ", "\r\n", "\t" * 50]
PATHS = ["/sparql", "/data", "/api/queries", "/api/queries/label-search", "/api/queries/gap-analysis",
         "/api/queries/nope", "/eli/kz/code/2014/226-V/art_205", "/id/state/kz", "/id/state/kz.ttl", "/id/%ZZ",
         "/ontology", "/shapes.nt", "/void", "/", "/openapi.json", "/assets/kg.css", "/nothing/here", "/eli/../etc"]
CONTENT_TYPES = ["application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded",
                 "application/json", "text/turtle", "application/sparql-query; charset=utf-16",
                 "application/sparql-query; charset=punycode", "application/sparql-update; charset=unicode_escape",
                 "multipart/form-data; boundary=x", "text/plain", "", "application/sparql-query; charset="]
ACCEPTS = ["*/*", "text/html", "application/sparql-results+json", "text/turtle;q=0.5, */*;q=0.1", "garbage/;q=x",
           "application/ld+json", "text/csv", "application/x-nothing", "", ";;;", "*/*;q=" + "9" * 50]
METHODS = ["GET"] * 5 + ["POST"] * 5 + ["PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "PROPFIND"]


def mutate(text: str, rng: random.Random) -> str:
    """A query text with a few random edits: cut, duplicated, spliced with a nasty fragment, shuffled."""
    for _ in range(rng.randint(1, 4)):
        where = rng.randint(0, len(text))
        choice = rng.random()
        if choice < 0.35:
            text = text[:where] + rng.choice(NASTY) + text[where:]
        elif choice < 0.55:
            text = text[:where]
        elif choice < 0.75:
            text = text[:where] + text[where // 2:]
        else:
            text = text[:where] + "".join(rng.sample(text[where:], len(text[where:])))
    return text


def _q(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def one_request(rng: random.Random) -> tuple[str, str, bytes | None, dict]:
    method, path = rng.choice(METHODS), rng.choice(PATHS)
    text = mutate(rng.choice(SEEDS), rng) if rng.random() < 0.9 else rng.choice(SEEDS)
    headers = {"Accept": rng.choice(ACCEPTS)}
    body = None
    shape = rng.random()
    if shape < 0.3:
        path = f"{path}?query={_q(text) if rng.random() < 0.8 else _q(text)[:2000].replace('%', '%%')}"
    elif shape < 0.45:
        path = f"{path}?{rng.choice(['graph', 'default', 'format', 'lang', 'text', 'statute', 'named-graph-uri', 'using-graph-uri'])}={_q(rng.choice(NASTY + SEEDS))}"
    if method in ("POST", "PUT", "PATCH") or rng.random() < 0.1:
        headers["Content-Type"] = rng.choice(CONTENT_TYPES)
        encoded = text.encode("utf-8", "surrogatepass")
        body = rng.choice([encoded, b"query=" + _q(text).encode(), b'{"text": ' + b"[" * rng.randint(1, 500) + b"}",
                           bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300))), text.encode("utf-16", "surrogatepass")])
    if rng.random() < 0.05:
        headers["Authorization"] = rng.choice(["Bearer x", "Basic Zm9v", "Bearer " + "a" * 5000, ""])
    if rng.random() < 0.05:
        headers["X-Forwarded-For"] = rng.choice(["1.2.3.4", "garbage", "127.0.0.1, 10.0.0.1"])
    return method, path, body, headers


def run(quick: bool, work: Path) -> Figures:
    total, threads = (1_500, 4) if quick else (50_000, 8)
    figures = Figures("fuzz")
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    with serve(work, "fuzz", query_timeout=3) as service:
        def fuzz(seed: int, share: int) -> None:
            rng = random.Random(seed)
            for _ in range(share):
                method, path, body, headers = one_request(rng)
                status, _ = request(service.port, method, path, body, headers, timeout=30)
                with lock:
                    count(figures, status, deliberate=(503,))
                    statuses[status] = statuses.get(status, 0) + 1
        started = time.monotonic()
        workers = [threading.Thread(target=fuzz, args=(seed, total // threads)) for seed in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        status, body = get(service.port, "/sparql?query=" + quote("ASK { ?s ?p ?o }"),
                           headers={"Accept": "application/sparql-results+json"})
        alive = service.alive() and status == 200 and b"true" in body
        figures.notes = {"requests/s": round(figures.requests / (time.monotonic() - started)),
                         "statuses": dict(sorted(statuses.items())),
                         "5xx logged": _logged_errors(service.log)}
    figures.targets = {"no 5xx": figures.server_errors == 0, "no crash": figures.crashes == 0,
                       "still answering": alive, f"≥ {total:,} requests": figures.requests >= total - threads}
    return figures


def _logged_errors(log: Path) -> int:
    return log.read_text(errors="replace").count("unexpected error")
