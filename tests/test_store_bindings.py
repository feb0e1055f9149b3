"""`kg.store.bindings`: typed bindings sent as an inline VALUES block mean what Oxigraph's substitutions mean."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pyoxigraph
import pytest

from kg.services import canned
from kg.core.errors import UsageError
from kg.rdf.sparql_lexer import query_form
from kg.store.bindings import bind, values_block

from helpers import BASE

CODE = f"{BASE}eli/kz/code/2014/226-V"
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
HOSTILE = 'x" } . ?s ?p ?o } # DROP ALL ; """ \'\'\' \\ \\u0022 \n {<http://evil/>}'

# (query, bindings): each must give the same answer with the blocks as with pyoxigraph's substitutions (which
# need the bound variables in the projection)
CASES = {
    "triple pattern": (RDFS + "SELECT ?s ?label WHERE { ?s rdfs:label ?label }", {"s": pyoxigraph.NamedNode(CODE)}),
    "top-level FILTER": (RDFS + "SELECT ?needle ?s WHERE { ?s rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), ?needle)) }",
                         {"needle": pyoxigraph.Literal("уголовный")}),
    "FILTER in a nested OPTIONAL": (RDFS + "SELECT ?lang ?code ?l WHERE { ?code ?p ?o OPTIONAL { ?code rdfs:label ?x "
                                    "OPTIONAL { ?code rdfs:label ?l FILTER(LANG(?l) = ?lang) } } }",
                                    {"lang": pyoxigraph.Literal("kk"), "code": pyoxigraph.NamedNode(CODE)}),
    "UNION branches": (RDFS + "SELECT ?lang ?l WHERE { { ?s rdfs:label ?l FILTER(LANG(?l) = ?lang) } UNION "
                       "{ ?s rdfs:comment ?l FILTER(LANG(?l) = ?lang) } }", {"lang": pyoxigraph.Literal("ru")}),
    "MINUS": (RDFS + "SELECT ?lang ?s WHERE { ?s rdfs:label ?l MINUS { ?s rdfs:label ?m FILTER(LANG(?m) = ?lang) } }",
              {"lang": pyoxigraph.Literal("kk")}),
    "GROUP BY a parameter": ("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s", {"s": pyoxigraph.NamedNode(CODE)}),
    "sub-SELECT that projects it": ("SELECT * { SELECT ?s ?p WHERE { ?s ?p ?o } }", {"s": pyoxigraph.NamedNode(CODE)}),
    "sub-SELECT that does not": (RDFS + "SELECT ?lang ?s WHERE { { SELECT ?s WHERE { ?s rdfs:label ?l "
                                 "FILTER(LANG(?l) = ?lang) } } }", {"lang": pyoxigraph.Literal("kk")}),
    "ASK": ("ASK { ?s ?p ?o }", {"s": pyoxigraph.NamedNode(CODE)}),
    "GRAPH variable": ("ASK { GRAPH ?g { } }", {"g": pyoxigraph.NamedNode(f"{BASE}graph/none")}),
    "GRAPH variable that exists": ("SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
                                   {"g": pyoxigraph.NamedNode(f"{BASE}graph/kz-criminal-code")}),
    "CONSTRUCT with template": (RDFS + "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }", {"s": pyoxigraph.NamedNode(CODE)}),
    "CONSTRUCT WHERE": (RDFS + "CONSTRUCT WHERE { ?s rdfs:label ?l }", {"s": pyoxigraph.NamedNode(CODE)}),
    "inline VALUES data is left alone": (RDFS + "SELECT ?s ?p ?o WHERE { VALUES ?p { rdfs:label } ?s ?p ?o }",
                                         {"s": pyoxigraph.NamedNode(CODE)}),
    "hostile literal is one term": ("SELECT ?text ?v WHERE { BIND(STR(?text) AS ?v) }", {"text": pyoxigraph.Literal(HOSTILE)}),
    "hostile literal matches nothing": (RDFS + "SELECT ?text ?s WHERE { ?s rdfs:label ?text }",
                                        {"text": pyoxigraph.Literal(HOSTILE, language="en")}),
    "braces, comments and keywords in the text": ('# a { comment SELECT\nPREFIX select: <http://x/#>\nSELECT ?s WHERE '
                                                 '{ ?s ?p "}{" FILTER(?s != select:a) } ', {"s": pyoxigraph.NamedNode(CODE)}),
}


def _answer(result, term=str):
    """A comparable form of a result: rows and triples in sorted order (engines may order ties differently)."""
    if hasattr(result, "value"):
        return result.value
    if hasattr(result, "rows"):
        return sorted(tuple(sorted((k, term(v)) for k, v in row.items())) for row in result.rows)
    return sorted(str(t) for t in result.triples)


def _parts(term) -> str:
    """A literal as its sorted parts: GROUP_CONCAT joins values in no specified order (SPARQL 1.1 §18.5.1.7)."""
    if not isinstance(term, pyoxigraph.Literal):
        return str(term)
    return " ".join(sorted(re.split(r"[;\s]+", term.value))) + f"@{term.language}^^{term.datatype}"


@pytest.mark.parametrize("name", CASES)
def test_block_means_what_substitution_means(store, name):
    query, bindings = CASES[name]
    assert _answer(store.query(bind(query, bindings))) == _answer(store.query(query, bindings=bindings))


def test_hostile_literal_comes_back_unchanged(store):
    result = store.query(bind("SELECT ?v WHERE { BIND(?text AS ?v) }", {"text": pyoxigraph.Literal(HOSTILE)}))
    assert [row["v"].value for row in result.rows] == [HOSTILE]


@pytest.mark.parametrize("name", ["top-level FILTER", "FILTER in a nested OPTIONAL"])
def test_a_trailing_values_clause_would_not_do(store, name):
    """Why the blocks go inside the groups: joined after the solution modifiers, FILTERs see the variable unbound."""
    query, bindings = CASES[name]
    expected = _answer(store.query(query, bindings=bindings))
    assert _answer(store.query(f"{query}\n{values_block(bindings)}")) != expected
    assert _answer(store.query(bind(query, bindings))) == expected


@pytest.mark.parametrize("query", sorted(canned.load()))
def test_every_canned_example_gives_the_same_answer(store, query):
    canned_query = canned.load()[query]
    for example in canned_query.examples:
        bindings = canned_query.bindings(parse_qsl(example, keep_blank_values=True))
        expected = _answer(store.query(canned_query.text, bindings=bindings), _parts)
        assert _answer(store.query(bind(canned_query.text, bindings)), _parts) == expected, example


@pytest.mark.parametrize("query, form", [
    ("PREFIX ask: <http://x/> SELECT * {}", "SELECT"), ("# SELECT\nconstruct {} where {}", "CONSTRUCT"),
    ('ASK { "SELECT" }', "ASK"), ("DESCRIBE <http://x/select>", "DESCRIBE"), ("INSERT DATA {}", None),
])
def test_query_form(query, form):
    assert query_form(query) == form


@pytest.mark.parametrize("bindings", [{"a b": pyoxigraph.Literal("x")}, {"x": pyoxigraph.BlankNode()},
                                      {"x}": pyoxigraph.NamedNode("http://x/")}])
def test_refuses_what_cannot_be_a_values_row(bindings):
    with pytest.raises(UsageError):
        bind("SELECT * {}", bindings)


def test_no_bindings_leaves_the_text_alone():
    assert bind("SELECT * { ?s ?p ?o }", {}) == "SELECT * { ?s ?p ?o }"
