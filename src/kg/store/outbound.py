"""Refuse SPARQL `SERVICE` and `LOAD` towards hosts the operator has not allowed (`KG_SERVICE_ALLOWLIST`).

Oxigraph fetches SERVICE endpoints and LOAD sources over HTTP by itself and has no switch to stop it (measured with
pyoxigraph 0.5: it POSTs the sub-query to the SERVICE IRI and GETs the LOAD IRI). It also reads keywords without a
word boundary: `SERVICEex:x`, `LOADSILENT<...>`, `trueSERVICE<...>` and `PREFIXex: <...>` all parse, and fetch.
So the check works on the tokens of `kg.rdf.sparql_lexer` (after `\\u` escapes are expanded) and fails closed:

- every bare word (or the prefix of a prefixed name) that contains SERVICE or LOAD must be exactly that keyword;
  a word that merely starts with PREFIX, BASE or SILENT must be exactly that keyword too;
- a keyword's target must be an absolute http(s) IRI written out or a prefixed name whose prefix this text declared
  with an absolute IRI; a variable, a relative IRI or an unknown prefix cannot be checked and is refused;
- the target's host must be on the allow-list (empty by default: no outbound requests at all).

Words inside strings, IRIs and comments are data and never refused (`tests/test_outbound.py` has the corpus).
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from kg.core.errors import Forbidden, InputRefused
from kg.rdf.sparql_lexer import Token

OUTBOUND = ("SERVICE", "LOAD")
EXACT = ("PREFIX", "BASE", "SILENT")  # keywords a glued word could smuggle past us
DEFAULT_PORTS = {"http": 80, "https": 443}
HINT = "the server makes no outbound requests the operator did not allow"


def mentions_outbound(text: str) -> bool:
    """Whether the text could hold SERVICE or LOAD at all (keywords are ASCII, matched case-insensitively)."""
    lowered = text.lower()
    return "service" in lowered or "load" in lowered


def check(tokens: list[Token], allowlist: tuple[str, ...]) -> None:
    """Raise Forbidden (403) for a target not allowed, InputRefused (400) for what cannot be checked."""
    prefixes: dict[str, str] = {}
    for index, token in enumerate(tokens):
        if token.kind != "word":
            continue
        word = token.text.upper()
        head, colon, local = token.text.partition(":")
        if colon and head.upper() in OUTBOUND:  # `service:x` is also `SERVICE :x` to the engine
            _check_default_prefixed(head.upper(), local, prefixes, allowlist)
            continue
        _refuse_glued(token.text, word)
        if word == "PREFIX":
            _declare(tokens, index, prefixes)
        elif word in OUTBOUND:
            keyword, target = word, _target(tokens, index, prefixes)
            if not allowed(target, allowlist):
                raise Forbidden(_refusal(keyword, target))


def _check_default_prefixed(keyword: str, local: str, prefixes: dict[str, str], allowlist: tuple[str, ...]) -> None:
    """A prefix named `service:` or `load:` reads as the keyword followed by a name in the default prefix; without a
    default prefix that name cannot be resolved, so the engine cannot take it as a target."""
    if "" not in prefixes:
        return
    target = prefixes[""] + _unescape_local(local)
    if not allowed(target, allowlist):
        raise Forbidden(_refusal(keyword, target))


def _refuse_glued(text: str, word: str) -> None:
    head = word.split(":", 1)[0]
    if word in OUTBOUND or (word in EXACT and ":" not in word):
        return
    if any(keyword in head for keyword in OUTBOUND):
        raise InputRefused(f"{text!r} reads as SERVICE or LOAD to the SPARQL engine, whose target cannot be checked "
                           f"here; refused ({HINT}). Rename the prefix or variable, or put the word in a string")
    if any(head.startswith(keyword) and head != keyword for keyword in EXACT):
        raise InputRefused(f"{text!r} reads as a keyword glued to a name; write a space after the keyword")


def _declare(tokens: list[Token], index: int, prefixes: dict[str, str]) -> None:
    """`PREFIX ex: <iri>`: remember the namespace (only absolute IRIs; a relative one stays unknown)."""
    name, value = _following(tokens, index, 2)
    if name is not None and value is not None and value.kind == "iri" and name.text.endswith(":"):
        namespace = value.text[1:-1]
        if _absolute(namespace):
            prefixes[name.text[:-1]] = namespace
        else:
            prefixes.pop(name.text[:-1], None)


def _target(tokens: list[Token], index: int, prefixes: dict[str, str]) -> str:
    """The absolute IRI after `SERVICE [SILENT]` or `LOAD [SILENT]`, or InputRefused."""
    keyword = tokens[index].text.upper()
    following = iter(tokens[index + 1:])
    target = next(following, None)
    if target is not None and target.kind == "word" and target.text.upper() == "SILENT":
        target = next(following, None)
    if target is None:
        raise InputRefused(f"{keyword} without a target")
    if target.kind == "var":
        raise InputRefused(f"{keyword} with a variable endpoint is refused: its target cannot be checked against the "
                           "outbound allow-list (KG_SERVICE_ALLOWLIST); name the endpoint IRI instead")
    iri = _resolve(target, prefixes)
    if iri is None or not _absolute(iri):
        raise InputRefused(f"{keyword} {target.text} is refused: only an absolute http(s) IRI, written out or with a "
                           f"prefix declared in the query, can be checked against the allow-list ({HINT})")
    return iri


def _resolve(token: Token, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "word" and ":" in token.text:
        prefix, local = token.text.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + _unescape_local(local)
    return None


def _unescape_local(local: str) -> str:
    """PN_LOCAL_ESC: `\\/` stands for `/`, as the engine reads it."""
    out, chars = [], iter(local)
    for char in chars:
        out.append(next(chars, "") if char == "\\" else char)
    return "".join(out)


def _following(tokens: list[Token], index: int, count: int) -> list[Token | None]:
    found = tokens[index + 1:index + 1 + count]
    return found + [None] * (count - len(found))


def _absolute(iri: str) -> bool:
    parts = urlsplit(iri)
    return parts.scheme.lower() in DEFAULT_PORTS and bool(parts.netloc)


def _refusal(keyword: str, iri: str) -> str:
    target = urlsplit(iri)
    if target.scheme not in DEFAULT_PORTS or not target.hostname or "@" in target.netloc:
        return f"{keyword} <{iri}> is refused: only http(s) IRIs with a host (and no user part) can be allowed"
    return (f"{keyword} <{iri}> is refused: {target.hostname} is not on the operator's outbound allow-list. "
            f"The server makes no outbound requests unless allowed; an operator can allow this one with "
            f"KG_SERVICE_ALLOWLIST={target.hostname} (comma-separated hosts, host:port or URL prefixes)")


def allowed(iri: str, allowlist: tuple[str, ...]) -> bool:
    """Whether an http(s) IRI matches an allow-list entry: `host`, `host:port` or a URL prefix `https://host/path`."""
    try:
        target = urlsplit(iri)
        target.port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        return False
    if target.scheme not in DEFAULT_PORTS or not target.hostname or "@" in target.netloc:
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

