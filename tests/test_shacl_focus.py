"""kg.validation.focus: validating chosen focus nodes gives exactly what whole-graph validation gives for those nodes."""

from __future__ import annotations

import pyoxigraph
import pyshacl
import pytest
import rdflib

from kg.core.project import graph_files, ontology_files, project_files, shapes_files
from kg.rdf.graphs import read_turtle_files
from kg.validation.shacl import findings_of
from kg.validation.focus import _drop_store_artefacts, validate_focus
from kg.store.embedded import EmbeddedStore

from helpers import BASE

# two topics whose shapes cover Core, nested (sh:or, sh:not, qualified) and SHACL-SPARQL constraints and targets;
# without graph/sources their kg:source links dangle, which gives violations to compare too
TOPICS = ("kz-criminal-code", "statistics")


@pytest.fixture(scope="module")
def shapes(settings) -> rdflib.Graph:
    return read_turtle_files(shapes_files(settings))


@pytest.fixture(scope="module")
def project(settings) -> EmbeddedStore:
    return EmbeddedStore.from_files(project_files(settings))


def key(finding) -> tuple:
    return (finding.severity, finding.focusNode, finding.sourceShape, finding.resultPath, finding.value, finding.message)


def test_focus_results_equal_whole_graph_results(settings, shapes):
    topics = [f for f in graph_files(settings) if f.path.stem in TOPICS]
    store = EmbeddedStore.from_files(ontology_files(settings) + topics)
    subjects = sorted({q.subject.value for f in topics
                       for q in store.engine.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(f.graph))
                       if isinstance(q.subject, pyoxigraph.NamedNode)})
    focus = {rdflib.URIRef(s) for s in subjects[::2]}  # every other node: the ones left out must not be reported
    _conforms, report, _text = pyshacl.validate(store.engine, shacl_graph=shapes, inference="none", advanced=True,
                                                allow_warnings=True, inplace=True)
    _drop_store_artefacts(report, shapes)
    whole = {key(f) for f in findings_of(report) if rdflib.URIRef(f.focusNode) in focus}
    assert len(whole) > 20  # the comparison has something to compare
    assert {key(f) for f in validate_focus(store, shapes, focus)} == whole


def test_regression_pyshacl_focus_nodes_filter_nested_shapes(project, shapes):
    """pySHACL's own focus_nodes option also filters the value nodes of nested shapes: `sh:not [sh:class kg:Article]`
    reported every article as part of another article. The targeted validation must not."""
    findings = validate_focus(project, shapes, [rdflib.URIRef(f"{BASE}eli/kz/code/2014/226-V/art_205")])
    assert not [f for f in findings if f.severity == "Violation"], findings


def test_regression_target_declarations_are_read_once(settings, shapes):
    """pySHACL hands target declarations out as generators: read once, they matched only the first focus node."""
    store = EmbeddedStore.from_files(project_files(settings))
    claims = [f"{BASE}id/claim/m{n}" for n in (5, 17, 18)]
    store.update("INSERT DATA { GRAPH <urn:test> { " + " ".join(
        f'<{c}> <http://www.w3.org/2000/01/rdf-schema#label> "again"@en-t-kk .' for c in claims) + " } }")
    findings = validate_focus(store, shapes, [rdflib.URIRef(c) for c in claims])
    assert {f.focusNode for f in findings if f.sourceShape == f"{BASE}shapes#LabelUniqueLang"} == set(claims)


def test_an_integer_the_store_normalised_is_not_a_violation(project, shapes):
    """Oxigraph reads "1"^^xsd:positiveInteger back as "1"^^xsd:integer; that alone is no violation."""
    contribution = pyoxigraph.NamedNode(f"{BASE}id/contribution/aueshova-bt")
    position = pyoxigraph.NamedNode(f"{BASE}ontology#authorPosition")
    stored = next(project.engine.quads_for_pattern(contribution, position, None))
    assert stored.object.datatype.value.endswith("#integer")  # the store's doing: the file says positiveInteger
    findings = validate_focus(project, shapes, [rdflib.URIRef(contribution.value)])
    assert not [f for f in findings if f.severity == "Violation"], findings
