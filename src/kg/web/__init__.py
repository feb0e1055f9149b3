"""The Flask front: thin routes over services over a store."""

from kg.web.app import create_app

__all__ = ["create_app"]
