"""The reference the service is measured against: a bare Flask app answering `/sparql` from pyoxigraph.

No protocol checks, no negotiation, no limits: GET `query=`, evaluated over the union of the named graphs (as the
service's default graph), written by pyoxigraph's own serialisers. It loads the same files the same way
(`EmbeddedStore.from_files(project_files(...))`) in the master before the fork, and runs under the same WSGI server
as the read-only service: gunicorn with the same settings (`kg.serving.gunicorn.server_options`) and number of sync workers.
Run: `python bench/reference.py --root DIR --port P --workers W`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pyoxigraph
from flask import Flask, Response, request

from kg.core.config import Settings
from kg.core.project import project_files
from kg.serving.gunicorn import MODES, run_gunicorn, server_options
from kg.store.embedded import EmbeddedStore

WRITERS = {  # result kind -> (format, media type)
    pyoxigraph.QuerySolutions: (pyoxigraph.QueryResultsFormat.JSON, "application/sparql-results+json"),
    pyoxigraph.QueryBoolean: (pyoxigraph.QueryResultsFormat.JSON, "application/sparql-results+json"),
    pyoxigraph.QueryTriples: (pyoxigraph.RdfFormat.N_TRIPLES, "application/n-triples"),
}


def create_app(store: pyoxigraph.Store) -> Flask:
    app = Flask("reference")

    @app.get("/sparql")
    def sparql() -> Response:
        result = store.query(request.args["query"], use_default_graph_as_union=True)
        result_format, media = WRITERS[type(result)]
        return Response(result.serialize(format=result_format), content_type=media)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=Settings().workers)
    args = parser.parse_args()
    settings = Settings(root=args.root, host="127.0.0.1", port=args.port, workers=args.workers)
    app = create_app(EmbeddedStore.from_files(project_files(settings)).engine)  # before the fork, as the service
    run_gunicorn(lambda: app, {**server_options(settings, MODES["read-only, in memory"]), "proc_name": "reference"})


if __name__ == "__main__":
    main()
