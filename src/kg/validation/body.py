"""Validate RDF sent over HTTP (`POST /validate`): by itself with the ontology (`alone`), or as an addition to the
served graph (`change`: the results it would introduce, fix or leave, on the nodes it touches, as `kg validate
--changed`). Nothing is written: the checks run on in-memory copies."""

from __future__ import annotations

from kg.core.config import Settings
from kg.core.errors import UsageError
from kg.core.project import ontology_files, shapes_files
from kg.rdf.formats import engine_format
from kg.rdf.graphs import graph_of
from kg.rdf.parsing import parse_bytes
from kg.rdf.terms import BlankNode, NamedNode, Quad
from kg.store.base import Store
from kg.store.embedded import EmbeddedStore
from kg.validation import terms
from kg.validation.findings import Step
from kg.validation.focus import touched_nodes, validate_focus, validate_store
from kg.validation.locate import Locator
from kg.validation.shacl import shapes_graph
from kg.validation.run import Outcome, _stamped, _unchanged_files_graph

MODES = ("alone", "change")
BODY = "request body"
BODY_GRAPH = "urn:kg:validate:request-body"
OWL_SKIPPED = "over HTTP: terms and SHACL; the OWL steps run in `kg validate`"


def prepare(settings: Settings) -> None:
    """Read the shapes and let pySHACL read them, here: a request validated in a forked child then inherits both
    instead of redoing them every time."""
    shapes_graph(_unchanged_files_graph(tuple(_stamped(shapes_files(settings))))).shapes  # noqa: B018


def validate_body(settings: Settings, served: Store | None, data: bytes, media_type: str, mode: str) -> Outcome:
    """The report for the body; `served` is the store to add it to in `change` mode (an embedded one)."""
    if mode not in MODES:
        raise UsageError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    parsed = parse_bytes(data, engine_format(media_type), BODY, base_iri=settings.base)
    body = [Quad(q.subject, q.predicate, q.object, NamedNode(BODY_GRAPH)) for q in parsed.quads]
    shapes = _unchanged_files_graph(tuple(_stamped(shapes_files(settings))))
    text = data.decode("utf-8", "replace") if media_type in ("text/turtle", "application/n-triples") else ""
    locator = Locator([(BODY, lambda: text)] if text else [], settings.base)
    if mode == "alone":
        store = EmbeddedStore.from_files(ontology_files(settings))
        store.add_quads(body)
        term_findings = _terms(store, body)
        shacl_findings, report = validate_store(store, shapes)
        steps = (Step("Declared terms", tuple(locator.place_all(term_findings))),
                 Step("SHACL", tuple(locator.place_all(shacl_findings))), Step("OWL", skipped=OWL_SKIPPED))
        return Outcome(steps, report, prefixes=tuple(locator.names().items()), base=settings.base)
    before = EmbeddedStore.from_quads(served.quads(), served.named_graphs())
    after = EmbeddedStore.from_quads(served.quads(), served.named_graphs())
    after.add_quads(body)
    added = set(body) - set(before.quads())
    focus = touched_nodes({Quad(q.subject, q.predicate, q.object) for q in added}, after) if added else set()
    old = {f.key(): f for f in validate_focus(before, shapes, focus)} if focus else {}
    new = {f.key(): f for f in validate_focus(after, shapes, focus)} if focus else {}
    term_findings = _terms(after, body)
    introduced = [f for k, f in new.items() if k not in old]
    steps = (Step("Declared terms", tuple(locator.place_all(term_findings))),
             Step("SHACL (touched resources)", tuple(locator.place_all(introduced))), Step("OWL", skipped=OWL_SKIPPED))
    return Outcome(steps, graph_of([]), fixed=tuple(f for k, f in old.items() if k not in new),
                   still=tuple(f for k, f in new.items() if k in old), against="the served graph",
                   prefixes=tuple(locator.names().items()), base=settings.base)


def _terms(store: EmbeddedStore, body: list[Quad]) -> list:
    def plain(term) -> str:
        return term.value if isinstance(term, NamedNode) else f"_:{term.value}" if isinstance(term, BlankNode) else '"'
    typing = [(plain(q.subject), q.predicate.value, plain(q.object))
              for q in store.pattern(None, NamedNode(terms.RDF_TYPE), None)]
    checked = [(plain(q.subject), q.predicate.value, plain(q.object)) for q in body]
    return terms.findings(checked, terms.vocabulary_terms() | terms.declared(typing))

