"""Validation: SHACL over the whole graph or chosen focus nodes, the OWL 2 DL profile and HermiT, and the reports.

May import: `kg.core`, `kg.rdf`, `kg.store` (the focus validator reads the store it is given).
"""
