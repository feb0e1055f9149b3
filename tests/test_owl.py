"""The OWL checks: the OWL API's OWL 2 DL profile and HermiT consistency, on the ontology and broken fixtures."""

from pathlib import Path

import pytest

from kg.validation import owl
from kg.core.project import ontology_files
from kg.rdf.graphs import read_turtle_files

FIXTURES = Path(__file__).parent / "fixtures" / "owl"


@pytest.fixture(scope="module")
def with_ontology(settings):
    if owl.owlapi_missing():
        pytest.skip(owl.owlapi_missing())
    paths = [f.path for f in ontology_files(settings)]
    return lambda *extra: read_turtle_files(paths + [FIXTURES / name for name in extra])


def test_java_and_the_owl_api_are_present_in_ci(java_required):
    if java_required:
        assert owl.java_missing() is None and owl.owlapi_missing() is None


def test_ontology_alone_is_owl2_dl_and_consistent(with_ontology):
    graph = with_ontology()
    assert owl.dl_profile_findings(graph) == []
    assert owl.hermit_findings(graph) == []


def test_date_literals_are_info_other_foreign_datatypes_violations(with_ontology):
    findings = owl.dl_profile_findings(with_ontology("literal-datatypes.ttl"))
    assert [(f.severity, f.value) for f in findings if f.severity == "Info"] == [("Info", owl.XSD + "date")]
    violations = [f for f in findings if f.severity == "Violation"]
    assert violations and all("gMonth" in f.message for f in violations)


@pytest.mark.parametrize("fixture, words", [
    ("undeclared-property.ttl", "(use of undeclared annotation property): kg:neighbourOf"),
    ("punned-property.ttl", "(illegal punning): kg:criminalises"),
])
def test_profile_violations_are_reported(with_ontology, fixture, words):
    """Readable: the kind, the term, the resource, what to fix; not the OWL API's functional-syntax dump."""
    findings = owl.dl_profile_findings(with_ontology(fixture))
    assert findings and all(f.severity == "Violation" and f.sourceConstraintComponent == owl.DL_PROFILE for f in findings)
    assert any(words in f.message for f in findings), [f.message for f in findings]
    assert not any("Assertion(" in f.message or "Declaration(" in f.message for f in findings)


def test_inconsistency_is_a_violation(with_ontology):
    findings = owl.hermit_findings(with_ontology("disjoint-chapter-article.ttl"))
    assert [f.sourceConstraintComponent for f in findings] == [owl.CONSISTENCY]
    assert "inconsistent" in findings[0].message


def test_unsatisfiable_class_is_a_violation(with_ontology):
    findings = owl.hermit_findings(with_ontology("unsatisfiable-class.ttl"))
    assert [(f.sourceConstraintComponent, f.focusNode) for f in findings] == [
        (owl.SATISFIABILITY, "https://w3id.org/infosec-law-kg/ontology#ChapterArticle")]
