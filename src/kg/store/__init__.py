"""The store interface and its backends: embedded Oxigraph (in memory or on disk, optionally time-limited through
executor processes) and any remote SPARQL 1.1 server. Every query and update passes the store's guard
(`kg.store.guard`): the one place where what may reach an engine is decided.

May import: `kg.core`, `kg.rdf`, `kg.queries`.
"""
