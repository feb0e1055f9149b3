"""HTTP caching of reads: strong ETags (RFC 9110 §8.8.3), 304 for a matching If-None-Match (§13.1.2) answered before
any route runs, Cache-Control (RFC 9111), and the service's own bounded cache of canned-query and linked-data
responses.

Every tag and cache key starts with the store's version (`kg.store.version`), which every write through the service
advances and which equal data has in every worker, so a write is visible in the very next read, on any worker, and a
cached answer is never served for data that changed. The rest of the tag is the request's own key (path, query
string, Accept, and Accept-Language for the pages whose words follow it), so each representation has its own. In remote mode other clients may write to the
server unseen: the version is then the current `KG_REMOTE_MAX_AGE`-second period, or caching is off (the default).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict

from flask import Flask, Response, g, request

from kg.core.config import Settings
from kg.store.base import Store

CACHED_PREFIXES = ("/api/queries/", "/eli/", "/id/", "/graph/")  # answers kept in the service's cache
READ_PREFIXES = ("/sparql", "/data", "/api/", "/eli/", "/id/", "/graph/", "/ontology", "/shapes", "/void",
                 "/openapi.json", "/context.jsonld")
LANGUAGE_PAGES = ("/eli/", "/id/")  # pages whose words follow Accept-Language (kg.web.routes.resources)


class ResponseCache:
    """Least-recently-used answers, bounded in bytes; shared by the threads of one process."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.hits, self.misses = limit, 0, 0, 0
        self._items: OrderedDict[str, tuple[int, bytes, list]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: str, status: int, body: bytes, headers: list) -> None:
        if len(body) > self.limit // 8:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (status, body, headers)
            self.size += len(body)
            while self.size > self.limit:
                _, (_, dropped, _) = self._items.popitem(last=False)
                self.size -= len(dropped)


def install(app: Flask, settings: Settings, store: Store) -> None:
    """Register the caching hooks (nothing when KG_CACHE=off)."""
    if settings.cache.lower() == "off" or _version(settings, store) is None:
        return
    cache = ResponseCache(settings.cache_bytes)
    app.extensions["kg.cache"] = cache
    control = _cache_control(settings)

    @app.before_request
    def answer_from_cache():
        if request.method not in ("GET", "HEAD") or not request.path.startswith(READ_PREFIXES) and request.path != "/":
            return None
        if request.path == "/sparql" and "update" in request.args:
            return None
        g.kg_cache_key = key = _key(_version(settings, store))
        tag = f'"{key}"'
        if request.if_none_match.contains(key):
            return _not_modified(tag, control)
        if not request.path.startswith(CACHED_PREFIXES):
            return None
        hit = cache.get(key)
        g.kg_cache = "hit" if hit is not None else "miss"
        return None if hit is None else Response(hit[1], status=hit[0], headers=hit[2])

    @app.after_request
    def remember(response: Response) -> Response:
        key = g.get("kg_cache_key")
        if key is None or response.status_code != 200 or response.direct_passthrough:
            return response
        response.headers["ETag"] = f'"{key}"'
        response.headers["Cache-Control"] = control
        if g.get("kg_cache"):
            response.headers["X-KG-Cache"] = g.kg_cache  # hit or miss: what the service's own cache did
        _vary(response)
        if request.method == "GET" and g.get("kg_cache") == "miss":
            cache.put(key, response.status_code, response.get_data(),
                      [(name, value) for name, value in response.headers.items() if name != "X-KG-Cache"])
        return response


def _version(settings: Settings, store: Store) -> str | None:
    if store.version is not None:
        return store.version
    if settings.remote_max_age > 0:
        return f"t{int(time.time() // settings.remote_max_age)}"
    return None


def _vary(response: Response) -> None:
    response.vary.add("Accept")
    if request.path.startswith(LANGUAGE_PAGES):
        response.vary.add("Accept-Language")


def _key(version: str) -> str:
    """The version, then a digest of what selects the representation."""
    pages = request.path.startswith(LANGUAGE_PAGES) or "text/html" in request.headers.get("Accept", "")
    language = request.headers.get("Accept-Language", "") if pages else ""  # kg.web.i18n: the interface's words
    parts = [request.host_url, request.full_path, request.headers.get("Accept", ""), language]  # host: JSON-LD
    # documents and VoID name this server's URLs
    return f"{version}-{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:24]}"


def _cache_control(settings: Settings) -> str:
    if settings.writable or settings.endpoint:
        return "no-cache"  # may be kept, but asked again each time: a 304 costs nothing
    return f"public, max-age={settings.cache_max_age}"


def _not_modified(tag: str, control: str) -> Response:
    response = Response(status=304)
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = control
    _vary(response)
    del response.headers["Content-Type"]
    return response
