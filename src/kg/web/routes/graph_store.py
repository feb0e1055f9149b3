"""`/data`: the SPARQL 1.1 Graph Store HTTP Protocol, indirect graph identification
(https://www.w3.org/TR/sparql11-http-rdf-update/).

GET and HEAD (§5.2, §5.3) are open to everyone, in every RDF syntax by content negotiation; PUT, POST and DELETE
(§5.4-§5.6) need the write token and go through kg.services.writes, which validates them against the shapes and commits
atomically. `?default` is the store's own default graph: in the shipped data every file has its own named graph,
so it is empty, while queries see the union of all graphs. GET without a parameter returns the whole dataset.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from kg.core.errors import NotFound, ProtocolError, UnsupportedMediaType
from kg.rdf import results
from kg.rdf.formats import ALIASES, BODY_FORMATS, DATASET_TYPES, RDF_TYPES
from kg.rdf.parsing import parse_bytes
from kg.rdf.terms import DefaultGraph, Triple, iri
from kg.services import writes
from kg.web import bodies
from kg.web.auth import require_write_token
from kg.web.context import settings, store
from kg.web.negotiation import choose
from kg.web.responses import READ_CORS, no_content

blueprint = Blueprint("graph_store", __name__)

SPEC = "https://www.w3.org/TR/sparql11-http-rdf-update/"
GRAPH_TYPES = RDF_TYPES + DATASET_TYPES  # Turtle first: the default
WRITES = {"PUT": writes.replace_graph, "POST": writes.add_to_graph}
WHOLE_DATASET = object()  # GET /data with no graph parameter


@blueprint.get("/data")
def read() -> Response:
    """§5.2 GET (and HEAD): one graph, or with no parameter the whole dataset as N-Quads or TriG."""
    target = _target(whole_allowed=True)
    fmt = request.args.get("format")
    if target is WHOLE_DATASET:
        media = choose(request.headers.get("Accept"), DATASET_TYPES, ALIASES, fmt)
        return _rdf(results.serialize_quads(store().quads(), media), media)
    triples = store().graph_triples(target)
    if triples is None:
        raise NotFound(f"there is no graph <{target}> in the store")
    media = choose(request.headers.get("Accept"), GRAPH_TYPES, ALIASES, fmt)
    return _rdf(results.serialize_triples(triples, media), media)


@blueprint.route("/data", methods=["PUT", "POST"])
def write() -> Response:
    """§5.4 PUT replaces the graph, §5.5 POST merges into it: 201 when the graph is new, 204 otherwise."""
    require_write_token()
    graph = _target()
    outcome = WRITES[request.method](settings(), store(), graph, _body_triples(graph))
    if outcome.created:
        return no_content([("Location", request.url)], status=201)
    return no_content()


@blueprint.delete("/data")
def delete() -> Response:
    """§5.6 DELETE: drop the named graph (404 if there is none), or empty the default graph."""
    require_write_token()
    writes.drop_graph(settings(), store(), _target())
    return no_content()


@blueprint.after_request
def headers(response: Response) -> Response:
    response.vary.add("Accept")
    if request.method in ("GET", "HEAD"):
        response.headers.update(READ_CORS)
    return response


def _target(whole_allowed: bool = False):
    """§4.2 indirect identification: exactly one of `?default` and `?graph=IRI`; None stands for the default graph."""
    graphs = request.args.getlist("graph")
    named_default = "default" in request.args
    if len(graphs) + named_default > 1:
        raise ProtocolError("name exactly one graph: ?default or a single ?graph=IRI "
                            f"({SPEC}#indirect-graph-identification)")
    if named_default:
        return None
    if graphs:
        return iri(graphs[0], "graph", ProtocolError).value
    if whole_allowed:
        return WHOLE_DATASET
    raise ProtocolError(f"name the graph to write: ?default or ?graph=IRI ({SPEC}#indirect-graph-identification)")


def _body_triples(graph: str | None) -> list[Triple]:
    """The request body's triples; relative IRIs resolve against the graph's IRI (or the dataset's base)."""
    rdf_format = BODY_FORMATS.get(request.mimetype)
    if rdf_format is None:
        raise UnsupportedMediaType(f"cannot read a body of type {request.mimetype or '(none)'!r}: send "
                                   f"{', '.join(BODY_FORMATS)} with a matching Content-Type")
    quads = parse_bytes(bodies.raw(request), rdf_format, "request body", base_iri=graph or settings().base).quads
    if any(not isinstance(q.graph_name, DefaultGraph) for q in quads):
        raise ProtocolError("the body holds named graphs: send the triples of one graph")
    return [q.triple for q in quads]


def _rdf(body: bytes, media: str) -> Response:
    return Response(body, content_type=f"{media}; charset=utf-8")
