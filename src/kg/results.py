"""Serialise query results: SPARQL 1.1 Query Results JSON, XML, CSV and TSV for SELECT/ASK; RDF syntaxes
(via pyoxigraph) for CONSTRUCT/DESCRIBE and graph reads. Tables, not branches: media type -> writer."""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph

from kg.store.base import AskResult, GraphResult, QueryResult, SelectResult

TABLE_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
RDF_TYPES = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}
DATASET_TYPES = {
    "application/n-quads": pyoxigraph.RdfFormat.N_QUADS,
    "application/trig": pyoxigraph.RdfFormat.TRIG,
}
ALIASES = {  # the `format` request parameter
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle", "nt": "application/n-triples",
    "ntriples": "application/n-triples", "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml", "rdf": "application/rdf+xml", "nq": "application/n-quads",
    "nquads": "application/n-quads", "trig": "application/trig",
}


def offered_for(result: QueryResult) -> list[str]:
    """Media types a result can be written in; the first is the default."""
    if isinstance(result, GraphResult):
        return list(RDF_TYPES) + list(DATASET_TYPES)
    if isinstance(result, AskResult):
        return ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
    return list(TABLE_TYPES)


def serialize(result: QueryResult, media_type: str) -> bytes:
    if isinstance(result, GraphResult):
        return serialize_triples(result.triples, media_type)
    writer = _WRITERS[TABLE_TYPES[media_type]]
    return writer(result).encode("utf-8")


def serialize_triples(triples, media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
    if media_type in DATASET_TYPES:  # the triples go into the default graph of the dataset syntaxes
        quads = [pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.DefaultGraph()) for t in triples]
        return pyoxigraph.serialize(quads, format=DATASET_TYPES[media_type])
    rdf_format = RDF_TYPES[media_type]
    if prefixes and rdf_format in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.RDF_XML):
        return pyoxigraph.serialize(triples, format=rdf_format, prefixes=prefixes)
    return pyoxigraph.serialize(triples, format=rdf_format)


def serialize_quads(quads, media_type: str) -> bytes:
    return pyoxigraph.serialize(quads, format=DATASET_TYPES[media_type])


# ---------------------------------------------------------------- SPARQL 1.1 Query Results JSON / XML / CSV / TSV

def _json(result) -> str:
    if isinstance(result, AskResult):
        return json.dumps({"head": {}, "boolean": result.value})
    bindings = [{name: _json_term(term) for name, term in row.items()} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)


def _json_term(term) -> dict:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Triple):
        return {"type": "triple", "value": {k: _json_term(getattr(term, k)) for k in ("subject", "predicate", "object")}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


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


_WRITERS = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}
