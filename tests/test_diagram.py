"""The model diagram is drawn from the ontology, and the committed picture is up to date with it."""

import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF

from kg.services import diagram
from kg.core.errors import UsageError
from kg.core.project import ontology_files
from kg.rdf.graphs import read_turtle_files

DOCS = Path(__file__).parents[1] / "docs"


@pytest.fixture(scope="module")
def kg_classes(settings):
    graph = read_turtle_files(f.path for f in ontology_files(settings))
    return {str(c)[len(diagram.KG):] for c in graph.subjects(RDF.type, OWL.Class)
            if isinstance(c, rdflib.URIRef) and str(c).startswith(diagram.KG)}


def test_every_class_is_drawn(settings, kg_classes):
    source = diagram.dot_source(settings)
    assert source.startswith("digraph model {")
    assert all(f'"{name}"' in source for name in kg_classes)
    assert '"Article" -> "Provision" [arrowhead=empty' in source
    assert '"OffenceStatistics" -> "qb:DataSet"' in source


def test_committed_picture_shows_every_class(kg_classes):
    picture = (DOCS / "model.svg").read_text(encoding="utf-8")
    missing = sorted(name for name in kg_classes if f">{name}<" not in picture)
    assert not missing, f"docs/model.svg is stale, run `kg diagram`; missing {missing}"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_render_svg(settings, tmp_path):
    out = diagram.render(settings, tmp_path / "model.svg")
    assert out.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))


def test_unknown_format_is_a_usage_error(settings, tmp_path):
    with pytest.raises(UsageError, match="choose a .dot"):
        diagram.render(settings, tmp_path / "model.gif")
