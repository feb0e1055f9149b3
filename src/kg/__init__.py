"""infosec-law-kg: a legal knowledge graph of the criminal-law protection of information security."""

__version__ = "0.1.0"
