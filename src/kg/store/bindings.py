"""Send typed variable bindings to a SPARQL server that has no way to receive them, without pasting input.

The SPARQL 1.1 Protocol has no parameter for initial bindings, so a remote query carries them as inline data,
`VALUES (?a ?b) { (<term> <term>) }` (SPARQL 1.1 §10.2.1). Each term is written by pyoxigraph in its canonical
N-Triples form (`str(term)`): an IRI was validated when its NamedNode was built (no `>`, `{`, space or quote can
occur in it) and a literal is quoted with `"`, `\\`, newlines and control characters escaped, so a value full of
quotes, braces or SPARQL keywords stays one RDF term. Only these blocks are added; the query's own text is kept
as written, and raw input never reaches it.

Where the blocks go decides what they mean. A trailing `VALUES` after the solution modifiers is valid for any
query form, but it is joined after grouping and outside every FILTER (SPARQL 1.1 §18.2.4.3): a parameter used in
`FILTER(CONTAINS(?label, ?text))`, in `langMatches(..., ?lang)` inside an OPTIONAL, or in GROUP BY would be unbound
there. Oxigraph's `substitutions` (the embedded store) bind the variable before anything is evaluated, in every
nested group and in a sub-SELECT that projects it. The text form of that is a block at the start of every group
graph pattern (each `{ ... }` of WHERE, OPTIONAL, UNION, MINUS, GRAPH, EXISTS), restricted inside a sub-SELECT to
the variables it projects: joining the same one-row binding everywhere is the substitution. Not touched: VALUES
data blocks, the CONSTRUCT template, annotations. A query with no such group (`DESCRIBE <iri>`, the `CONSTRUCT
WHERE` short form whose template admits only triples) takes a trailing block, which is equivalent there.
`tests/test_store_bindings.py` checks every canned query's examples give the same answer both ways.
"""

from __future__ import annotations

import re

import pyoxigraph

from kg.core.errors import UsageError
from kg.rdf.sparql_lexer import Token, code_tokens

PROJECT_ALL = ("SELECT", "DISTINCT", "REDUCED")  # the words before a `*` that means "every variable"
_VARIABLE = re.compile(r"\w+")


def bind(query: str, bindings: dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal] | None) -> str:
    """The query with its bindings as an inline VALUES block in each group graph pattern (see the module docstring)."""
    if not bindings:
        return query
    values_block(bindings)  # refuse a bad name or term even if no group would use it
    tokens = code_tokens(query)
    points = _groups(tokens, frozenset(bindings))
    if not points:
        return f"{query}\n{values_block(bindings)}"
    pieces, last = [], 0
    for position, scope in points:
        pieces += [query[last:position], " ", values_block({n: t for n, t in bindings.items() if n in scope}), " "]
        last = position
    return "".join(pieces) + query[last:]


def values_block(bindings: dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal]) -> str:
    """`VALUES (?a ?b) { (<iri> "literal"@en) }`, each term serialised by pyoxigraph."""
    names = " ".join(f"?{_variable(name)}" for name in bindings)
    terms = " ".join(_term(name, term) for name, term in bindings.items())
    return f"VALUES ({names}) {{ ({terms}) }}"


def _groups(tokens: list[Token], names: frozenset[str]) -> list[tuple[int, frozenset[str]]]:
    """Where each group graph pattern opens, with the bound variables in scope there.

    Not groups: a VALUES data block, the CONSTRUCT template, an annotation `{| |}`. A group that is only a
    sub-SELECT gets nothing (VALUES cannot precede SELECT); its WHERE group gets the variables it projects.
    """
    points: list[tuple[int, frozenset[str]]] = []
    stack: list[frozenset[str] | None] = []  # per open brace: variables in scope, None for a non-group
    data_block = template = False
    projection: set[str] | None = None  # what a sub-SELECT names, collected until its WHERE group opens
    for index, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        following = tokens[index + 1].text.upper() if index + 1 < len(tokens) else ""
        if word == "VALUES":
            data_block = True
        elif word == "CONSTRUCT" and not stack:
            if following == "WHERE":
                return []  # CONSTRUCT WHERE { template }: one basic graph pattern, no VALUES allowed in it
            template = True
        elif word == "SELECT" and stack:
            projection = set()
        elif projection is not None and token.kind == "var":
            projection.add(token.text[1:])
        elif projection is not None and token.text == "*" and tokens[index - 1].text.upper() in PROJECT_ALL:
            projection |= names
        elif token.kind == "open":
            outer = stack[-1] if stack else names
            if data_block or template or following == "|" or outer is None:
                stack.append(None)
                data_block = template = False
                continue
            scope = outer if projection is None else outer & frozenset(projection)
            if index >= 2 and tokens[index - 2].text.upper() == "GRAPH" and tokens[index - 1].kind == "var":
                scope -= {tokens[index - 1].text[1:]}  # `GRAPH ?g {`: ?g is joined from outside, as `GRAPH <g>` would be
            projection = None
            stack.append(scope)
            if scope and following != "SELECT":
                points.append((token.end, scope))
        elif token.kind == "close" and stack:
            stack.pop()
    return points


def _variable(name: str) -> str:
    if not _VARIABLE.fullmatch(name):
        raise UsageError(f"cannot bind {name!r}: not a SPARQL variable name")
    return name


def _term(name: str, term) -> str:
    if not isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
        raise UsageError(f"cannot bind ?{name} to {type(term).__name__}: only IRIs and literals can be sent as VALUES")
    return str(term)
