"""`/validate`: check RDF before it lands, over HTTP. POST a body (Turtle, N-Triples, JSON-LD or RDF/XML) and get the
report `kg validate` gives (JSON by default, the SHACL validation report in Turtle by Accept). `?mode=change` checks
it as an addition to the served graph (the results it would introduce), `?mode=alone` by itself with the ontology.
Nothing is written and no token is needed; the body-size and time limits hold, and admission control counts it as a
costly request (`kg.web.admission.COSTLY_PATHS`). GET serves a page to paste Turtle into.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, request

from kg.core.bounded import Overran, in_child
from kg.core.errors import KgError, QueryTimeout, UnsupportedMediaType, UsageError
from kg.rdf.formats import BODY_FORMATS
from kg.store.embedded import EmbeddedStore
from kg.validation.body import MODES, prepare, validate_body
from kg.validation.report import as_json, as_turtle
from kg.web import bodies
from kg.web.context import settings, store
from kg.web.negotiation import choose

WEB = Path(__file__).resolve().parents[1]
blueprint = Blueprint("validation", __name__, template_folder=str(WEB / "templates"))
REPORT_TYPES = ["application/json", "text/turtle"]


class ModeNotImplemented(KgError):
    """This mode cannot run against this kind of store."""

    http_status = 501


@blueprint.get("/validate")
def page() -> Response:
    return Response(render_template("linked-data/validate.html", root=request.script_root), mimetype="text/html")


@blueprint.post("/validate")
def validate() -> Response:
    mode = request.args.get("mode", "change")
    if mode not in MODES:
        raise UsageError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if request.mimetype not in BODY_FORMATS:
        raise UnsupportedMediaType(f"cannot read a body of type {request.mimetype or '(none)'!r}: send Turtle, "
                                   "N-Triples, JSON-LD or RDF/XML with a matching Content-Type")
    media = choose(request.headers.get("Accept"), REPORT_TYPES, {"json": "application/json", "turtle": "text/turtle"},
                   request.args.get("format"))
    served = store()
    if mode == "change" and not isinstance(served, EmbeddedStore):
        raise ModeNotImplemented("mode=change needs the graph in this process (an embedded store): against a remote "
                                 "store the whole graph cannot be copied per request; use mode=alone")
    data, config, media_type = bodies.raw(request), settings(), request.mimetype
    prepare(config)  # once per process, before the fork
    try:
        text = in_child(lambda: _render(validate_body(config, served, data, media_type, mode), media),
                        config.query_timeout)
    except Overran:
        raise QueryTimeout(f"validating the body ran past the {config.query_timeout:g} s limit (KG_QUERY_TIMEOUT): "
                           "send it in smaller parts") from None
    return Response(text, content_type=f"{media}; charset=utf-8")


def _render(outcome, media: str) -> str:
    return as_turtle(outcome) if media == "text/turtle" else as_json(outcome)
