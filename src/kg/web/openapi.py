"""The OpenAPI 3.1 document of the service (https://spec.openapis.org/oas/v3.1.0): `/sparql` (SPARQL 1.1
Protocol), `/data` (Graph Store Protocol) and every canned query, generated from the registry's metadata so
that adding a query file adds it here too."""

from __future__ import annotations

from collections.abc import Mapping

from kg import __version__
from kg.rdf.formats import ALIASES, DATASET_TYPES, RDF_TYPES, TABLE_TYPES
from kg.services.canned import TYPES, CannedQuery, Parameter
from kg.services.forms import result_variables
from kg.web.service_description import DESCRIPTION_TYPES

GRAPH_TYPES = RDF_TYPES + DATASET_TYPES
FORMATS = sorted(ALIASES)
JSON_RESULTS = "application/sparql-results+json"


def document(queries: Mapping[str, CannedQuery], server: str = "/") -> dict:
    paths = {"/sparql": _sparql(), "/data": _graph_store(), "/api/queries": _query_list(), "/validate": _validate()}
    paths.update({f"/api/queries/{q.name}": _canned(q) for q in queries.values()})
    return {
        "openapi": "3.1.0",
        "info": {"title": "infosec-law-kg query API", "version": __version__,
                 "description": "SPARQL 1.1 Protocol, Graph Store Protocol and canned queries over a legal "
                                "knowledge graph of the criminal-law protection of information security "
                                "(Kazakhstan and the CIS).",
                 "license": {"name": "CC-BY-4.0 (data) AND MIT (code)", "identifier": "CC-BY-4.0 AND MIT"}},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "The write token (KG_WRITE_TOKEN); writes are refused without one."}},
            "schemas": {"RdfTerm": RDF_TERM, "Error": {"type": "object", "required": ["error", "detail"],
                                  "properties": {"error": {"type": "string"}, "detail": {"type": "string"},
                                                 "report": {"type": "object", "description": "SHACL report (422)"}}}},
            "responses": {str(code): _error(text) for code, text in ERRORS.items()},
        },
    }


ERRORS = {
    400: "Bad request: a malformed query or parameter; the detail says which",
    401: "No valid bearer token", 403: "Writes are disabled, or an outbound request is not allowed",
    404: "Not found", 406: "None of the accepted media types can be produced", 413: "Request body too large",
    422: "The write would violate the SHACL shapes; nothing was changed", 503: "The query ran past the time limit",
    415: "The body's media type cannot be read", 501: "Not possible against this kind of store; the detail says why",
}


def _error(text: str) -> dict:
    return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _errors(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/{code}"} for code in codes}


def _content(media_types: list[str]) -> dict:
    return {media: {"schema": {"type": "string"}} for media in media_types}


def _param(name: str, description: str, where: str = "query", schema: dict | None = None, **extra) -> dict:
    return {"name": name, "in": where, "description": description, "schema": schema or {"type": "string"}, **extra}


FORMAT = _param("format", "Result format, overriding Accept: a media type or one of its short names",
                schema={"type": "string", "examples": FORMATS})
DATASET = [_param("default-graph-uri", "A graph of the query's default graph (repeatable)",
                  schema={"type": "array", "items": {"type": "string", "format": "iri"}}, explode=True),
           _param("named-graph-uri", "A named graph of the query's dataset (repeatable)",
                  schema={"type": "array", "items": {"type": "string", "format": "iri"}}, explode=True)]


def _sparql() -> dict:
    ok = {"description": "SELECT/ASK results, or the CONSTRUCT/DESCRIBE graph",
          "content": _content(TABLE_TYPES + GRAPH_TYPES)}
    form = {"type": "object", "properties": {"query": {"type": "string"}, "update": {"type": "string"},
                                             "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                                             "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                                             "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                                             "using-named-graph-uri": {"type": "array", "items": {"type": "string"}}}}
    return {
        "get": {"summary": "SPARQL 1.1 query; without a query, the Service Description", "tags": ["SPARQL"],
                "operationId": "sparqlGet",
                "parameters": [_param("query", "The SPARQL query; omit it for the Service Description"), *DATASET, FORMAT],
                "responses": {"200": {**ok, "content": _content(TABLE_TYPES + GRAPH_TYPES + DESCRIPTION_TYPES)},
                              **_errors(400, 406, 503)}},
        "post": {"summary": "SPARQL 1.1 query or update (form or direct body); updates need the bearer token",
                 "tags": ["SPARQL"], "operationId": "sparqlPost", "parameters": [*DATASET, FORMAT],
                 "security": [{}, {"bearer": []}],
                 "requestBody": {"required": True, "content": {
                     "application/x-www-form-urlencoded": {"schema": form},
                     "application/sparql-query": {"schema": {"type": "string"}},
                     "application/sparql-update": {"schema": {"type": "string"}}}},
                 "responses": {"200": ok, "204": {"description": "Update applied"},
                               **_errors(400, 401, 403, 406, 413, 422, 503)}},
    }


def _graph_store() -> dict:
    target = [_param("graph", "The named graph (IRI); or use `default`", schema={"type": "string", "format": "iri"}),
              _param("default", "Address the default graph", schema={"type": "string"}, allowEmptyValue=True)]
    body = {"required": True, "content": _content(RDF_TYPES)}
    write = {"security": [{"bearer": []}], "tags": ["Graph Store"]}
    return {
        "get": {"summary": "Read a graph", "tags": ["Graph Store"], "operationId": "graphGet",
                "parameters": [*target, FORMAT],
                "responses": {"200": {"description": "The graph", "content": _content(GRAPH_TYPES)},
                              **_errors(400, 404, 406)}},
        "put": {"summary": "Replace a graph (validated against the shapes)", "operationId": "graphPut", **write,
                "parameters": target, "requestBody": body,
                "responses": {"201": {"description": "Created"}, "204": {"description": "Replaced"},
                              **_errors(400, 401, 403, 413, 422)}},
        "post": {"summary": "Add triples to a graph (validated against the shapes)", "operationId": "graphPost",
                 **write, "parameters": target, "requestBody": body,
                 "responses": {"201": {"description": "Created"}, "204": {"description": "Added"},
                               **_errors(400, 401, 403, 413, 422)}},
        "delete": {"summary": "Delete a graph", "operationId": "graphDelete", **write, "parameters": target,
                   "responses": {"204": {"description": "Deleted"}, **_errors(400, 401, 403, 404, 422)}},
    }


def _validate() -> dict:
    mode = _param("mode", "`change` (default): as an addition to the served graph, reporting the results it would "
                          "introduce, fix or leave; `alone`: by itself with the ontology. A remote store: only `alone`",
                  schema={"type": "string", "enum": ["change", "alone"], "default": "change"})
    report = {"application/json": {"schema": {"type": "object", "required": ["conforms", "results", "steps"]}},
              "text/turtle": {"schema": {"type": "string", "description": "the SHACL validation report"}}}
    return {"post": {"summary": "Validate RDF before it lands (writes nothing, needs no token)", "tags": ["Validation"],
                     "operationId": "validate", "parameters": [mode],
                     "requestBody": {"required": True, "content": _content(RDF_TYPES)},
                     "responses": {"200": {"description": "The report of `kg validate` (file:line:column are the "
                                                          "body's)", "content": report},
                                   **_errors(400, 406, 413, 415, 501, 503)}}}


def _query_list() -> dict:
    return {"get": {"summary": "The canned queries with their metadata", "tags": ["Canned queries"],
                    "operationId": "listQueries",
                    "responses": {"200": {"description": "The queries",
                                          "content": {"application/json": {"schema": {"type": "object"}}}}}}}


def _canned(query: CannedQuery) -> dict:
    parameters = [_query_parameter(p) for p in query.parameters]
    content = {**_content(TABLE_TYPES), JSON_RESULTS: {"schema": _results_schema(query)}}
    ok = {"200": {"description": "The query's results (SPARQL 1.1 Query Results; the JSON schema names each column)",
                  "headers": {"X-KG-Warning": {"description": "An IRI parameter names nothing in the graph "
                                                              "(percent-encoded)", "schema": {"type": "string"}}},
                  "content": content}, **_errors(400, 406, 503)}
    common = {"summary": query.titles["en"], "description": query.description, "tags": ["Canned queries"],
              "x-titles": query.titles}
    body = {"type": "object", "additionalProperties": False,
            "properties": {p.name: _schema(p) for p in query.parameters} | {"format": FORMAT["schema"]},
            "required": [p.name for p in query.parameters if p.required]}
    return {
        "get": {**common, "operationId": _operation(query.name, "get"), "parameters": [*parameters, FORMAT],
                "responses": ok},
        "post": {**common, "operationId": _operation(query.name, "post"), "parameters": [FORMAT],
                 "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": body},
                                             "application/json": {"schema": body}}},
                 "responses": ok},
    }


def _results_schema(query: CannedQuery) -> dict:
    """SPARQL JSON results whose bindings have this query's columns: typed bindings for generated clients."""
    parameters = {p.name: p for p in query.parameters}
    columns = result_variables(query.text)
    bindings = {name: {"$ref": "#/components/schemas/RdfTerm",
                       "description": (f"the parameter {name!r}, as bound" if name in parameters else "a result column")}
                for name in columns}
    return {"type": "object", "required": ["head", "results"], "properties": {
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"enum": columns}}}},
        "results": {"type": "object", "properties": {"bindings": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "properties": bindings}}}}}}


RDF_TERM = {"type": "object", "required": ["type", "value"], "description": "An RDF term in SPARQL JSON results",
            "properties": {"type": {"enum": ["uri", "literal", "bnode", "triple"]},
                           "value": {"type": ["string", "object"]}, "xml:lang": {"type": "string"},
                           "datatype": {"type": "string", "format": "iri"}}}


def _query_parameter(parameter: Parameter) -> dict:
    return _param(parameter.name, parameter.description, schema=_schema(parameter), required=parameter.required)


def _schema(parameter: Parameter) -> dict:
    schema = {**TYPES[parameter.type].schema, "description": TYPES[parameter.type].expected}
    if parameter.default is not None:
        schema["default"] = int(parameter.default) if parameter.type == "integer" else parameter.default
    return schema


def _operation(name: str, method: str) -> str:
    return method + "".join(part.capitalize() for part in name.split("-"))
