"""`kg diagram`: a picture of the model, drawn by Graphviz from the ontology's classes and properties."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kg.core.config import Settings
from kg.core.errors import UsageError
from kg.core.project import ontology_files
from kg.rdf.namespaces import curie
from kg.rdf.graphs import read_turtle

KG = "https://w3id.org/infosec-law-kg/ontology#"


def dot_source(settings: Settings) -> str:
    """Graphviz source: one cluster per ontology module, standard classes in grey, properties as labelled edges."""
    modules = {f.path.stem: read_turtle(f.path) for f in ontology_files(settings) if f.path.stem != "external"}
    whole = rdflib.Graph()
    for graph in modules.values():
        whole += graph
    lines = ["digraph model {", '  rankdir=LR; compound=true; fontname="Helvetica";',
             '  node [shape=box, style="rounded,filled", fillcolor="#e8f0fe", fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8, color="#555555"];']
    for module, graph in modules.items():
        classes = sorted(str(c) for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(KG))
        if classes:
            lines.append(f'  subgraph "cluster_{module}" {{ label="{module}"; style=dashed; color="#999999";')
            lines += [f'    "{_name(c)}";' for c in classes]
            lines.append("  }")
    standard = set()
    for child, parent in sorted(whole.subject_objects(RDFS.subClassOf)):
        if str(child).startswith(KG) and isinstance(parent, rdflib.URIRef):
            standard |= {str(parent)} if not str(parent).startswith(KG) else set()
            lines.append(f'  "{_name(child)}" -> "{_name(parent)}" [arrowhead=empty, style=dashed];')
    for prop in sorted(whole.subjects(RDF.type, OWL.ObjectProperty)):
        domain, range_ = whole.value(prop, RDFS.domain), whole.value(prop, RDFS.range)
        if str(prop).startswith(KG) and isinstance(domain, rdflib.URIRef) and isinstance(range_, rdflib.URIRef):
            standard |= {str(t) for t in (domain, range_) if not str(t).startswith(KG)}
            lines.append(f'  "{_name(domain)}" -> "{_name(range_)}" [label="{_name(prop)}"];')
    lines += [f'  "{_name(c)}" [fillcolor="#eeeeee", fontcolor="#333333"];' for c in sorted(standard)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(settings: Settings, output: Path) -> Path:
    """Write the diagram; the format follows the file suffix (.dot, .svg, .png)."""
    source = dot_source(settings)
    if output.suffix == ".dot":
        output.write_text(source, encoding="utf-8")
        return output
    if output.suffix not in {".svg", ".png", ".pdf"}:
        raise UsageError(f"{output}: choose a .dot, .svg, .png or .pdf file")
    if shutil.which("dot") is None:
        raise UsageError("Graphviz is not installed (no `dot` on PATH); `apt-get install graphviz`, or write a .dot file")
    subprocess.run(["dot", f"-T{output.suffix[1:]}", "-o", str(output)], input=source.encode(), check=True)
    return output


def _name(iri) -> str:
    """Local names for the ontology's own terms, CURIEs for the standards it reuses."""
    name = curie(str(iri))
    return name[len("kg:"):] if name.startswith("kg:") else name
