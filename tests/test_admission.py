"""Admission control (kg.web.admission, kg.web.ledger): per-client concurrency and time budget for costly requests,
capacity kept for cheap ones, wrong-token throttling, client addresses behind trusted proxies, and the shared ledger's
accounting across processes (a worker that dies holding a slot)."""

from __future__ import annotations

import os

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder

from kg.core.config import Settings
from kg.core.errors import Overloaded, TooManyRequests
from kg.web.admission import capacity, client_address, costly, per_client, proxies
from kg.web.ledger import Ledger, Limits

from helpers import BASE

A, B = "127.0.0.2", "127.0.0.3"
ART = f"{BASE}eli/kz/code/2014/226-V/art_205"
TOKEN = "s3cret-token"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def ledger(clock, **limits) -> Ledger:
    return Ledger(Limits(**{"concurrency": 2, "budget": 30.0, "window": 60.0, "auth_failures": 5, "capacity": 3,
                            "charge": 10.0, **limits}), clock)


# ------------------------------------------------------------------ the ledger

def test_a_client_past_its_concurrency_gets_429_until_a_request_ends(clock):
    book = ledger(clock)
    first, _ = book.admit(A), book.admit(A)
    clock.now += 4
    with pytest.raises(TooManyRequests) as refused:
        book.admit(A)
    assert refused.value.http_status == 429 and refused.value.retry_after == 6  # the oldest reaches the limit in 6 s
    assert "KG_CLIENT_CONCURRENCY" in str(refused.value)
    book.admit(B)  # another client is not affected
    book.release(first)
    book.admit(A)
    assert book.running(A) == 2 and book.running() == 3


def test_all_clients_together_leave_capacity_for_cheap_requests(clock):
    book = ledger(clock, capacity=1)
    book.admit(A)
    with pytest.raises(Overloaded) as refused:
        book.admit(B)
    assert refused.value.http_status == 503 and refused.value.retry_after == 10


def test_the_time_budget_refills_evenly_over_the_window(clock):
    book = ledger(clock)  # 30 s per 60 s: drains 0.5 s per second
    ticket = book.admit(A)
    clock.now += 40
    book.release(ticket)  # charged 40 s
    assert book.used(A) == pytest.approx(40)
    with pytest.raises(TooManyRequests) as refused:
        book.admit(A)
    assert refused.value.retry_after == 20 and "KG_CLIENT_BUDGET" in str(refused.value)  # 10 s over, at 0.5 s/s
    book.admit(B)
    clock.now += 20
    book.release(book.admit(A))
    assert book.used(A) == pytest.approx(30)


def test_a_worker_that_dies_holding_a_slot_is_released_by_the_master_and_charged_the_limit(clock):
    book = ledger(clock, capacity=1)
    pid = os.fork()
    if pid == 0:  # the worker: admitted, then ended without releasing (as the watchdog's os._exit)
        try:
            book.admit(A)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert book.running() == book.running(A) == 1  # the child's admission is seen here: the table is shared
    with pytest.raises(Overloaded):
        book.admit(B)
    assert book.release_pid(pid) == 1
    assert book.running() == 0 and book.used(A) == pytest.approx(10)  # the full time limit
    assert book.release_pid(pid) == 0
    book.admit(B)


def test_a_client_at_its_cap_waits_briefly_for_a_young_request_and_not_for_an_old_one(clock):
    import threading

    book = ledger(clock, concurrency=1)
    first = book.admit(A)
    admitted = []
    waiter = threading.Thread(target=lambda: admitted.append(book.admit(A, patience=30)))
    waiter.start()
    book.release(first)
    waiter.join(10)
    assert admitted and book.running(A) == 1
    clock.now += 1  # now it is a second old: likely a slow one
    with pytest.raises(TooManyRequests):
        book.admit(A, patience=0.5)


def test_a_released_ticket_is_not_released_twice(clock):
    book = ledger(clock)
    ticket = book.admit(A)
    assert book.release_pid(os.getpid()) == 1
    other = book.admit(B)
    assert other == ticket  # the slot was reused
    book.release(ticket)
    assert book.running(B) == 1 or book.running() == 0  # the second release freed B's request at most once
    book.release(ticket)
    assert book.running() == 0


def test_wrong_tokens_are_throttled_per_client_and_drain(clock):
    book = ledger(clock)  # 5 per 60 s: one more every 12 s
    for _ in range(5):
        book.check_token_attempts(A)
        book.token_failed(A)
    with pytest.raises(TooManyRequests) as refused:
        book.check_token_attempts(A)
    assert refused.value.http_status == 429 and refused.value.retry_after == 12  # a whole attempt must drain
    book.check_token_attempts(B)
    clock.now += 12
    book.check_token_attempts(A)


def test_limits_set_to_zero_are_off(clock):
    book = ledger(clock, concurrency=0, budget=0, auth_failures=0, capacity=50)
    tickets = [book.admit(A) for _ in range(20)]
    clock.now += 1000
    for ticket in tickets:
        book.release(ticket)
    for _ in range(10):
        book.token_failed(A)
    book.check_token_attempts(A)
    book.admit(A)


# ------------------------------------------------------------------ the policy

@pytest.mark.parametrize("method, path, args, expected", [
    ("GET", "/sparql", {"query": "ASK {}"}, True),
    ("POST", "/sparql", {}, True),  # a query or an update in the body: not read to decide
    ("GET", "/sparql", {}, False),  # the Service Description
    ("OPTIONS", "/sparql", {}, False),
    ("PUT", "/data", {"graph": "x"}, True),
    ("POST", "/data", {"graph": "x"}, True),
    ("DELETE", "/data", {"default": ""}, True),
    ("GET", "/data", {"graph": "x"}, False),
    ("POST", "/validate", {}, True),
    ("GET", "/api/queries/statute-articles", {}, False),
    ("POST", "/api/queries/statute-articles", {}, False),
    ("GET", "/eli/kz/code/2014/226-V/art_205", {}, False),
    ("GET", "/static/style.css", {}, False),
])
def test_costly_requests_are_the_ones_whose_cost_the_client_chooses(method, path, args, expected):
    assert costly(method, path, MultiDict(args)) is expected


@pytest.mark.parametrize("changes, slots, one_client", [
    ({}, 2, 1),  # 2 read-only sync workers: one client's runaway leaves the other to everyone else
    ({"workers": 4}, 4, 2),  # KG_CLIENT_CONCURRENCY 2
    ({"workers": 4, "client_concurrency": 0}, 4, 3),
    ({"workers": 1}, 1, 1),
    ({"write_token": "t"}, 2, 1),  # 2 executors
    ({"write_token": "t", "executors": 4, "client_concurrency": 9}, 4, 3),
    ({"endpoint": "http://127.0.0.1:7878/query", "workers": 2, "threads": 4}, 8, 2),
])
def test_one_client_never_holds_all_of_what_runs_queries(changes, slots, one_client):
    settings = Settings().with_(**changes)
    assert (capacity(settings), per_client(settings)) == (slots, one_client)


def request_from(peer: str, forwarded: str | None = None):
    from flask import Request

    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return Request(EnvironBuilder(path="/", headers=headers, environ_base={"REMOTE_ADDR": peer}).get_environ())


@pytest.mark.parametrize("peer, forwarded, trusted, expected", [
    (A, None, (), A),
    (A, B, (), A),  # no trusted proxy: the header is the client's own say
    ("127.0.0.9", B, ("127.0.0.1",), "127.0.0.9"),  # a peer that is not a trusted proxy
    ("127.0.0.1", B, ("127.0.0.1",), B),
    ("127.0.0.1", f"203.0.113.7, {B}", ("127.0.0.1",), B),  # the left part is whatever the client wrote
    ("10.0.0.2", f"{A}, 10.0.0.1", ("10.0.0.0/24",), A),  # two proxies in a row
    ("127.0.0.1", "10.0.0.1", ("127.0.0.1", "10.0.0.0/8"), "10.0.0.1"),  # only proxies: the first one
    ("127.0.0.1", "not-an-address", ("127.0.0.1",), "not-an-address"),
])
def test_the_client_is_the_peer_or_what_a_trusted_proxy_saw(peer, forwarded, trusted, expected):
    assert client_address(request_from(peer, forwarded), proxies(trusted)) == expected


# ------------------------------------------------------------------ through the app

def ledger_of(client) -> Ledger:
    return client.application.extensions["kg.admission"][0]


def test_a_client_past_its_share_gets_429_in_the_error_shape_before_the_body_is_read(make_client):
    client = make_client(client_concurrency=1, workers=4)
    ledger_of(client).admit(A)  # A already runs one
    response = client.post("/sparql", data=b"SELECT nonsense {", content_type="application/sparql-query",
                           environ_base={"REMOTE_ADDR": A})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert response.get_json()["error"] == "TooManyRequests"
    assert response.headers["Access-Control-Allow-Origin"] == "*"  # a script can read why
    other = client.get("/sparql", query_string={"query": f"ASK {{ <{ART}> ?p ?o }}"}, environ_base={"REMOTE_ADDR": B})
    assert other.status_code == 200


def test_when_costly_slots_are_taken_cheap_requests_are_still_served(make_client):
    client = make_client()  # 2 workers: 2 costly requests at a time, 1 per client
    ledger_of(client).admit(A)
    ledger_of(client).admit("127.0.0.4")
    busy = client.get("/sparql", query_string={"query": "ASK {}"}, environ_base={"REMOTE_ADDR": B})
    assert busy.status_code == 503 and busy.get_json()["error"] == "Overloaded" and busy.headers["Retry-After"]
    for path, query in [("/api/queries/state-instruments", {"state": "id/state/kz"}), ("/sparql", {}),
                        ("/eli/kz/code/2014/226-V/art_205", {})]:
        response = client.get(path, query_string=query, headers={"Accept": "text/turtle"} if "eli" in path else {},
                              environ_base={"REMOTE_ADDR": B})
        assert response.status_code == 200, path


def test_an_answered_query_frees_its_slot_and_is_charged(make_client):
    client = make_client()
    for _ in range(3):
        assert client.get("/sparql", query_string={"query": "ASK {}"}, environ_base={"REMOTE_ADDR": A}).status_code == 200
    assert ledger_of(client).running() == 0 and 0 < ledger_of(client).used(A) < 1


def test_a_trusted_proxy_names_the_client(make_client):
    client = make_client(trusted_proxies="127.0.0.1", client_concurrency=1, workers=4)
    ledger_of(client).admit(A)
    ask = {"query": "ASK {}"}
    via_proxy = client.get("/sparql", query_string=ask, headers={"X-Forwarded-For": A},
                           environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert via_proxy.status_code == 429
    spoofed = client.get("/sparql", query_string=ask, headers={"X-Forwarded-For": A}, environ_base={"REMOTE_ADDR": B})
    assert spoofed.status_code == 200  # B is no proxy: its header names nobody


def test_wrong_tokens_are_throttled_and_another_client_still_writes(settings, make_client):
    from kg.core.project import project_files
    from kg.store.embedded import EmbeddedStore

    client = make_client(store=EmbeddedStore.from_files(project_files(settings)), write_token=TOKEN)
    update = {"update": "INSERT DATA { GRAPH <https://example.org/admission-test> { <https://example.org/s> "
                        '<https://example.org/p> "x" } }'}
    statuses = [client.post("/sparql", data=update, headers={"Authorization": f"Bearer guess-{n}"},
                            environ_base={"REMOTE_ADDR": A}).status_code for n in range(8)]
    assert statuses == [401] * 5 + [429] * 3
    refused = client.post("/sparql", data=update, headers={"Authorization": f"Bearer {TOKEN}"},
                          environ_base={"REMOTE_ADDR": A})
    assert refused.status_code == 429 and refused.headers["Retry-After"]  # the right one too: no oracle
    assert client.post("/sparql", data=update, headers={"Authorization": f"Bearer {TOKEN}"},
                       environ_base={"REMOTE_ADDR": B}).status_code == 204
    assert client.get("/sparql", query_string={"query": "ASK {}"},
                      environ_base={"REMOTE_ADDR": A}).status_code == 200  # reads without a token are not throttled


# ------------------------------------------------------------------ against a real `kg serve`

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def probe(port: int, source: str, path: str) -> int:
    """The status of one request, or 0 when its connection was dropped."""
    try:
        return ask_from(port, source, path)[0]
    except OSError:
        return 0


def ask_from(port: int, source: str, path: str, timeout: float = 30, sent=None) -> tuple[int, float]:
    """GET `path` from loopback address `source`: status and seconds; `sent` (an Event) is set once the request is
    on its way."""
    import http.client
    import time

    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        if sent is not None:
            sent.set()
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


def test_while_one_client_runs_runaways_another_is_served(tmp_path):
    import threading
    from urllib.parse import urlencode

    from helpers import serve, stop_service, wait_until

    limit = 5.0  # B's requests are sent while the runaway runs, up to ten of them
    service = serve(tmp_path, KG_QUERY_TIMEOUT=str(limit), KG_CLIENT_BUDGET=str(limit / 2))
    runaway = "/sparql?" + urlencode({"query": RUNAWAY})
    cheap = "/sparql?" + urlencode({"query": f"ASK {{ <{ART}> ?p ?o }}"})
    canned = "/api/queries/state-instruments?state=id/state/kz"
    answers: dict[str, int] = {}
    try:
        sent = threading.Event()

        def send() -> None:
            answers["runaway"] = ask_from(service.port, A, runaway, sent=sent)[0]

        sender = threading.Thread(target=send)
        sender.start()
        # probes start once the runaway's request is sent: a worker serves what has arrived before it takes in more
        # connections, so no probe waits behind the runaway in the worker that runs it
        assert sent.wait(10)
        # the runaway holds A's one slot once A's next query is refused at once (429), not served
        wait_until(lambda: probe(service.port, A, cheap) == 429, 10, "the runaway is admitted")
        served = []  # (status, seconds, whether the runaway still ran when the answer came)
        for path in (cheap, canned) * 5:  # as many as fit in the runaway's time on a busy machine
            if not sender.is_alive():
                break
            served.append((*ask_from(service.port, B, path), sender.is_alive()))
        assert len(served) >= 2 and served[0][2] and served[1][2], served  # a query and a canned query, meanwhile
        assert {status for status, _, _ in served} == {200}
        assert max(seconds for _, seconds, _ in served) < limit / 2
        sender.join(limit + 20)
        assert answers["runaway"] == 503  # the watchdog ended its worker
        # the master released the dead worker's slot and charged A the full limit (over its 1 s budget)
        wait_until(lambda: ask_from(service.port, A, cheap)[0] == 429 and ask_from(service.port, B, cheap)[0] == 200,
                   10, "A is over its budget while B is served")
        # the master logs the release when it reaps the worker, which may come a moment after the charge is visible
        wait_until(lambda: "released, charged to their clients" in service.text(), 10, "the release is logged")
    finally:
        stop_service(service)


def test_admission_off_sets_no_limits(make_client):
    """KG_ADMISSION=off (for the bench only): a client may run more costly requests than the cap allows."""
    client = make_client(admission="off", client_concurrency=1, client_budget=0.001)
    for _ in range(5):
        assert client.get("/sparql?query=ASK%20%7B%7D", environ_base={"REMOTE_ADDR": "127.0.0.9"}).status_code == 200
