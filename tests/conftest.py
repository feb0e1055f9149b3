"""Shared fixtures: the project's settings, its graph in an embedded Oxigraph store, one validation run, and the
web app around them (Flask's testing pattern: `app`, `client`, and `make_client` for settings variants).

Constants and helpers that are not fixtures (BASE, wait_until, ...) live in helpers.py.
"""

from __future__ import annotations

import os

import pytest

from kg.core.config import Settings
from kg.core.project import project_files
from kg.store.embedded import EmbeddedStore
from kg.validation.run import validate
from kg.web.app import create_app


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env({})


@pytest.fixture(scope="session")
def store(settings) -> EmbeddedStore:
    """The project graph, shared by the whole session (per xdist worker): tests only read it."""
    return EmbeddedStore.from_files(project_files(settings))


@pytest.fixture(scope="session")
def outcome(settings):
    """One full validation of the shipped graph (SHACL, OWL 2 DL profile, HermiT), shared by the tests."""
    return validate(settings)


@pytest.fixture(scope="session")
def java_required() -> bool:
    """CI installs a JRE, so there the OWL checks must run; elsewhere they may be skipped."""
    return os.environ.get("CI") == "true"


@pytest.fixture
def make_client(settings, store):
    """`make_client(**changes)`: a test client of a new app with `settings.with_(**changes)` over `store`, or over
    another store given as `make_client(store=..., ...)`.

    A module that overrides the `store` fixture (a fresh copy to write to, say) gets its clients over that store."""
    default = store

    def make(store=None, **changes):
        return create_app(settings.with_(**changes), default if store is None else store).test_client()
    return make


@pytest.fixture(scope="module")
def app(settings, store):
    """The service with the default settings over the session's `store`, one per test module: like a running
    service it keeps what it builds on first use (the ontology page takes seconds to render)."""
    return create_app(settings, store)


@pytest.fixture
def client(app):
    """A test client of `app` (its own cookies) for each test."""
    return app.test_client()
