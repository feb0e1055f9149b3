"""Light lexical facts about SPARQL text that decide how to run it, without a full parse.

Only keywords matter here, so strings, IRIs and comments are blanked out first (one left-to-right scan, so a '#'
inside a string is data)."""

from __future__ import annotations

import re

NOT_CODE = re.compile(r"""'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'"""
                      r"""|"(?:[^"\\\n\r]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n\r]*""", re.S)
_FROM = re.compile(r"(?<![\w:?$@.\-])from(?![\w:\-])", re.I)


def code_only(sparql_text: str) -> str:
    """The text with strings, IRIs and comments replaced by spaces."""
    return NOT_CODE.sub(" ", sparql_text)


def has_dataset_clause(sparql_text: str) -> bool:
    """Whether a query names its own dataset (FROM / FROM NAMED); a substring test first keeps the common case cheap."""
    return "from" in sparql_text.lower() and bool(_FROM.search(code_only(sparql_text)))
