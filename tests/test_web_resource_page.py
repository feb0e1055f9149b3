"""The view model of the HTML pages (kg.web.resource_page): where links go and which name is shown."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.web.resource_page import Linker, best_label, labels_by_language, listing

from helpers import BASE


HREFS = [  # (IRI, script root, expected href, leaves the server)
    (BASE + "eli/kz/code/2014/226-V/art_205", "", "/eli/kz/code/2014/226-V/art_205", False),
    (BASE + "id/state/kz", "", "/id/state/kz", False),
    (BASE + "id/state/kz", "/kg", "/kg/id/state/kz", False),
    (BASE + "ontology#Article", "", "/ontology#Article", False),
    (BASE + "ontology", "", "/ontology", False),
    (BASE + "shapes#LegalResourceShape", "", "/shapes#LegalResourceShape", False),
    (BASE + "void#infosec-law-kg", "", "/void#infosec-law-kg", False),
    (BASE + "graph/kz-laws", "", "/graph/kz-laws", False),  # a named graph dereferences at its own path
    (BASE + "ontology/0.1.0", "", BASE + "ontology/0.1.0", True),  # a version IRI: not served here
    (BASE + "eli", "", BASE + "eli", True),
    ("http://data.europa.eu/eli/ontology#has_part", "", "http://data.europa.eu/eli/ontology#has_part", True),
    ("https://w3id.org/other/eli/x", "", "https://w3id.org/other/eli/x", True),
]


@pytest.mark.parametrize("iri, root, href, external", HREFS)
def test_links_stay_here_for_the_base_and_go_out_for_the_rest(iri, root, href, external):
    assert Linker(BASE, root).href(iri) == (href, external)


def lit(value: str, language: str | None = None) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(value, language=language) if language else pyoxigraph.Literal(value)


LABELS = [lit("бап", "kk"), lit("статья", "ru"), lit("article (translated)", "en-t-kk"), lit("article", "en")]


@pytest.mark.parametrize("labels, language, expected", [
    (LABELS, "en", "article"),  # a source label before a translated one
    (LABELS, "kk", "бап"),
    (LABELS, "ru", "статья"),
    (LABELS[:3], "en", "article (translated)"),
    ([lit("бап", "kk"), lit("статья", "ru")], "en", "статья"),  # no English: Russian, then Kazakh
    ([lit("бап", "kk")], "en", "бап"),
    ([lit("plain")], "kk", "plain"),
])
def test_best_label(labels, language, expected):
    assert best_label(labels, language).value == expected


def test_no_label_shows_the_compact_iri():
    linker = Linker(BASE, "")
    assert best_label([], "en") is None
    assert linker.name("http://data.europa.eu/eli/ontology#number") == "eli:number"


def test_labels_by_language_keeps_kk_ru_en_rows_even_when_empty():
    rows = dict(labels_by_language([lit("бап", "kk"), lit("x", "de"), lit("article", "en-t-kk")]))
    assert list(rows)[:3] == ["kk", "ru", "en"]
    assert rows["ru"] == [] and [v.text for v in rows["en"]] == ["article"] and rows["en"][0].note == "@en-t-kk"
    assert [v.text for v in rows["de"]] == ["x"]


def test_listing_puts_roots_first_and_anchors_fragments():
    shape, prop = pyoxigraph.NamedNode(BASE + "shapes#B"), pyoxigraph.NamedNode(BASE + "shapes#A-p")
    sh = "http://www.w3.org/ns/shacl#"
    triples = [pyoxigraph.Triple(shape, pyoxigraph.NamedNode(sh + "property"), prop),
               pyoxigraph.Triple(prop, pyoxigraph.NamedNode(sh + "path"), pyoxigraph.NamedNode(BASE + "ontology#p"))]
    sections = listing(triples, BASE, "")
    assert [s.anchor for s in sections] == ["B", "A-p"]
    assert sections[0].rows[0].values[0].href == "/shapes#A-p"
