"""OWL checks that need Java: the OWL 2 DL profile (the OWL API 5) and consistency (HermiT, through owlready2).

The profile check uses the maintained OWL API 5 that Debian packages (`libowlapi-java`), through JPype; HermiT is
the one owlready2 ships. Literals of `xsd:date` and `xsd:gYear` lie outside the OWL 2 datatype map, which the OWL API
reports; ELI (`eli:date_document`) and the Data Cube practice for years need them, so those two are reported as Info
(a known, deliberate deviation), everything else the checker finds as a Violation.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import rdflib

from kg.validation.findings import Finding

CHECKS = "https://w3id.org/infosec-law-kg/checks#"
DL_PROFILE = CHECKS + "OWL2DLProfile"
CONSISTENCY = CHECKS + "HermiTConsistency"
SATISFIABILITY = CHECKS + "HermiTSatisfiability"
OWLAPI_JARS = Path(os.environ.get("KG_OWLAPI_JARS", "/usr/share/java"))
XSD = "http://www.w3.org/2001/XMLSchema#"
TOLERATED_LITERAL_TYPES = {XSD + "date", XSD + "gYear"}


def java_missing() -> str | None:
    """Why HermiT cannot run here, or None when it can."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (no `java` on PATH, JAVA_HOME unset); install a JRE, e.g. `apt-get install default-jre-headless`"
    return None


def owlapi_missing() -> str | None:
    """Why the OWL 2 DL profile check cannot run here, or None when it can."""
    if java_missing():
        return java_missing()
    if not (OWLAPI_JARS / "owlapi-distribution.jar").exists():
        return (f"the OWL API 5 is not installed (no owlapi-distribution.jar in {OWLAPI_JARS}); "
                "install it with `apt-get install libowlapi-java` or point KG_OWLAPI_JARS at its jars")
    return None


def dl_profile_findings(graph: rdflib.Graph) -> list[Finding]:
    """Check the merged ontology + data against the OWL 2 DL profile with the OWL API's `Profiles.OWL2_DL`."""
    api = _owl_api()
    manager = api.OWLManager.createOWLOntologyManager()
    ontology = manager.loadOntologyFromOntologyDocument(api.StringDocumentSource(graph.serialize(format="turtle")))
    violations = list(api.Profiles.OWL2_DL.checkOntology(ontology).getViolations())
    tolerated = [v for v in violations if _tolerated(v)]
    return [_profile_finding(v) for v in violations if not _tolerated(v)] + _tolerated_summary(tolerated)


def hermit_findings(graph: rdflib.Graph) -> list[Finding]:
    """Classify with HermiT: an inconsistent graph or an unsatisfiable class is a Violation.

    HermiT ignores literals of datatypes outside the OWL 2 datatype map (xsd:date, xsd:gYear)."""
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


def _tolerated(violation) -> bool:
    return (violation.getClass().getSimpleName() == "UseOfDefinedDatatypeInLiteral"
            and str(violation.getExpression().getDatatype().getIRI()) in TOLERATED_LITERAL_TYPES)


def _tolerated_summary(violations) -> list[Finding]:
    counts = Counter(str(v.getExpression().getDatatype().getIRI()) for v in violations)
    return [Finding("Info", f"{count} literal(s) of {datatype}, which is outside the OWL 2 datatype map; kept "
                    "because ELI and the statistics need calendar dates and years (HermiT ignores them).",
                    value=datatype, sourceConstraintComponent=DL_PROFILE)
            for datatype, count in sorted(counts.items())]


def _profile_finding(violation) -> Finding:
    axiom = violation.getAxiom()
    entities = list(axiom.getSignature()) if axiom is not None else []
    subject = str(entities[0].getIRI()) if entities else None
    return Finding("Violation", f"Not OWL 2 DL: {violation}", focusNode=subject, value=str(axiom) if axiom else None,
                   sourceConstraintComponent=DL_PROFILE)


class _OwlApi:
    def __init__(self) -> None:
        import jpype
        import jpype.imports  # noqa: F401  (enables Java imports)

        if not jpype.isJVMStarted():
            jars = [str(OWLAPI_JARS / "owlapi-distribution.jar")] + sorted(glob.glob(str(OWLAPI_JARS / "*.jar")))
            jpype.startJVM("-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", classpath=jars,
                           convertStrings=True)
        from org.semanticweb.owlapi.apibinding import OWLManager
        from org.semanticweb.owlapi.io import StringDocumentSource
        from org.semanticweb.owlapi.profiles import Profiles

        self.OWLManager, self.StringDocumentSource, self.Profiles = OWLManager, StringDocumentSource, Profiles


@functools.cache
def _owl_api() -> _OwlApi:
    """The OWL API classes; the JVM starts once per process and cannot be restarted."""
    return _OwlApi()
