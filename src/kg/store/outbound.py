"""Refuse SPARQL `SERVICE` and `LOAD` towards hosts the operator has not allowed (`KG_SERVICE_ALLOWLIST`).

Oxigraph fetches SERVICE endpoints and LOAD sources over HTTP by itself and has no switch to stop it (measured with
pyoxigraph 0.5: it POSTs the sub-query to the SERVICE IRI and GETs the LOAD IRI), so every query and update is
checked here before it reaches an engine. The default allow-list is empty: no outbound requests at all.

The common case pays one case-insensitive substring scan. Only a text containing one of the words is parsed
(rdflib's SPARQL 1.1 parser) and its parse tree walked, so comments, literals and IRIs that merely contain the word
are not refused. SPARQL 1.1 §19.2 codepoint escapes (`\\u0053ERVICE`) also send a text to the parser.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from urllib.parse import SplitResult, urlsplit

from pyparsing import ParseResults
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Prologue
from rdflib.term import Variable

from kg.core.errors import Forbidden, QuerySyntaxError
from kg.rdf.sparql_lexer import expand_escapes, keywords

TRIGGERS = ("service", "load", "\\u")
# parse-tree node name -> (keyword, key holding its target)
OUTBOUND_NODES = {"ServiceGraphPattern": ("SERVICE", "term"), "Load": ("LOAD", "iri")}
DEFAULT_PORTS = {"http": 80, "https": 443}
OUTBOUND_KEYWORDS = {"SERVICE", "LOAD"}
_PARSER_LOCK = threading.Lock()  # pyparsing grammars are shared objects; parse one text at a time


def check_outbound(sparql_text: str, allowlist: tuple[str, ...]) -> None:
    """Raise Forbidden if a query's SERVICE or an update's LOAD targets a host not on `allowlist`."""
    lowered = sparql_text.lower()
    if not any(word in lowered for word in TRIGGERS):
        return
    targets = outbound_targets(sparql_text)
    for keyword, iri in targets:
        if iri is None:
            raise Forbidden(f"{keyword} with a variable endpoint is refused: its target cannot be checked against "
                            "the outbound allow-list (KG_SERVICE_ALLOWLIST); name the endpoint IRI instead")
        if not allowed(iri, allowlist):
            raise Forbidden(_refusal(keyword, iri))


def _refusal(keyword: str, iri: str) -> str:
    target = urlsplit(iri)
    if target.scheme not in DEFAULT_PORTS or not target.hostname:
        return f"{keyword} <{iri}> is refused: only http(s) IRIs with a host can be put on KG_SERVICE_ALLOWLIST"
    return (f"{keyword} <{iri}> is refused: {target.hostname} is not on the operator's outbound allow-list. "
            f"The server makes no outbound requests unless allowed; an operator can allow this one with "
            f"KG_SERVICE_ALLOWLIST={target.hostname} (comma-separated hosts, host:port or URL prefixes)")


def outbound_targets(sparql_text: str) -> list[tuple[str, str | None]]:
    """(keyword, absolute IRI or None for a variable) for every SERVICE and LOAD in a query or update."""
    walker, tree, error = _parse(sparql_text)
    if tree is None:
        return _unparsable(sparql_text, error)
    found = list(walker(tree))
    if not found and _bare_keywords(sparql_text):
        raise Forbidden("the text uses SERVICE or LOAD in a way the outbound check cannot follow; refused "
                        "(the server makes no outbound requests the operator did not allow)")
    return found


def _parse(sparql_text: str):
    """(walker, parse tree, None) from the grammar that accepts the text, or (None, None, the furthest error)."""
    with _PARSER_LOCK:
        try:
            return _query_targets, parseQuery(sparql_text), None
        except Exception as query_error:  # pyparsing and rdflib raise several types; try the other grammar
            try:
                return _update_targets, parseUpdate(sparql_text), None
            except Exception as update_error:
                return None, None, max(query_error, update_error, key=lambda error: getattr(error, "loc", -1))


def allowed(iri: str, allowlist: tuple[str, ...]) -> bool:
    """Whether an http(s) IRI matches an allow-list entry: `host`, `host:port` or a URL prefix `https://host/path`."""
    target = urlsplit(iri)
    if target.scheme not in DEFAULT_PORTS or not target.hostname:
        return False
    return any(_matches(entry.strip(), target) for entry in allowlist if entry.strip())


def _matches(entry: str, target: SplitResult) -> bool:
    try:
        rule = urlsplit(entry if "://" in entry else f"//{entry}")
        return (rule.hostname == target.hostname
                and rule.port in (None, target.port or DEFAULT_PORTS[target.scheme])
                and rule.scheme in ("", target.scheme)
                and target.path.startswith(rule.path))
    except ValueError:  # a malformed entry (bad port) allows nothing
        return False


def _query_targets(parsed: ParseResults) -> Iterator[tuple[str, str | None]]:
    prologue = translatePrologue(parsed[0], None)
    yield from _walk(parsed[1], prologue)


def _update_targets(parsed: CompValue) -> Iterator[tuple[str, str | None]]:
    """Each operation of an update with the prefixes declared so far (they carry over, as in rdflib's algebra)."""
    prologue = None
    for declarations, operation in zip(parsed.prologue or [], parsed.request or []):
        prologue = translatePrologue(declarations, None, None, prologue)
        yield from _walk(operation, prologue)


def _walk(tree, prologue: Prologue) -> Iterator[tuple[str, str | None]]:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue) and node.name in OUTBOUND_NODES:
            keyword, key = OUTBOUND_NODES[node.name]
            yield keyword, _absolute(OrderedDict.get(node, key), prologue)
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)


def _absolute(term, prologue: Prologue) -> str | None:
    if isinstance(term, Variable):
        return None
    try:
        return str(prologue.absolutize(term))
    except Exception as error:  # rdflib raises a bare Exception for an undeclared prefix
        raise QuerySyntaxError(f"malformed query: {error}") from None


def _bare_keywords(sparql_text: str) -> bool:
    """SERVICE / LOAD used as keywords, outside strings, IRIs and comments (an escape that is no character counts)."""
    try:
        return bool(keywords(expand_escapes(sparql_text)) & OUTBOUND_KEYWORDS)
    except ValueError:
        return True


def _unparsable(sparql_text: str, error: Exception) -> list:
    """A text rdflib cannot parse: the engine reports the syntax error unless it uses SERVICE or LOAD at all."""
    if _bare_keywords(sparql_text):
        raise Forbidden("SERVICE or LOAD in a text the outbound check cannot parse as SPARQL 1.1, so its target "
                        f"cannot be checked; refused ({' '.join(str(error).split())})")
    return []
