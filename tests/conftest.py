"""Shared fixtures: the project's settings, its graph in an embedded Oxigraph store, one validation run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.core.config import Settings
from kg.core.project import project_files
from kg.store.embedded import EmbeddedStore
from kg.validation.run import validate

TESTS = Path(__file__).parent
BASE = "https://w3id.org/infosec-law-kg/"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env({})


@pytest.fixture(scope="session")
def store(settings) -> EmbeddedStore:
    return EmbeddedStore.from_files(project_files(settings))


@pytest.fixture(scope="session")
def outcome(settings):
    """One full validation of the shipped graph (SHACL, OWL 2 DL profile, HermiT), shared by the tests."""
    return validate(settings)


@pytest.fixture(scope="session")
def java_required() -> bool:
    """CI installs a JRE, so there the OWL checks must run; elsewhere they may be skipped."""
    return os.environ.get("CI") == "true"


def competency(name: str) -> str:
    return (TESTS / "competency" / f"{name}.rq").read_text(encoding="utf-8")
