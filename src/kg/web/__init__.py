"""The Flask front: `kg.web.app.create_app`, routes in `kg.web.routes` (HTTP only), and their helpers beside them
(`responses` for negotiation, CORS/Vary and error bodies; `protocol` for reading SPARQL 1.1 Protocol requests; the
documents: service description, VoID, OpenAPI, resource pages, the ontology page). Hands nothing on.

May import: `kg.core`, `kg.rdf`, `kg.queries`, `kg.store`, `kg.validation`, `kg.services`.
"""
