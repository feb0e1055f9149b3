"""The ontology as an HTML document, written by pyLODE (https://github.com/RDFLib/pyLODE) from the merged modules.

Adjustments make pyLODE's page fit this ontology: each `kg:` term is anchored at its local name (so
`{base}ontology#Article` lands on Article); pyLODE gets one name per term (it runs every language's label
together, so the Kazakh and Russian names move into a note); the page title is the English one; and the code
lists (concept schemes and their values, the statistics structure), which pyLODE's OntPub profile leaves out or
mistakes for the ontology's own metadata, are added as a last section so their anchors work too.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.rdf.graphs import read_turtle_files

NAME_PROPERTIES = {RDFS.label, SKOS.prefLabel, DCTERMS.title}
INDIVIDUAL_PROPERTIES = [RDF.type, SKOS.inScheme, SKOS.notation, SKOS.definition, RDFS.comment]


def ontology_html(paths: Iterable[Path], namespace: str) -> str:
    """The pyLODE page of the ontology modules in `paths`, with the terms of `namespace` anchored by local name."""
    ontology = read_turtle_files(paths)
    graph = documentation_graph(ontology)
    with _logging_kept():
        from pylode import OntPub

        document = OntPub(graph, sort_subjects=True)  # a stable order, page after page
        document.fids.update({str(t): _local(t, namespace) for t in _terms(ontology, namespace)})
        document.doc.title = _english_title(graph)
        shown = set(re.findall(r' id="([^"]+)"', document.make_html()))  # the anchors pyLODE wrote
        individuals = [t for t in _terms(ontology, namespace) if _local(t, namespace) not in shown]
        document.content.add(_individuals_section(ontology, individuals, namespace))
        return document.doc.render()


def documentation_graph(ontology: Graph) -> Graph:
    """A copy with English names only (the Kazakh and Russian ones listed in one `skos:note` per term), and the
    concept schemes typed as individuals, since pyLODE would take their titles for the ontology's."""
    out = Graph(bind_namespaces="core")
    for prefix, uri in ontology.namespaces():
        out.bind(prefix, uri, override=False)
    other_names: dict = defaultdict(set)
    for subject, predicate, value in ontology:
        if predicate in NAME_PROPERTIES and isinstance(value, Literal) and _primary(value) not in ("", "en"):
            other_names[subject].add((value.language, str(value)))
        elif predicate == RDF.type and value == SKOS.ConceptScheme:
            out.add((subject, RDF.type, OWL.NamedIndividual))
        else:
            out.add((subject, predicate, value))
    for subject, names in other_names.items():
        text = "; ".join(f"{name} ({language})" for language, name in sorted(names))
        out.add((subject, SKOS.note, Literal(f"Names in other languages: {text}", lang="en")))
    return out


def _individuals_section(ontology: Graph, individuals: list[URIRef], namespace: str):
    """A section in pyLODE's own markup for the terms it did not show; dominate escapes every text."""
    from dominate.tags import a, code, div, h2, h3, table, td, th, tr

    section = div(id="individuals", _class="section")
    section.add(h2("Code lists and other individuals"))
    for term in sorted(individuals, key=str):
        entity = section.add(div(_class="property entity", id=_local(term, namespace)))
        entity.add(h3(_name(ontology, term, "en") or _local(term, namespace)))
        rows = entity.add(table())
        rows.add(tr(th("IRI"), td(code(str(term)))))
        names = sorted((str(n.language), str(n)) for p in NAME_PROPERTIES for n in ontology.objects(term, p)
                       if isinstance(n, Literal))
        if names:
            rows.add(tr(th("Names"), td("; ".join(f"{name} ({language})" for language, name in names))))
        for predicate in INDIVIDUAL_PROPERTIES:
            for value in sorted(ontology.objects(term, predicate), key=str):
                cell = td(a(_local(value, namespace), href=f"#{_local(value, namespace)}")
                          if isinstance(value, URIRef) and str(value).startswith(namespace)
                          else ontology.namespace_manager.normalizeUri(value) if isinstance(value, URIRef) else str(value))
                rows.add(tr(th(ontology.namespace_manager.normalizeUri(predicate)), cell))
    return section


def _terms(ontology: Graph, namespace: str) -> list[URIRef]:
    return sorted({t for t in ontology.subjects() if isinstance(t, URIRef) and str(t).startswith(namespace)
                   and str(t) != namespace}, key=str)


def _local(term: URIRef, namespace: str) -> str:
    return str(term)[len(namespace):]


def _name(ontology: Graph, term: URIRef, language: str) -> str | None:
    for predicate in (RDFS.label, SKOS.prefLabel):
        for label in ontology.objects(term, predicate):
            if isinstance(label, Literal) and _primary(label) == language:
                return str(label)
    return None


def _english_title(graph: Graph) -> str:
    for ontology in graph.subjects(RDF.type, OWL.Ontology):
        for title in graph.objects(ontology, DCTERMS.title):
            return str(title)
    return "Ontology"


def _primary(literal: Literal) -> str:
    return (literal.language or "").split("-")[0].lower()


@contextmanager
def _logging_kept():
    """pyLODE configures the root logger (basicConfig at DEBUG on import, root-level logging.info calls): undo it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers[:] = [logging.NullHandler()]  # with a handler in place, basicConfig does nothing
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
