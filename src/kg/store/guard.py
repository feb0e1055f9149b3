"""The store's one entrance check: what a query or update must satisfy before any engine or parser sees it.

Every `Store.query` and `Store.update` calls its guard first, whichever door the text came in by (HTTP, the CLI,
a canned query, a write's scratch copy, an executor process, a remote server), so each policy is written once:

1. The text is read twice when it holds codepoint escapes (`\\u0053ERVICE`): as written, the way Oxigraph reads it
   (escapes only inside strings and IRIs), and with the escapes expanded first, the way SPARQL 1.1 §19.2 and
   engines that follow it (Jena) read it. Each check below must pass on both readings; an escape that is no
   character (a lone surrogate) is refused.
2. The text is read by the one SPARQL lexer (`kg.rdf.sparql_lexer`). Where the lexer could disagree with the engine
   about what is code and what is data, the text is refused rather than guessed at: a stray backslash in code, or an
   IRI inside parentheses holding a quote (the engine may read its `<` as "less than" and the quote as a string).
3. Nesting (groups, parentheses, brackets, property paths) deeper than `max_depth` is refused: a few thousand
   nested braces overflow the engine's stack (and any recursive parser's) and crash the process.
4. SERVICE and LOAD only towards the operator's allow-list (`kg.store.outbound`).

A refusal is a 4xx with a message naming the rule; nothing reaches an engine around it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from kg.core.errors import InputRefused
from kg.rdf.sparql_lexer import REMEMBERED_LENGTH, Token, code_tokens, expand_escapes
from kg.store import outbound

DEFAULT_MAX_DEPTH = 64
OPENING, CLOSING = {"{", "(", "["}, {"}", ")", "]"}


@dataclass(frozen=True)
class Guard:
    """The checks for one store, from the operator's settings; the default allows no outbound request."""

    outbound_allowlist: tuple[str, ...] = ()
    max_depth: int = DEFAULT_MAX_DEPTH

    @classmethod
    def from_settings(cls, settings) -> "Guard":
        return cls(outbound_allowlist=tuple(settings.service_allowlist), max_depth=settings.max_depth)

    def check(self, sparql: str) -> None:
        """Raise a KgError (400 or 403) if the text may not reach an engine. A short text that passed is remembered
        (clients repeat their queries; a refusal is never remembered, it is raised again)."""
        if len(sparql) <= REMEMBERED_LENGTH:
            _passed(self, sparql)
        else:
            self.inspect(sparql)

    def inspect(self, sparql: str) -> None:
        for text in _readings(sparql):
            tokens = code_tokens(text)
            _unambiguous(text, tokens)
            _shallow(tokens, self.max_depth)
            if outbound.mentions_outbound(text):
                outbound.check(tokens, self.outbound_allowlist)


@functools.lru_cache(maxsize=2048)
def _passed(guard: Guard, sparql: str) -> bool:
    guard.inspect(sparql)
    return True


def _readings(sparql: str) -> list[str]:
    """The text as written and, if it holds codepoint escapes, with them expanded."""
    try:
        expanded = expand_escapes(sparql)
    except ValueError as error:
        raise InputRefused(f"the text holds an escape that is no character: {error}") from None
    return [sparql] if expanded == sparql else [sparql, expanded]


def _unambiguous(text: str, tokens: list[Token]) -> None:
    """Refuse where the engine could tokenise differently: its `<` may be "less than" inside an expression, so an
    IRI there holding a quote may really start a string, and one holding `#` may start a comment that swallows a
    long string's opening quotes on the same line."""
    depth, comment_may_run_to = 0, -1
    for token in tokens:
        if token.kind == "other" and token.text.startswith("\\"):
            raise InputRefused(f"a backslash outside strings and names ({token.text!r} at character {token.start}) "
                               "is not SPARQL; refused")
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth = max(depth - 1, 0)
        elif token.kind == "iri" and depth and "'" in token.text:
            raise InputRefused(f"{token.text} inside an expression can also be read as '<' followed by a string; "
                               "refused (percent-encode the quote as %27)")
        elif token.kind == "iri" and depth and "#" in token.text:
            comment_may_run_to = _line_end(text, token.end)
        elif token.kind == "string" and token.text[:3] in ('"""', "\'\'\'") and token.start < comment_may_run_to:
            raise InputRefused("a long string opens on the same line as an IRI with '#' inside an expression, which "
                               "can also be read as a comment; refused (start the string on a new line)")


def _line_end(text: str, position: int) -> int:
    ends = [end for end in (text.find("\n", position), text.find("\r", position)) if end >= 0]
    return min(ends, default=len(text))


def _shallow(tokens: list[Token], limit: int) -> None:
    depth = 0
    for token in tokens:
        if token.text in OPENING:
            depth += 1
            if depth > limit:
                raise InputRefused(f"the text nests groups, parentheses or brackets more than {limit} deep "
                                   f"(KG_MAX_DEPTH); refused before it reached the engine")
        elif token.text in CLOSING:
            depth = max(depth - 1, 0)
