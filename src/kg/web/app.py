"""The application factory: `create_app(settings, store)`; nothing global, tests build their own."""

from __future__ import annotations

from flask import Flask, request

from kg.core.config import Settings
from kg.core.errors import URITooLong
from kg.store.base import Store
from kg.store.open import open_store
from kg.core.project import LANGUAGES
from kg.web import admission, caching, i18n
from kg.web.ledger import Ledger
from kg.web.responses import register_errors, secure
from kg.web.routes import api, graph_store, pages, publishing, resources, sparql, validation

# Feature blueprints, registered in this order (resources last: it owns the catch-all IRI paths).
BLUEPRINTS = (sparql.blueprint, graph_store.blueprint, api.blueprint, publishing.blueprint, validation.blueprint,
              pages.blueprint, resources.blueprint)
# The longest request target (path and query string) answered: a GET query of 32 kB and more fits, percent-encoded.
# gunicorn's own request-line limit is lifted (kg.serving.gunicorn); its workers cut a head over 64 KiB.
MAX_REQUEST_TARGET = 60 * 1024


def create_app(settings: Settings | None = None, store: Store | None = None, ledger: Ledger | None = None) -> Flask:
    """Build the app around a store (default: the store the settings describe, opened now) and the admission ledger
    (`kg.web.admission`; gunicorn's master creates one shared by its workers, else the app gets its own)."""
    settings = settings or Settings.from_env()
    app = Flask("kg", static_folder=None)  # assets are served by the resources blueprint
    app.config["KG_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_body  # a form-encoded query may be as large as a direct one
    app.extensions["kg.store"] = store if store is not None else open_store(settings)
    register_errors(app)
    app.before_request(_target_length)
    admission.install(app, settings, ledger)  # first of the request hooks: before anything reads the body
    caching.install(app, settings, app.extensions["kg.store"])  # then a 304 or a cached answer, before any route
    app.after_request(secure)
    app.jinja_env.globals["languages"] = LANGUAGES
    i18n.install(app)  # the interface words in kk, ru or en, and Content-Language
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


def _target_length() -> None:
    """414 in the service's error shape for a request target over MAX_REQUEST_TARGET, saying what to do instead."""
    target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    if len(target) > MAX_REQUEST_TARGET:
        raise URITooLong(f"the request target is {len(target)} bytes, over the {MAX_REQUEST_TARGET} this service "
                         "reads: send a long query by POST (Content-Type: application/sparql-query, or a form)")
