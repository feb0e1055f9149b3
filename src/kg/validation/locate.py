"""Give each validation result the `file:line:column` of the statement behind it, and short names for its terms.

The Turtle files are read a second time by `kg.rdf.positions` (a position-aware reading), only when there are results
to place and only until each is placed: the files a change touched first, then the others.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from kg.rdf.namespaces import PREFIXES
from kg.rdf.positions import Positions, scan
from kg.validation.findings import Finding

Source = tuple[str, Callable[[], str]]  # a file's display name, and how to read its text


class Locator:
    def __init__(self, sources: Iterable[Source], base: str = "") -> None:
        self.sources, self.read, self.base = list(sources), [], base
        self.prefixes: dict[str, str] = {}

    def _scanned(self) -> Iterable[Positions]:
        yield from self.read
        while len(self.read) < len(self.sources):
            name, text = self.sources[len(self.read)]
            try:
                positions = scan(name, text=text(), name=name)
            except (OSError, UnicodeDecodeError):
                positions = Positions()
            self.read.append(positions)
            for prefix, namespace in positions.prefixes.items():
                self.prefixes.setdefault(prefix, namespace)
            yield positions

    def place(self, finding: Finding) -> Finding:
        if not finding.focusNode or finding.focusNode.startswith("_:"):
            return finding
        value = finding.value if finding.value != finding.focusNode else None
        for mentions in (False, True):
            for positions in self._scanned():
                where = positions.locate(finding.focusNode, finding.resultPath, value, mentions)
                if where is not None:
                    return dataclasses.replace(finding, file=where.file, line=where.line, column=where.column)
        return finding

    def place_all(self, findings: Iterable[Finding]) -> list[Finding]:
        return [self.place(finding) for finding in findings]

    def names(self) -> dict[str, str]:
        """The prefixes to print names with: the files' own first, then the project's."""
        for _ in self._scanned():
            if self.prefixes:
                break
        return {**{k: v for k, v in PREFIXES.items() if v not in self.prefixes.values()}, **self.prefixes}


def short(iri: str | None, prefixes: dict[str, str], base: str = "") -> str:
    """`kg:Article` with the given prefixes, `<eli/kz/...>` under the base, `<iri>` otherwise."""
    if iri is None:
        return ""
    if iri.startswith("_:"):
        return iri
    best = max((ns for ns in prefixes.values() if iri.startswith(ns) and iri != ns), key=len, default=None)
    if best is not None:
        local = iri[len(best):]
        if local and all(c.isalnum() or c in "_-." for c in local) and not local.endswith("."):
            prefix = next(p for p, ns in prefixes.items() if ns == best)
            return f"{prefix}:{local}"
    if base and iri.startswith(base) and iri != base:
        return f"<{iri[len(base):]}>"
    return f"<{iri}>" if ":" in iri else iri
