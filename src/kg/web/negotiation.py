"""HTTP content negotiation (RFC 9110 §12.5.1): pick the best offered media type for an Accept header."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

from kg.core.errors import NotAcceptable

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
    """The offered media type the client prefers; `format_param` (a media type or an alias) overrides Accept.

    Ties go to the order of `offered`, so its first entry is the default. Raises NotAcceptable (406)."""
    if format_param:
        wanted = _wanted(format_param, aliases)
        if wanted in offered:
            return wanted
        raise NotAcceptable(f"format {format_param!r} is not available here; choose one of: "
                            f"{', '.join(sorted(set((aliases or {}).keys()) | set(offered)))}")
    best = _best(accept, tuple(offered))
    if best is None:
        raise NotAcceptable(f"none of the accepted media types ({accept}) can be produced; available: {', '.join(offered)}")
    return best


def choose_each(accept: str | None, offers: Mapping[K, Sequence[str]], aliases: dict[str, str] | None = None,
                format_param: str | None = None) -> dict[K, str]:
    """`choose` for each kind of answer at once (before knowing which one a query gives); kinds the client
    cannot take are left out, so an empty dict means 406 whatever the answer."""
    if format_param:
        wanted = _wanted(format_param, aliases)
        return {kind: wanted for kind, offered in offers.items() if wanted in offered}
    chosen = ((kind, _best(accept, tuple(offered))) for kind, offered in offers.items())
    return {kind: media for kind, media in chosen if media is not None}


def _wanted(format_param: str, aliases: dict[str, str] | None) -> str:
    return (aliases or {}).get(format_param.lower(), format_param.lower())


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
    for candidate in (media, f"{kind}/*", "*/*"):
        for range_, q in ranges:
            if range_ == candidate:
                return q
    return 0.0


def _specificity(media: str) -> int:
    return 0 if media == "*/*" else 1 if media.endswith("/*") else 2
