"""OWL checks that need Java: the OWL 2 DL profile (the OWL API 5) and consistency (HermiT), in one JVM.

Both run in the one JVM JPype starts, once per process: the OWL API 5 on the class path, HermiT (the jar owlready2
ships, which bundles its own older OWL API under the same package names, so the two cannot share a class path) in a
class loader of its own whose parent is the platform loader. Only one SLF4J binding (slf4j-nop) is on the class path:
no "multiple bindings" noise. Without the OWL API jars HermiT runs through owlready2 (its own `java` process).

The profile check uses the maintained OWL API 5 that Debian packages (`libowlapi-java`), through JPype; HermiT is
the one owlready2 ships. Literals of `xsd:date` and `xsd:gYear` lie outside the OWL 2 datatype map, which the OWL API
reports; ELI (`eli:date_document`) and the Data Cube practice for years need them, so those two are reported as Info
(a known, deliberate deviation), everything else the checker finds as a Violation.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import glob
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import rdflib

from kg.rdf.namespaces import curie
from kg.validation.findings import Finding, Step

CHECKS = "https://w3id.org/infosec-law-kg/checks#"
DL_PROFILE = CHECKS + "OWL2DLProfile"
CONSISTENCY = CHECKS + "HermiTConsistency"
SATISFIABILITY = CHECKS + "HermiTSatisfiability"
OWLAPI_JARS = Path(os.environ.get("KG_OWLAPI_JARS", "/usr/share/java"))
XSD = "http://www.w3.org/2001/XMLSchema#"
TOLERATED_LITERAL_TYPES = {XSD + "date", XSD + "gYear"}
_OWLREADY2 = importlib.util.find_spec("owlready2")
HERMIT_JAR = Path(_OWLREADY2.origin).parent / "hermit" / "HermiT.jar" if _OWLREADY2 and _OWLREADY2.origin else Path("/-")
INCONSISTENT = ("The ontology and graph are inconsistent under HermiT: some individual belongs to disjoint classes or "
                "breaks a functional property.")
NOISY_JARS = ("slf4j-jcl", "slf4j-jdk14", "slf4j-log4j12", "slf4j-simple", "slf4j-migrator", "maven3-slf4j-provider",
              "log4j-over-slf4j", "jcl-over-slf4j", "jul-to-slf4j")  # every SLF4J binding but slf4j-nop, and bridges


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


def dl_profile_findings(graph: rdflib.Graph | str) -> list[Finding]:
    """Check the merged ontology + data (an rdflib graph, or N-Triples) against the OWL 2 DL profile with the OWL
    API's `Profiles.OWL2_DL`."""
    api = _owl_api()
    manager = api.OWLManager.createOWLOntologyManager()
    source = api.StringDocumentSource(_ntriples(graph), api.IRI.create("urn:kg:merged"), api.NTriples(), None)
    ontology = manager.loadOntologyFromOntologyDocument(source)  # the format named: no other parser is tried
    violations = list(api.Profiles.OWL2_DL.checkOntology(ontology).getViolations())
    tolerated = [v for v in violations if _tolerated(v)]
    return [_profile_finding(v) for v in violations if not _tolerated(v)] + _tolerated_summary(tolerated)


def _ntriples(graph: rdflib.Graph | str) -> str:
    return graph if isinstance(graph, str) else graph.serialize(format="nt")


def hermit_findings(graph: rdflib.Graph | str) -> list[Finding]:
    """Classify with HermiT: an inconsistent graph or an unsatisfiable class is a Violation.

    HermiT ignores literals of datatypes outside the OWL 2 datatype map (xsd:date, xsd:gYear)."""
    if owlapi_missing() is None and HERMIT_JAR.exists():
        return _hermit_in_jvm(graph)
    import owlready2

    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stderr(io.StringIO()):  # owlready2 chatters
        path = Path(folder) / "merged.nt"
        path.write_text(_ntriples(graph), encoding="utf-8")
        world = owlready2.World()
        ontology = world.get_ontology(path.as_uri()).load()
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            return [Finding("Violation", INCONSISTENT, sourceConstraintComponent=CONSISTENCY)]
        unsatisfiable = [c for c in world.inconsistent_classes() if c is not owlready2.Nothing]
        return [Finding("Violation", f"Class {c.iri} is unsatisfiable: no individual can belong to it.",
                        focusNode=c.iri, sourceConstraintComponent=SATISFIABILITY) for c in unsatisfiable]


def _hermit_in_jvm(graph: rdflib.Graph | str) -> list[Finding]:
    api = _owl_api()
    ontology = api.hermit_manager.createOWLOntologyManager().loadOntologyFromOntologyDocument(
        api.hermit_source(_ntriples(graph)))
    configuration = api.Configuration()
    configuration.ignoreUnsupportedDatatypes = True
    reasoner = api.Reasoner(configuration, ontology)
    if not reasoner.isConsistent():
        return [Finding("Violation", INCONSISTENT, sourceConstraintComponent=CONSISTENCY)]
    unsatisfiable = sorted(str(c.getIRI()) for c in reasoner.getUnsatisfiableClasses().getEntitiesMinusBottom())
    return [Finding("Violation", f"Class {iri} is unsatisfiable: no individual can belong to it.", focusNode=iri,
                    sourceConstraintComponent=SATISFIABILITY) for iri in unsatisfiable]


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
    """A profile violation as resource, term and what to fix, not the OWL API's functional-syntax dump."""
    kind = str(violation.getClass().getSimpleName())
    axiom = violation.getAxiom()
    expression = violation.getExpression()
    term = _iri(expression) or (_iri(next(iter(axiom.getSignature()), None)) if axiom is not None else None)
    resource = _resource(axiom) or term
    what = re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower()
    fix = PROFILE_FIXES.get(kind, "rewrite the statement so that it stays inside OWL 2 DL")
    about = f" in a statement about {curie(resource)}" if resource and resource != term else ""
    return Finding("Violation", f"Not OWL 2 DL ({what}): {curie(term) if term else str(expression)}{about}: {fix}.",
                   focusNode=resource, value=term, sourceConstraintComponent=DL_PROFILE)


PROFILE_FIXES = {
    "UseOfUndeclaredClass": "declare the class in ontology/ (a owl:Class) or correct the typo",
    "UseOfUndeclaredObjectProperty": "declare the property in ontology/ (a owl:ObjectProperty) or correct the typo",
    "UseOfUndeclaredDataProperty": "declare the property in ontology/ (a owl:DatatypeProperty) or correct the typo",
    "UseOfUndeclaredAnnotationProperty": "declare it in ontology/ (a owl:AnnotationProperty) or correct the typo",
    "UseOfUndeclaredDatatype": "use a datatype of the OWL 2 datatype map or declare it (a rdfs:Datatype)",
    "UseOfDefinedDatatypeInLiteral": "use a datatype of the OWL 2 datatype map",
    "UseOfReservedVocabularyForClassIRI": "do not use a term of RDF, RDFS, OWL or XSD as a class of your own",
    "UseOfReservedVocabularyForObjectPropertyIRI": "do not redefine a term of RDF, RDFS, OWL or XSD",
    "UseOfReservedVocabularyForDataPropertyIRI": "do not redefine a term of RDF, RDFS, OWL or XSD",
    "UseOfIllegalDataRange": "use a data range OWL 2 DL allows",
    "UseOfNonSimplePropertyInCardinalityRestriction": "a transitive property (or one with a transitive "
                                                      "sub-property) cannot carry a cardinality restriction",
    "UseOfPropertyInChainCausesCycle": "break the cycle of property chains",
    "IllegalPunning": "do not use one IRI both as an object and a datatype property (or class and datatype)",
}


def _iri(thing) -> str | None:
    if thing is None:
        return None
    if str(thing.getClass().getSimpleName()) == "IRI":
        return str(thing)
    for name in ("getIRI", "getDatatype"):
        if hasattr(thing, name):
            found = getattr(thing, name)()
            return str(found.getIRI()) if hasattr(found, "getIRI") else str(found)
    return None


def _resource(axiom) -> str | None:
    """The individual a class or property assertion is about; else the axiom's first entity."""
    for name in ("getIndividual", "getSubject", "getSubClass", "getProperty"):
        if axiom is not None and hasattr(axiom, name):
            found = _iri(getattr(axiom, name)())
            if found:
                return found
    return None


def steps(merged: str, ontology: list[Path], settings, progress, timed) -> list[Step]:
    """The OWL 2 DL profile and HermiT steps, each skipped with the reason when Java or the OWL API is missing.

    HermiT's result is kept on disk (`{root}/.kg/cache/`) under the hash of what it depends on here: the ontology's
    files, every typing and every link between resources (statements with a literal are left out: HermiT ignores the
    xsd:date and xsd:gYear literals, and the ontology has no data-property axioms it could break). The same hash
    later reuses the result, and the step says so."""
    found = []
    for name, missing, check in (("OWL 2 DL profile", owlapi_missing, dl_profile_findings),
                                 ("HermiT consistency", java_missing, hermit_findings)):
        reason = missing()
        if reason:
            progress(f"skipping {name}: {reason}")
            found.append(Step(name, skipped=reason))
        elif check is hermit_findings:
            found.append(_cached_hermit(merged, ontology, settings, progress, timed))
        else:
            found.append(timed(name, progress, lambda check=check: (check(merged), None))[0])
    return found


def _cached_hermit(merged: str, ontology: list[Path], settings, progress, timed) -> Step:
    lines = sorted(line for line in merged.splitlines() if '"' not in line and "_:" not in line)
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in ontology)
                            + "\n".join(lines).encode()).hexdigest()
    cache = Path(settings.root) / ".kg" / "cache" / f"hermit-{digest[:32]}.json"
    if cache.exists():
        try:
            kept = [Finding(**item) for item in json.loads(cache.read_text(encoding="utf-8"))]
            progress(f"HermiT consistency: reused the result for content hash {digest[:12]}")
            return Step("HermiT consistency", tuple(kept), 0.0,
                        note=f"result reused: ontology, typing and links unchanged (content hash {digest[:12]})")
        except (OSError, ValueError, TypeError):
            pass
    step = timed("HermiT consistency", progress, lambda: (hermit_findings(merged), None))[0]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps([dataclasses.asdict(f) for f in step.findings]), encoding="utf-8")
    except OSError:
        pass
    return step


class _OwlApi:
    def __init__(self) -> None:
        import jpype
        import jpype.imports  # noqa: F401  (enables Java imports)

        if not jpype.isJVMStarted():
            jars = [str(OWLAPI_JARS / "owlapi-distribution.jar")] + [
                jar for jar in sorted(glob.glob(str(OWLAPI_JARS / "*.jar")))
                if not Path(jar).name.startswith(NOISY_JARS)]
            jpype.startJVM("-Xmx1g", "-Xshare:auto", "-XX:TieredStopAtLevel=1", classpath=jars, convertStrings=True)
        from org.semanticweb.owlapi.apibinding import OWLManager
        from org.semanticweb.owlapi.formats import NTriplesDocumentFormat
        from org.semanticweb.owlapi.io import StringDocumentSource
        from org.semanticweb.owlapi.model import IRI
        from org.semanticweb.owlapi.profiles import Profiles

        self.OWLManager, self.StringDocumentSource, self.Profiles = OWLManager, StringDocumentSource, Profiles
        self.IRI, self.NTriples = IRI, NTriplesDocumentFormat
        if HERMIT_JAR.exists():  # HermiT and its own OWL API, isolated from the OWL API 5 of the class path
            from java.io import File
            from java.lang import ClassLoader
            from java.net import URLClassLoader

            loader = URLClassLoader([File(str(HERMIT_JAR)).toURI().toURL()], ClassLoader.getPlatformClassLoader())
            load = lambda name: jpype.JClass(name, loader=loader)  # noqa: E731
            self.Reasoner, self.Configuration = load("org.semanticweb.HermiT.Reasoner"), load(
                "org.semanticweb.HermiT.Configuration")
            self.hermit_manager = load("org.semanticweb.owlapi.apibinding.OWLManager")
            self.hermit_source = load("org.semanticweb.owlapi.io.StringDocumentSource")


@functools.cache
def _owl_api() -> _OwlApi:
    """The OWL API classes; the JVM starts once per process and cannot be restarted."""
    return _OwlApi()
