"""Each shape has a broken fixture that must fail with the expected severity, shape and message; the valid
fixture must conform. Expectations are the fixture's header comments:

    # expect-severity: Violation | Warning | Info | none
    # expect-shape: <shape IRI>
    # expect-message: <substring of the result message>
"""

from pathlib import Path

import pytest

from kg.validation.run import validate

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "shapes").glob("*.ttl"))


def expectations(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect-"):
            key, _, value = line[len("# expect-"):].partition(":")
            found[key.strip()] = value.strip()
    return found


def test_there_is_a_fixture_for_every_node_shape(settings):
    import rdflib
    from rdflib.namespace import RDF, SH

    from kg.core.project import shapes_files
    from kg.rdf.graphs import read_turtle_files

    shapes = read_turtle_files(shapes_files(settings))
    node_shapes = {str(s) for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)}
    tested = {expectations(path).get("shape") for path in FIXTURES}
    assert node_shapes, "no shapes found"
    assert node_shapes <= tested, f"shapes without a negative fixture: {sorted(node_shapes - tested)}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_fails_as_expected(settings, fixture):
    expected = expectations(fixture)
    outcome = validate(settings, data=[fixture], with_owl=False)
    if expected["severity"] == "none":
        assert outcome.findings == [], [f.message for f in outcome.findings]
        return
    matching = [f for f in outcome.findings
                if f.severity == expected["severity"] and f.sourceShape == expected["shape"]
                and expected["message"] in f.message]
    assert matching, f"expected {expected}, got {[(f.severity, f.sourceShape, f.message) for f in outcome.findings]}"
