"""Admission control: a few clients' costly requests cannot starve everyone else (the model of public endpoints such
as the Wikidata Query Service: a concurrency cap and a budget of query time per client, 429 with `Retry-After`).

Costly requests are those whose cost the client chooses: ad-hoc SPARQL (`/sparql` queries and updates), Graph Store
writes and validation over HTTP. Everything else is cheap and never counted or refused here: linked-data pages,
canned queries (`/api/queries/...`, bounded by their authors), static assets, the Service Description, graph reads.
Per client, costly requests are capped in number (`KG_CLIENT_CONCURRENCY`, and always fewer than the worker
processes or executors that run queries, so one client's runaways leave the others a way in) and in seconds per window
(`KG_CLIENT_BUDGET` per `KG_BUDGET_WINDOW`): past either, 429 with `Retry-After`. A client at its cap whose running
requests are all younger than a quarter of a second waits for them that long instead (a burst of quick queries is queued, not
refused); one with an older request running is refused at once. All clients together cannot hold more than there is
(503 with `Retry-After`). Wrong tokens are counted per client too: past `KG_AUTH_FAILURES` per window, a request
carrying a token gets 429 before the token is compared (the right token too: no oracle).

A client is the peer's address, or, when the peer is one of `KG_TRUSTED_PROXIES`, the right-most address of
`X-Forwarded-For` that is not a trusted proxy (what the last trusted proxy saw). The check runs first thing in each
request, before the body is read or the store sees anything; the accounting (`kg.web.ledger`) is shared by every
worker process and survives a worker ended by the watchdog.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from flask import Flask, Request, Response, current_app, g, request

from kg.core.config import Settings
from kg.core.errors import UsageError
from kg.web.ledger import Ledger, Limits

COSTLY_PATHS = frozenset({"/validate"})  # costly whatever the method (validation over HTTP)
PATIENCE = 0.25  # seconds a client at its cap waits for its own quick request to end before a 429
WRITE_METHODS = frozenset({"PUT", "POST", "DELETE", "PATCH"})
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def costly(method: str, path: str, args) -> bool:
    """Is this request one whose cost the client chooses? Decided from the request line alone."""
    if path == "/sparql":  # a query or update; a bare GET is the Service Description
        return method == "POST" or (method == "GET" and ("query" in args or "update" in args))
    if path == "/data":
        return method in WRITE_METHODS
    return path in COSTLY_PATHS


def capacity(settings: Settings) -> int:
    """What runs queries: worker processes (read-only), executors (read-write), threads (remote); costly requests
    of all clients together may hold all of it (some other client's query may be quick), one client never."""
    if settings.endpoint:
        return max(1, settings.workers * settings.threads)
    if settings.writable:
        return max(1, min(settings.executors, settings.threads) if settings.query_timeout > 0 else settings.threads)
    return max(1, settings.workers)


def per_client(settings: Settings) -> int:
    """Costly requests one client may run at once: KG_CLIENT_CONCURRENCY, and never all of the capacity."""
    slots = capacity(settings)
    wanted = settings.client_concurrency if settings.client_concurrency > 0 else slots
    return max(1, min(wanted, slots - 1))


def ledger_for(settings: Settings) -> Ledger:
    """A new ledger for these settings (in gunicorn's master before the fork, or process-local)."""
    if settings.budget_window <= 0:
        raise UsageError(f"setting budget_window: {settings.budget_window:g} must be more than 0 seconds")
    return Ledger(Limits(concurrency=per_client(settings), budget=settings.client_budget,
                         window=settings.budget_window, auth_failures=settings.auth_failures,
                         capacity=capacity(settings), charge=settings.query_timeout))


def proxies(entries: Iterable[str]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise UsageError(f"setting trusted_proxies: {error}") from None


def client_address(current: Request, trusted: tuple[Network, ...]) -> str:
    """Who sent the request: the peer, or behind trusted proxies the address the last of them saw."""
    address = current.remote_addr or ""
    if not trusted or not _within(address, trusted):
        return address
    hops = [hop.strip() for value in current.headers.getlist("X-Forwarded-For") for hop in value.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _within(hop, trusted):
            return hop
        address = hop
    return address


def _within(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


# ------------------------------------------------------------------ the app's hooks

def install(app: Flask, settings: Settings, ledger: Ledger | None) -> Ledger:
    """Enforce admission control in `app` with `ledger` (shared by the processes), or a process-local one."""
    ledger = ledger if ledger is not None else ledger_for(settings)
    if settings.admission.lower() == "off":  # for measuring the engine and the front alone (bench/), never public
        return ledger
    app.extensions["kg.admission"] = (ledger, proxies(settings.trusted_proxies))
    app.before_request(_admit)
    app.after_request(_count_wrong_tokens)
    app.teardown_request(_release)
    return ledger


def _admit() -> None:
    ledger, trusted = current_app.extensions["kg.admission"]
    current = request._get_current_object()
    if "Authorization" in current.headers:
        g.kg_client = client_address(current, trusted)
        ledger.check_token_attempts(g.kg_client)
    if costly(current.method, current.path, current.args):
        client = g.get("kg_client") or client_address(current, trusted)
        g.kg_admitted = ledger.admit(client, PATIENCE)


def _count_wrong_tokens(response: Response) -> Response:
    if response.status_code == 401:
        ledger, trusted = current_app.extensions["kg.admission"]
        ledger.token_failed(g.get("kg_client") or client_address(request, trusted))
    return response


def _release(error: BaseException | None) -> None:
    ticket = g.pop("kg_admitted", None)
    if ticket is not None:
        current_app.extensions["kg.admission"][0].release(ticket)
