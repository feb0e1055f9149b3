"""OWL checks that need Java: the OWL 2 DL profile (the OWL API) and consistency (HermiT, through owlready2).

Both use the jars that owlready2 ships: the OWL API 3 distribution bundled with its Pellet, and HermiT.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import tempfile
from pathlib import Path

import rdflib

from kg.findings import Finding

CHECKS = "https://w3id.org/infosec-law-kg/checks#"
DL_PROFILE = CHECKS + "OWL2DLProfile"
CONSISTENCY = CHECKS + "HermiTConsistency"
SATISFIABILITY = CHECKS + "HermiTSatisfiability"


def java_missing() -> str | None:
    """Why the Java checks cannot run here, or None when they can."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (no `java` on PATH, JAVA_HOME unset); install a JRE, e.g. `apt-get install default-jre-headless`"
    return None


def dl_profile_findings(graph: rdflib.Graph) -> list[Finding]:
    """Check the merged ontology + data against the OWL 2 DL profile with the OWL API's OWL2DLProfile."""
    api = _owl_api()
    manager = api.OWLManager.createOWLOntologyManager()
    source = api.StringDocumentSource(graph.serialize(format="turtle"))
    ontology = manager.loadOntologyFromOntologyDocument(source)
    report = api.OWL2DLProfile().checkOntology(ontology)
    return [_profile_finding(violation) for violation in report.getViolations()]


def hermit_findings(graph: rdflib.Graph) -> list[Finding]:
    """Classify with HermiT: an inconsistent graph or an unsatisfiable class is a Violation.

    Literals of datatypes outside the OWL 2 datatype map (xsd:date, xsd:gYear) are ignored by HermiT.
    """
    import owlready2

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "merged.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        ontology = world.get_ontology(path.as_uri()).load()
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            return [Finding("Violation", "The ontology and graph are inconsistent under HermiT: some individual "
                            "belongs to disjoint classes or breaks a functional property.",
                            sourceConstraintComponent=CONSISTENCY)]
        unsatisfiable = [c for c in world.inconsistent_classes() if c is not owlready2.Nothing]
        return [Finding("Violation", f"Class {c.iri} is unsatisfiable: no individual can belong to it.",
                        focusNode=c.iri, sourceConstraintComponent=SATISFIABILITY) for c in unsatisfiable]


def _profile_finding(violation) -> Finding:
    axiom = violation.getAxiom()
    subject = _axiom_subject(axiom)
    return Finding("Violation", f"Not OWL 2 DL: {violation}", focusNode=subject, value=str(axiom) if axiom else None,
                   sourceConstraintComponent=DL_PROFILE)


def _axiom_subject(axiom) -> str | None:
    if axiom is None:
        return None
    entities = list(axiom.getSignature())
    return str(entities[0].getIRI()) if entities else None


class _OwlApi:
    def __init__(self) -> None:
        import jpype
        import jpype.imports  # noqa: F401  (enables Java imports)
        import owlready2

        if not jpype.isJVMStarted():
            jars = glob.glob(os.path.join(os.path.dirname(owlready2.__file__), "pellet", "*.jar"))
            jpype.startJVM("-Xmx1g", classpath=jars, convertStrings=True)
        from org.semanticweb.owlapi.apibinding import OWLManager
        from org.semanticweb.owlapi.io import StringDocumentSource
        from org.semanticweb.owlapi.profiles import OWL2DLProfile

        self.OWLManager, self.StringDocumentSource, self.OWL2DLProfile = OWLManager, StringDocumentSource, OWL2DLProfile


@functools.cache
def _owl_api() -> _OwlApi:
    """The OWL API classes; the JVM starts once per process and cannot be restarted."""
    return _OwlApi()
