"""HTTP content negotiation (RFC 9110 §12.5.1): pick the best offered media type for an Accept header.

`format=` names a syntax for the kind of answer on offer (`kg.rdf.formats.aliases_for`: `xml` is SPARQL XML for a
table, RDF/XML for a graph). When it names nothing on offer, an Accept that names a type on offer (not only
wildcards) wins; otherwise it is a 406 listing the names that would have worked. Other names of a type
(`application/json` for JSON-LD or SPARQL JSON) count as the type itself in Accept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

from kg.core.errors import NotAcceptable
from kg.rdf.formats import ACCEPTED_AS, aliases_for

K = TypeVar("K")


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first; a missing header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, -_specificity(media), position))
    ranges.sort(key=lambda r: (-r[1], r[2], r[3]))
    return [(media, q) for media, q, _, _ in ranges]


def choose(accept: str | None, offered: list[str], aliases: dict[str, str] | None = None,
           format_param: str | None = None) -> str:
    """The offered media type the client prefers; `format_param` (a media type or an alias, read for the kinds on
    offer; `aliases` adds names such as `html`) overrides Accept.

    Ties go to the order of `offered`, so its first entry is the default. Raises NotAcceptable (406)."""
    if format_param:
        names = _names(tuple(offered), aliases)
        wanted = _wanted(format_param, names)
        if wanted in offered:
            return wanted
        if _explicit(accept) and (best := _best(accept, tuple(offered))):
            return best
        usable = {name for name, target in names.items() if target in offered} | set(offered)
        raise NotAcceptable(f"format {format_param!r} is not available here; choose one of: {', '.join(sorted(usable))}")
    best = _best(accept, tuple(offered))
    if best is None:
        raise NotAcceptable(f"none of the accepted media types ({accept}) can be produced; available: {', '.join(offered)}")
    return best


def choose_each(accept: str | None, offers: Mapping[K, Sequence[str]], aliases: dict[str, str] | None = None,
                format_param: str | None = None) -> dict[K, str]:
    """`choose` for each kind of answer at once (before knowing which one a query gives); kinds the client
    cannot take are left out, so an empty dict means 406 whatever the answer."""
    chosen = {}
    for kind, offered in offers.items():
        offered = tuple(offered)
        media = _wanted(format_param, _names(offered, aliases)) if format_param else None
        if media not in offered:
            media = _best(accept, offered) if not format_param or _explicit(accept) else None
        if media is not None:
            chosen[kind] = media
    return chosen


def _names(offered: tuple[str, ...], aliases: Mapping[str, str] | None) -> dict[str, str]:
    """`format=` names for these offered types: the kinds' own names win over the caller's extra ones."""
    return {**(aliases or {}), **aliases_for(offered)}


def _wanted(format_param: str, names: Mapping[str, str]) -> str:
    return names.get(format_param.lower(), format_param.lower())


@lru_cache(maxsize=256)
def _explicit(accept: str | None) -> bool:
    """Whether Accept names at least one media type (not only wildcards) with a q above 0."""
    return any(q > 0 and not media.endswith("/*") for media, q in parse_accept(accept))


@lru_cache(maxsize=256)
def _best(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The best offered type or None; cached, since clients repeat a few Accept headers on every request."""
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for media in offered:
        q = _quality(media, ranges)
        if q > best_q:
            best, best_q = media, q
    return best


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The q-value of the most specific range matching `media` (RFC 9110: more specific ranges take precedence)."""
    kind = media.split("/")[0]
    for candidate in (media, *ACCEPTED_AS.get(media, ()), f"{kind}/*", "*/*"):
        for range_, q in ranges:
            if range_ == candidate:
                return q
    return 0.0


def _specificity(media: str) -> int:
    return 0 if media == "*/*" else 1 if media.endswith("/*") else 2
