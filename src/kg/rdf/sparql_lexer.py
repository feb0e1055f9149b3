"""The one SPARQL lexer: just enough of SPARQL 1.1's grammar (https://www.w3.org/TR/sparql11-query/#grammar) to
tell code from data without a full parse.

Comments, strings and IRIs can hold `{`, `#` or keyword-looking words and are single tokens; a prefixed name is
one word (so `select:x` is no keyword); braces carry their nesting depth. Codepoint escapes (`\\u0053ERVICE`)
are left as written: Oxigraph reads them only inside strings and IRIs, while SPARQL 1.1 §19.2 expands them before
parsing; `expand_escapes` gives that second reading to whoever needs both (the store's guard). Everything that needs
to know where the code is (binding variables, FROM detection, the query form, the guard) uses this module.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
REMEMBERED_LENGTH = 8192  # texts up to this many characters may be remembered by what reads them (memory bounded)
_STRINGS = "|".join([
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n\r]|\\.)*"', r"'(?:[^'\\\n\r]|\\.)*'",
])
_PN_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"  # PN_LOCAL_ESC: `ex:a\#b` is one name, its `#` no comment
_TOKEN = re.compile("|".join([
    r"(?P<comment>#[^\n\r]*)",
    f"(?P<string>{_STRINGS})",
    r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
    r"(?P<open>\{)",
    r"(?P<close>\})",
    r"(?P<var>[?$]\w+)",
    r"(?P<word>(?:[^\W\d][\w.-]*)?:(?:[\w.:%-]|" + _PN_LOCAL_ESC + r")*|[^\W\d][\w-]*)",
    r"(?P<space>\s+)",
    r"(?P<other>\\.|.)",
]), re.DOTALL)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
DATA = ("comment", "string", "iri")  # token kinds that are not code


@dataclass(frozen=True)
class Token:
    kind: str  # comment, string, iri, open, close, var, word, space, other
    text: str
    start: int
    end: int
    depth: int  # braces around the token (for a brace: around the group it opens or closes)


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text, in order, spaces and comments included (they cover the text exactly)."""
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "close":
            depth = max(depth - 1, 0)
        yield Token(kind, match.group(), match.start(), match.end(), depth)
        if kind == "open":
            depth += 1


def code_tokens(text: str) -> list[Token]:
    """The tokens that matter to the grammar: no spaces, no comments."""
    return [token for token in tokens(text) if token.kind not in ("space", "comment")]


def expand_escapes(text: str) -> str:
    """SPARQL §19.2: `\\uXXXX` and `\\UXXXXXXXX` replaced by their characters; ValueError for a code point that
    is no character (a surrogate or past U+10FFFF), which no engine should be handed."""
    def character(match: re.Match) -> str:
        point = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
            raise ValueError(f"{match.group()} is not a character")
        return chr(point)

    return _ESCAPE.sub(character, text) if "\\u" in text or "\\U" in text else text


def code_only(text: str) -> str:
    """The text with strings, IRIs and comments replaced by spaces."""
    return "".join(" " if token.kind in DATA else token.text for token in tokens(text))


def keywords(text: str) -> set[str]:
    """The bare words of the code, upper-cased (SPARQL keywords are case-insensitive)."""
    return {token.text.upper() for token in tokens(text) if token.kind == "word"}


def has_dataset_clause(text: str) -> bool:
    """Whether a query names its own dataset (FROM / FROM NAMED); a substring test first keeps the common case cheap."""
    return "from" in text.lower() and "FROM" in keywords(text)


def query_form(text: str) -> str | None:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first such keyword outside braces, strings, IRIs and comments. A short
    text's form is remembered: clients repeat their queries, and a form after a long PREFIX prologue costs a pass
    over all of it."""
    return _remembered_form(text) if len(text) <= REMEMBERED_LENGTH else _scan_form(text)


def _scan_form(text: str) -> str | None:
    for token in tokens(text):
        if token.kind == "word" and token.depth == 0 and token.text.upper() in FORMS:
            return token.text.upper()
    return None


_remembered_form = functools.lru_cache(maxsize=2048)(_scan_form)
