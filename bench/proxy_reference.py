"""The reference for the remote mode: a bare Flask app that passes `/sparql` requests on to a SPARQL server.

The floor of any Python front on that engine: GET `query=` forwarded as it came (with the client's `Accept`) over a
kept connection per thread, the engine's answer handed back byte for byte. No checks, no limits, no parsing, no
negotiation. It runs under the same WSGI server as `kg serve --endpoint`: gunicorn with the remote mode's settings
(`kg.serving.gunicorn.server_options`, gthread workers × threads). bench/remote.py measures the service against it
and against the engine queried directly: what a front costs at all, and what the service adds to that.
Run: `python bench/proxy_reference.py --endpoint URL --port P`.
"""

from __future__ import annotations

import argparse
import http.client
import threading
from urllib.parse import urlsplit

from flask import Flask, Response, request

from kg.core.config import Settings
from kg.serving.gunicorn import MODES, run_gunicorn, server_options


def create_app(endpoint: str) -> Flask:
    app, target, kept = Flask("proxy-reference"), urlsplit(endpoint), threading.local()

    def connection() -> http.client.HTTPConnection:
        if getattr(kept, "connection", None) is None:
            kept.connection = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=300)
        return kept.connection

    @app.get("/sparql")
    def sparql() -> Response:
        path = f"{target.path}?{request.query_string.decode('ascii')}"
        headers = {"Accept": request.headers.get("Accept", "*/*")}
        try:
            connection().request("GET", path, headers=headers)
            answer = connection().getresponse()
        except (http.client.HTTPException, OSError):  # the server closed the kept connection: once more
            kept.connection.close()
            kept.connection = None
            connection().request("GET", path, headers=headers)
            answer = connection().getresponse()
        return Response(answer.read(), status=answer.status, content_type=answer.getheader("Content-Type"))

    def close() -> None:  # this thread's kept connection (a test's; gunicorn's workers just exit)
        if getattr(kept, "connection", None) is not None:
            kept.connection.close()

    app.extensions["close"] = close
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings(host="127.0.0.1", port=args.port, endpoint=args.endpoint)
    app = create_app(args.endpoint)
    run_gunicorn(lambda: app, {**server_options(settings, MODES["remote"]), "proc_name": "proxy-reference"})


if __name__ == "__main__":
    main()
