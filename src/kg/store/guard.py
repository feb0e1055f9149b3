"""The store's one entrance check: what a query or update must satisfy before any engine or parser sees it.

Every `Store.query` and `Store.update` calls its guard first, whichever door the text came in by (HTTP, the CLI,
a canned query, a write's scratch copy, an executor process, a remote server), so a policy is written once, here.
Today it holds the outbound policy (`kg.store.outbound`: no SERVICE or LOAD towards hosts the operator did not
allow).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.store.outbound import check_outbound


@dataclass(frozen=True)
class Guard:
    """The checks for one store, from the operator's settings; the default allows no outbound request."""

    outbound_allowlist: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> "Guard":
        return cls(outbound_allowlist=tuple(settings.service_allowlist))

    def check(self, sparql: str) -> None:
        """Raise a KgError (4xx) if the text may not reach an engine."""
        check_outbound(sparql, self.outbound_allowlist)
