"""The project's layout: its RDF files, the named graph each one is loaded into, and the languages it speaks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.core.config import Settings


LANGUAGES = ("kk", "ru", "en")  # the graph's languages, the article's own first: the order tables show them in
DEFAULT_LANGUAGE = LANGUAGES[-1]


def fallback(language: str) -> tuple[str, ...]:
    """The languages to try for a reader of `language`: theirs, then the most widely read: English, Russian, Kazakh."""
    return tuple(dict.fromkeys((language, *reversed(LANGUAGES))))


@dataclass(frozen=True)
class DataFile:
    path: Path
    graph: str


def ontology_files(settings: Settings) -> list[DataFile]:
    """Ontology modules, each into `{base}graph/ontology/{module}`."""
    return [DataFile(p, settings.graph_iri(f"ontology/{p.stem}")) for p in _turtle(settings.ontology_dir)]


def graph_files(settings: Settings) -> list[DataFile]:
    """Instance data, one topic per file, each into `{base}graph/{topic}`."""
    return [DataFile(p, settings.graph_iri(p.stem)) for p in _turtle(settings.graph_dir)]


def shapes_files(settings: Settings) -> list[Path]:
    return _turtle(settings.shapes_dir)


def project_files(settings: Settings) -> list[DataFile]:
    return ontology_files(settings) + graph_files(settings)


def _turtle(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ttl"))
