"""Validate chosen focus nodes (https://www.w3.org/TR/shacl/#focusNodes) with the whole store as context.

A write is checked on the nodes it touched, not on the whole graph: pySHACL takes seconds to tens of seconds for
the whole graph, a few hundred milliseconds for a handful of nodes. pySHACL's own `focus_nodes` option (0.40) is
not used because it also filters the value nodes of nested shapes: `sh:not [ sh:class kg:Article ]` then reports
every article as part of another article, and `sh:qualifiedValueShape [ sh:languageIn ("kk") ]` never sees a label.
Here each shape is asked which touched nodes it targets (§2.1.3, evaluated per node, so the cost follows the write
and not the graph), and pySHACL validates those with nested shapes unfiltered. The data graph is the Oxigraph store
itself, so SHACL-SPARQL constraints run in Oxigraph.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

import rdflib
from pyshacl import Validator
from pyshacl.monkey import apply_patches
from pyshacl.validator import assign_baked_in
from pyshacl.functions import apply_functions, gather_functions, unapply_functions
from pyshacl.graph_abstraction import OxigraphDataGraph
from pyshacl.target import apply_target_types, gather_target_types
from rdflib.namespace import RDF, RDFS, SH, XSD

from kg.rdf.terms import BlankNode, NamedNode, Quad, is_node
from kg.store.embedded import EmbeddedStore
from kg.validation.findings import Finding
from kg.validation.shacl import findings_of, shapes_graph

RDF_TYPE = NamedNode(str(RDF.type))
OWNER_DEPTH = 8  # blank nodes are checked through the IRIs that hold them, up to this many links away
TARGET_BATCH = 500  # focus nodes per SPARQL-target query

OPTIONS = {"inference": "none", "advanced": True, "allow_warnings": True, "inplace": True}
SPARQL_TARGET = SH.SPARQLTarget
# pySHACL adds its system triples to the shapes graph it is given and applies target types to shared objects:
# one validation at a time (writes are rare and already serialised per store).
_one_at_a_time = threading.Lock()

# Oxigraph stores every integer-derived literal as xsd:integer ("1"^^xsd:positiveInteger reads back as "1"^^xsd:integer;
# Fuseki, Stardog and others do the same: w3c/data-shapes#142). A value in the range of the type a sh:datatype asks for
# is what the client sent, so it is not held against the write.
INTEGER_RANGES = {
    XSD.positiveInteger: (1, None), XSD.nonNegativeInteger: (0, None), XSD.negativeInteger: (None, -1),
    XSD.nonPositiveInteger: (None, 0), XSD.long: (-2**63, 2**63 - 1), XSD.int: (-2**31, 2**31 - 1),
    XSD.short: (-2**15, 2**15 - 1), XSD.byte: (-2**7, 2**7 - 1), XSD.unsignedLong: (0, 2**64 - 1),
    XSD.unsignedInt: (0, 2**32 - 1), XSD.unsignedShort: (0, 2**16 - 1), XSD.unsignedByte: (0, 2**8 - 1),
}


class _StoreGraph(OxigraphDataGraph):
    """pySHACL's view of an Oxigraph store, always truthy: pySHACL writes `datagraph or shapes` for every result,
    which would otherwise COUNT the whole store each time."""

    def __bool__(self) -> bool:
        return True


def touched_nodes(changed: set[Quad], data: EmbeddedStore) -> set[rdflib.term.Node]:
    """The nodes whose shapes a change can break: subjects and node objects of the changed quads, the nodes that
    link to a node whose type changed (their sh:class constraints), and the IRIs holding a changed blank node."""
    nodes = {q.subject for q in changed} | {q.object for q in changed if is_node(q.object)}
    retyped = {q.subject for q in changed if q.predicate == RDF_TYPE}
    nodes |= {q.subject for node in retyped for q in data.pattern(None, None, node) if q.predicate != RDF_TYPE}
    nodes |= _owners({n for n in nodes if isinstance(n, BlankNode)}, data)
    return {_rdflib(node) for node in nodes if is_node(node)}


def _owners(blank_nodes: set, data: EmbeddedStore) -> set:
    """Every subject from which a path of links leads to one of the blank nodes (up to OWNER_DEPTH links)."""
    found, frontier = set(), set(blank_nodes)
    for _ in range(OWNER_DEPTH):
        frontier = {q.subject for node in frontier for q in data.pattern(None, None, node)} - found
        found |= frontier
        frontier = {n for n in frontier if isinstance(n, BlankNode)}
        if not frontier:
            break
    return found


def _rdflib(node) -> rdflib.term.Node:
    return rdflib.URIRef(node.value) if isinstance(node, NamedNode) else rdflib.BNode(node.value)


def validate_focus(store: EmbeddedStore, shapes: rdflib.Graph, focus: Iterable[rdflib.term.Node]) -> list[Finding]:
    """The SHACL results of the shapes on the given focus nodes; the default graph is the union of all graphs."""
    with _one_at_a_time:
        return _validate(store, shapes, list(dict.fromkeys(focus)))


def _validate(store: EmbeddedStore, shapes: rdflib.Graph, focus: list) -> list[Finding]:
    data = _StoreGraph(store.engine)  # pySHACL's adapter reads Oxigraph itself: SHACL-SPARQL runs in the engine
    data.default_union = True
    validator = Validator(data, shacl_graph=shapes, options=dict(OPTIONS))
    validator.shacl_graph = shapes_graph(shapes)
    sgraph, executor = validator.shacl_graph, validator.make_executor()
    apply_target_types(gather_target_types(sgraph))
    functions = gather_functions(executor, sgraph)
    apply_functions(executor, functions, data)
    conforms, results = True, []
    try:
        for shape in sgraph.shapes:
            shape.set_advanced(True)
        classes_of: dict = {}
        for shape in sgraph.shapes:
            targeted = _targeted(shape, focus, data, classes_of)
            if targeted:
                shape_conforms, shape_results = shape.validate(executor, data, focus=targeted)
                conforms = conforms and shape_conforms
                results.extend(shape_results)
    finally:
        unapply_functions(functions, data)
    report, _text = validator.create_validation_report(sgraph, conforms, results)
    _drop_store_artefacts(report, shapes)
    return findings_of(report)


def _targeted(shape, focus: list, data, classes_of: dict) -> list:
    """The focus nodes among `focus` that the shape's targets select (SHACL §2.1.3 and SHACL-AF SPARQL targets).

    Work is shared across shapes and nodes: a node's classes are found once per validation (`classes_of`), and an
    advanced target is evaluated once for all the focus nodes, not once per node."""
    nodes, classes, implicit, objects_of, subjects_of = (set(declared) for declared in shape.target())  # generators
    classes |= implicit
    selected = set().union(*(_select(target, focus, data) for target in shape.advanced_target().values()))
    return [node for node in focus if (
        node in nodes
        or node in selected
        or (classes and classes & _classes(node, data, classes_of))
        or any(next(iter(data.objects(node, p)), None) is not None for p in subjects_of)
        or any(next(iter(data.subjects(p, node)), None) is not None for p in objects_of)
    )]


def _classes(node, data, known: dict) -> set:
    """The node's types and all their superclasses (rdfs:subClassOf*), as SHACL's class targets follow them."""
    if node not in known:
        found: set = set()
        for type_ in data.objects(node, RDF.type):
            found.update(data.transitive_objects(type_, RDFS.subClassOf))
        known[node] = found
    return known[node]


def _select(target: dict, focus: list, data) -> set:
    """The focus nodes one advanced target selects. A SPARQL target runs in the store once per batch of IRIs, with
    them as a VALUES block on `$this` (blank nodes cannot be written there: they are asked one by one)."""
    if target["type"] != SPARQL_TARGET:
        return {row["this"] for row in target["qt"].find_targets(data)} & set(focus)
    helper = target["qh"]
    text = helper.apply_prefixes(helper.select_text)
    iris = [node for node in focus if isinstance(node, rdflib.URIRef)]
    found = {node for node in focus if not isinstance(node, rdflib.URIRef)
             and list(data.query(text, initBindings={"this": node}))}
    for start in range(0, len(iris), TARGET_BATCH):
        values = " ".join(node.n3() for node in iris[start:start + TARGET_BATCH])
        found |= {row[0] for row in data.query(_bound(text, f"VALUES $this {{ {values} }}"))}
    return found & set(focus)


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _bound(text: str, values: str) -> str:
    """The target query with the focus nodes joined first, inside its WHERE group, so the engine starts from them
    instead of evaluating the target over the whole graph and filtering at the end (a join commutes: same rows)."""
    where = _WHERE.search(text)
    if where is None:
        return f"{text}\n{values}"
    return f"{text[:where.end()]} {values} {text[where.end():]}"


def _drop_store_artefacts(report: rdflib.Graph, shapes: rdflib.Graph, written: set | None = None) -> None:
    """Forget sh:datatype results that only the store's integer normalisation caused (see INTEGER_RANGES). With
    `written` (the files' own (focus, path, lexical form, datatype) of integer-derived literals), only those whose
    literal the file wrote with the wanted datatype: a file's own `"3"^^xsd:integer` stays a result."""
    for result in list(report.subjects(SH.sourceConstraintComponent, SH.DatatypeConstraintComponent)):
        value = report.value(result, SH.value)
        wanted = shapes.value(report.value(result, SH.sourceShape), SH.datatype)
        stated = (str(report.value(result, SH.focusNode)), str(report.value(result, SH.resultPath)), str(value),
                  str(wanted))
        if _normalised(value, wanted) and (written is None or stated in written):
            report.remove((result, RDF.type, SH.ValidationResult))
            report.remove((None, SH.result, result))


def _normalised(value, wanted) -> bool:
    if not isinstance(value, rdflib.Literal) or value.datatype != XSD.integer or wanted not in INTEGER_RANGES:
        return False
    try:
        number = int(str(value))
    except ValueError:
        return False
    low, high = INTEGER_RANGES[wanted]
    return (low is None or number >= low) and (high is None or number <= high)


def validate_store(store: EmbeddedStore, shapes: rdflib.Graph, written: set | None = None
                   ) -> tuple[list[Finding], rdflib.Graph]:
    """The whole store (the union of its graphs) against the shapes, by pySHACL reading Oxigraph: SHACL-SPARQL runs
    in the engine, several times faster than over an rdflib graph."""
    with _one_at_a_time:
        data = _StoreGraph(store.engine)
        data.default_union = True
        apply_patches()
        assign_baked_in()
        validator = Validator(data, shacl_graph=shapes, options=dict(OPTIONS))
        validator.shacl_graph = shapes_graph(shapes)
        _conforms, report, _text = validator.run()
        _drop_store_artefacts(report, shapes, written)
        return findings_of(report), report
