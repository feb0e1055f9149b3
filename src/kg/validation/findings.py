"""One shape for every problem `kg validate` reports, whichever check found it (SHACL, OWL profile, HermiT)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class Finding:
    """A validation result with the fields of a SHACL sh:ValidationResult, as plain strings."""

    severity: str
    message: str
    focusNode: str | None = None
    resultPath: str | None = None
    value: str | None = None
    sourceShape: str | None = None
    sourceConstraintComponent: str | None = None
    file: str | None = None  # where the data states the focus node (or its value): filled by kg.validation.locate
    line: int | None = None
    column: int | None = None

    @property
    def location(self) -> str | None:
        return f"{self.file}:{self.line}:{self.column}" if self.file else None

    def key(self) -> tuple:
        """What makes two results the same result, wherever they were found (introduced / fixed / still present)."""
        return (self.severity, self.focusNode, self.resultPath, self.value, self.sourceShape,
                self.sourceConstraintComponent, self.message)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Step:
    """One check of a validation run: its name, what it found, how long it took, and why it was skipped."""

    name: str
    findings: tuple[Finding, ...] = ()
    seconds: float = 0.0
    skipped: str | None = None
    note: str | None = None  # e.g. a result reused by content hash
