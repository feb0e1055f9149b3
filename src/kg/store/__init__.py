"""Stores hold the graph and evaluate SPARQL. The embedded default is Oxigraph in this process."""

from kg.store.embedded import EmbeddedStore

__all__ = ["EmbeddedStore"]
