"""Access to the app's settings and store from a request, so routes stay free of globals."""

from flask import current_app

from kg.core.config import Settings
from kg.store.base import Store


def settings() -> Settings:
    return current_app.config["KG_SETTINGS"]


def store() -> Store:
    return current_app.extensions["kg.store"]
