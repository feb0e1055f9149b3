"""Query results and how they are written: SPARQL 1.1 Query Results JSON, XML, CSV and TSV for SELECT/ASK; RDF
syntaxes (via pyoxigraph) for CONSTRUCT/DESCRIBE and graph reads. Which syntaxes exist is `kg.rdf.formats`'s table;
here, media type -> writer."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph

from kg.rdf.formats import ALIASES, DATASET_TYPES, RDF_TYPES, TABLE_TYPES, engine_format  # noqa: F401 (re-exported)
from kg.rdf.terms import Term


@dataclass
class SelectResult:
    variables: list[str]
    rows: list[dict[str, Term]]
    truncated: bool = False  # more rows existed than the row limit allowed


@dataclass
class AskResult:
    value: bool


@dataclass
class GraphResult:
    triples: list[pyoxigraph.Triple] = field(default_factory=list)
    truncated: bool = False


QueryResult = SelectResult | AskResult | GraphResult


# result kind -> media types it can be written in; the first is the default
OFFERED = {
    SelectResult: tuple(TABLE_TYPES),
    AskResult: tuple(TABLE_TYPES),
    GraphResult: (*RDF_TYPES, *DATASET_TYPES),
}


def offered_for(result: QueryResult) -> list[str]:
    """Media types a result can be written in; the first is the default."""
    return next(list(offered) for kind, offered in OFFERED.items() if isinstance(result, kind))


def serialize(result: QueryResult, media_type: str) -> bytes:
    if isinstance(result, GraphResult):
        return serialize_triples(result.triples, media_type)
    return _WRITERS[media_type](result).encode("utf-8")


def serialize_triples(triples, media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
    if media_type in DATASET_TYPES:  # the triples go into the default graph of the dataset syntaxes
        quads = [pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.DefaultGraph()) for t in triples]
        return pyoxigraph.serialize(quads, format=engine_format(media_type))
    rdf_format = engine_format(media_type)
    if prefixes and rdf_format in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.RDF_XML):
        return pyoxigraph.serialize(triples, format=rdf_format, prefixes=prefixes)
    return pyoxigraph.serialize(triples, format=rdf_format)


def serialize_quads(quads, media_type: str) -> bytes:
    return pyoxigraph.serialize(quads, format=engine_format(media_type))


# ---------------------------------------------------------------- SPARQL 1.1 Query Results JSON / XML / CSV / TSV

def _json(result) -> str:
    """The bytes `json.dumps(..., ensure_ascii=False)` writes for the nested dicts, joined from per-term strings
    instead: 2x faster for new terms, 4x for terms seen before (`_JSON_MEMO`)."""
    if isinstance(result, AskResult):
        return ASK_JSON[bool(result.value)]
    keys, fragments = {name: f"{_json_string(name)}: " for name in result.variables}, _JSON_MEMO
    rows = [", ".join([keys[name] + fragments[term] for name, term in row.items()]) for row in result.rows]
    bindings = "{" + "}, {".join(rows) + "}" if rows else ""
    head = ", ".join([_json_string(name) for name in result.variables])
    return f'{{"head": {{"vars": [{head}]}}, "results": {{"bindings": [{bindings}]}}}}'


ASK_JSON = {value: json.dumps({"head": {}, "boolean": value}) for value in (True, False)}
_json_string = json.encoder.encode_basestring  # a str as a JSON string, non-ASCII kept (ensure_ascii=False)
XSD_STRING = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#string")


def _json_uri(term) -> str:
    return f'{{"type": "uri", "value": {_json_string(term.value)}}}'


def _json_bnode(term) -> str:
    return f'{{"type": "bnode", "value": {_json_string(term.value)}}}'


def _json_literal(term) -> str:
    value = _json_string(term.value)
    if term.language:
        return f'{{"type": "literal", "value": {value}, "xml:lang": {_json_string(term.language)}}}'
    if term.datatype == XSD_STRING:
        return f'{{"type": "literal", "value": {value}}}'
    return f'{{"type": "literal", "value": {value}, "datatype": {_json_string(term.datatype.value)}}}'


def _json_triple(term) -> str:
    parts = ", ".join(f'"{k}": {_JSON_MEMO[getattr(term, k)]}' for k in TRIPLE_PARTS)
    return f'{{"type": "triple", "value": {{{parts}}}}}'


TRIPLE_PARTS = ("subject", "predicate", "object")
_JSON_TERMS = {pyoxigraph.NamedNode: _json_uri, pyoxigraph.BlankNode: _json_bnode, pyoxigraph.Literal: _json_literal,
               pyoxigraph.Triple: _json_triple}


class _JsonMemo(dict):
    """Term -> its JSON object, memoised, as answers repeat the same IRIs and labels (halves the writer's time).

    Equal pyoxigraph terms are the same RDF term, so a hit is always right. Bounded: only terms written in at most
    MEMO_CHARS characters are kept, and the memo is emptied when it reaches MEMO_TERMS terms (a few MB at most)."""

    def __missing__(self, term) -> str:
        fragment = _JSON_TERMS[type(term)](term)
        if len(fragment) <= MEMO_CHARS:
            if len(self) >= MEMO_TERMS:
                self.clear()
            self[term] = fragment
        return fragment


MEMO_TERMS, MEMO_CHARS = 4096, 300
_JSON_MEMO = _JsonMemo()


def _xml(result) -> str:
    head = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
    if isinstance(result, AskResult):
        return head + f"<head/>\n<boolean>{'true' if result.value else 'false'}</boolean>\n</sparql>\n"
    parts = [head, "<head>", *(f"<variable name={quoteattr(v)}/>" for v in result.variables), "</head>\n<results>\n"]
    for row in result.rows:
        parts.append("<result>")
        parts += [f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>" for name, term in row.items()]
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts)


def _xml_term(term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, pyoxigraph.Triple):
        return "<triple>" + "".join(f"<{k}>{_xml_term(getattr(term, k))}</{k}>" for k in ("subject", "predicate", "object")) + "</triple>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv(result) -> str:
    """SPARQL 1.1 CSV: plain values, RFC 4180 quoting, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if isinstance(result, AskResult):
        writer.writerow(["boolean"]), writer.writerow(["true" if result.value else "false"])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(row.get(v)) for v in result.variables])
    return out.getvalue()


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return term.value if not isinstance(term, pyoxigraph.Triple) else str(term)


def _tsv(result) -> str:
    """SPARQL 1.1 TSV: terms in Turtle/N-Triples syntax."""
    if isinstance(result, AskResult):
        return "?boolean\n" + ("true" if result.value else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(str(row[v]) if v in row else "" for v in result.variables) for row in result.rows]
    return "\n".join(lines) + "\n"


_WRITERS = {"application/sparql-results+json": _json, "application/sparql-results+xml": _xml, "text/csv": _csv,
            "text/tab-separated-values": _tsv}
