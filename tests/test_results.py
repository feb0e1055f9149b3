"""`kg.rdf.results`: the SPARQL 1.1 Query Results JSON writer joins per-term strings; it must write what `json.dumps`
writes for the nested dicts, byte for byte, and what pyoxigraph reads back as the same terms."""

from __future__ import annotations

import json

import pyoxigraph
import pytest

from kg.rdf import results
from kg.store.base import AskResult, SelectResult

from helpers import BASE

JSON = "application/sparql-results+json"
XSD = "http://www.w3.org/2001/XMLSchema#"

TERMS = {  # one of each kind, with the characters JSON must escape and the scripts the graph is written in
    "iri": pyoxigraph.NamedNode(f"{BASE}eli/kz/code/2014/226-V/art_205"),
    "iri with query": pyoxigraph.NamedNode("http://example.org/a?b=c&d=%22e%22#f"),
    "iri non-ascii": pyoxigraph.NamedNode("http://example.org/статья"),
    "blank node": pyoxigraph.BlankNode("b0"),
    "plain literal": pyoxigraph.Literal("Неправомерный доступ"),
    "escapes": pyoxigraph.Literal('quote " backslash \\ newline \n tab \t nul \x00 bell \x07 </script>'),
    "non-bmp": pyoxigraph.Literal("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀"),
    "language": pyoxigraph.Literal("205 бап", language="kk"),
    "integer": pyoxigraph.Literal("205", datatype=pyoxigraph.NamedNode(f"{XSD}integer")),
    "date": pyoxigraph.Literal("2014-07-03", datatype=pyoxigraph.NamedNode(f"{XSD}date")),
    "explicit xsd:string": pyoxigraph.Literal("x", datatype=pyoxigraph.NamedNode(f"{XSD}string")),
    "empty": pyoxigraph.Literal(""),
    "triple term": pyoxigraph.Triple(pyoxigraph.NamedNode("http://example.org/s"),
                                     pyoxigraph.NamedNode("http://example.org/p"),
                                     pyoxigraph.Literal("o", language="en")),
}


def as_dict(term) -> dict:
    """SPARQL 1.1 Query Results JSON §3.2.2 for one term, written the plain way (the writer's former code)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Triple):
        return {"type": "triple", "value": {k: as_dict(getattr(term, k)) for k in ("subject", "predicate", "object")}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != f"{XSD}string":
        out["datatype"] = term.datatype.value
    return out


def expected(result: SelectResult) -> bytes:
    bindings = [{name: as_dict(term) for name, term in row.items()} for row in result.rows]
    document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def parsed_back(body: bytes) -> list[dict]:
    solutions = pyoxigraph.parse_query_results(body, format=pyoxigraph.QueryResultsFormat.JSON)
    names = [v.value for v in solutions.variables]
    return [{name: row[name] for name in names if row[name] is not None} for row in solutions]


@pytest.mark.parametrize("name", list(TERMS))
def test_each_kind_of_term_is_written_as_json_dumps_would_and_reads_back(name):
    result = SelectResult(["x", "y"], [{"x": TERMS[name]}, {"x": TERMS[name], "y": TERMS["iri"]}])
    for _ in range(2):  # the second time from the memo
        body = results.serialize(result, JSON)
        assert body == expected(result)
        assert parsed_back(body) == result.rows


def test_a_table_of_every_kind_with_unbound_values():
    names = list(TERMS)
    rows = [{"term": term, "name": pyoxigraph.Literal(name)} for name, term in TERMS.items()]
    rows += [{}, {"name": TERMS["iri"]}]
    result = SelectResult(["name", "term", "never"], rows)
    body = results.serialize(result, JSON)
    assert body == expected(result)
    assert parsed_back(body) == rows
    assert [row["name"].value for row in parsed_back(body)[:len(names)]] == names


@pytest.mark.parametrize("variables", [[], ["x"], ["a", "b_1", "änd"]])
def test_no_rows(variables):
    result = SelectResult(variables, [])
    assert results.serialize(result, JSON) == expected(result)


@pytest.mark.parametrize("value", [True, False])
def test_ask(value):
    assert results.serialize(AskResult(value), JSON) == json.dumps({"head": {}, "boolean": value}).encode()


def test_the_memo_keeps_only_short_terms_and_stays_bounded(monkeypatch):
    memo = results._JSON_MEMO
    monkeypatch.setattr(results, "MEMO_TERMS", 8)
    memo.clear()
    long_literal = pyoxigraph.Literal("x" * (results.MEMO_CHARS + 1))
    results.serialize(SelectResult(["x"], [{"x": long_literal}]), JSON)
    assert long_literal not in memo
    many = [{"x": pyoxigraph.NamedNode(f"http://example.org/{i}")} for i in range(30)]
    result = SelectResult(["x"], many)
    assert results.serialize(result, JSON) == expected(result)
    assert 0 < len(memo) <= 8
    memo.clear()


def test_offered_for_each_kind_of_result():
    assert results.offered_for(SelectResult([], [])) == list(results.TABLE_TYPES)
    assert results.offered_for(AskResult(True)) == list(results.TABLE_TYPES)
    graph = results.offered_for(results.GraphResult([]))
    assert graph[0] == "text/turtle" and set(graph) == set(results.RDF_TYPES) | set(results.DATASET_TYPES)
