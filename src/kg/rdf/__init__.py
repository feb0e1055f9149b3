"""RDF and SPARQL as data: the formats table, terms, parsing with positions, result serialisation, the SPARQL lexer.

May import: `kg.core`. Only this package and `kg.store` import pyoxigraph; `kg.rdf.graphs` holds the rdflib side
(graphs for pySHACL and pyLODE).
"""
