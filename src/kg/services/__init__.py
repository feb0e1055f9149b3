"""What the tool does, independent of how it is asked: canned queries, describing a resource, loading, exporting,
validated writes, statistics and the model diagram. No HTTP here.

May import: `kg.core`, `kg.rdf`, `kg.queries`, `kg.store`, `kg.validation`.
"""
