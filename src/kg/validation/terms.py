"""Every class and property the data uses must be declared: a typo (`kg:Artcle`, `eli:is_part_off`) is a Violation
with a suggestion, found without Java.

An undeclared class silently switches the shapes off (no shape targets `kg:Artcle`), so SHACL alone passes such a
file. Declared means: typed as a class or property in the ontology or the data itself, or a term of one of the reused
vocabularies (ELI, SKOS, DCTERMS, PROV-O, ORG, QB, FOAF, RDF, RDFS, OWL, XSD). rdflib ships the term lists of all
but ELI; ELI's (version 1.5, http://data.europa.eu/eli/ontology) are listed here.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, XSD

from kg.rdf.namespaces import curie
from kg.validation.findings import Finding

DECLARED_TERM = "https://w3id.org/infosec-law-kg/checks#DeclaredTerm"
RDF_TYPE = str(RDF.type)
ELI = "http://data.europa.eu/eli/ontology#"
ELI_TERMS = """
LegalResource LegalResourceSubdivision LegalExpression Format Work WorkSubdivision Expression Manifestation Agent
Organization Person ResourceType AdministrativeArea SubdivisionType FormatType Language Version Jurisdiction
is_part_of has_part is_realized_by realizes is_embodied_by embodies is_exemplified_by is_member_of has_member
date_document date_publication date_no_longer_in_force date_applicability first_date_entry_in_force
date_approved version_date number id_local title title_short title_alternative type_document type_subdivision
language jurisdiction passed_by in_force is_about changes changed_by amends amended_by repeals repealed_by
applies applied_by cites cited_by commences commenced_by consolidates consolidated_by corrects corrected_by
transposes transposed_by based_on basis_for ensures_implementation_of implementation_ensured_by
related_to relevant_for responsibility_of published_in publisher publisher_agent rightsholder rightsholder_agent
rights uri_schema version format media_type legal_value description embodies licence
""".split()
CLASS_TYPES = {str(OWL.Class), str(RDFS.Class), str(RDFS.Datatype)}
PROPERTY_TYPES = {str(t) for t in (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                                   OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty,
                                   OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
                                   OWL.IrreflexiveProperty, OWL.OntologyProperty, QB.DimensionProperty,
                                   QB.MeasureProperty, QB.AttributeProperty, QB.ComponentProperty,
                                   QB.CodedProperty)}


def vocabulary_terms() -> set[str]:
    """The terms of the reused vocabularies."""
    known = {ELI + name for name in ELI_TERMS}
    for namespace in (DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, XSD):
        known |= {str(term) for term in dir(namespace) if str(term).startswith(str(namespace))}
    return known


def declared(triples: Iterable[tuple[str, str, str]]) -> set[str]:
    """The classes and properties the triples declare (typed as one), and the subjects of rdfs:subClassOf etc."""
    found = set()
    for subject, predicate, obj in triples:
        if predicate == RDF_TYPE and (obj in CLASS_TYPES or obj in PROPERTY_TYPES):
            found.add(subject)
    return found


def findings(data: Iterable[tuple[str, str, str]], known: set[str]) -> list[Finding]:
    """A Violation for each undeclared class (object of rdf:type) or property (predicate) the data uses, on the first
    resource that uses it."""
    users: dict[tuple[str, str], str] = {}
    for subject, predicate, obj in data:
        if predicate not in known:
            users.setdefault((predicate, "property"), subject)
        if predicate == RDF_TYPE and obj not in known and not obj.startswith(("_:", '"')):
            users.setdefault((obj, "class"), subject)
    return [_finding(term, kind, subject, known) for (term, kind), subject in sorted(users.items())]


def _finding(term: str, kind: str, subject: str, known: set[str]) -> Finding:
    guess = suggestion(term, known)
    hint = f"did you mean {guess}?" if guess else "declare it in ontology/ or use a term of a reused vocabulary"
    return Finding(
        "Violation",
        f"{curie(term)} is not a declared {kind} (not in ontology/ nor a term of ELI, SKOS, DCTERMS, PROV-O, ORG, "
        f"QB, FOAF, RDF, RDFS, OWL or XSD): {hint}",
        focusNode=subject, resultPath=RDF_TYPE if kind == "class" else term, value=term if kind == "class" else None,
        sourceConstraintComponent=DECLARED_TERM)


def suggestion(term: str, known: Iterable[str]) -> str | None:
    """The declared term closest to `term` by edit distance over CURIEs, if it is close enough to be a typo."""
    written = curie(term)
    limit = max(2, len(written) // 4)
    best = min(((_distance(written, curie(k), limit), curie(k)) for k in known), default=(limit + 1, None))
    return best[1] if best[0] <= limit else None


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once it cannot be within `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
