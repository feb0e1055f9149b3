"""The OpenAPI 3.1 document (`kg.web.openapi`), validated with openapi-spec-validator and checked against the registry."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from kg.services import canned
from kg.web import openapi


@pytest.fixture(scope="module")
def queries():
    return canned.load()


@pytest.fixture(scope="module")
def document(queries):
    return openapi.document(queries, server="http://127.0.0.1:8080")


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)


@pytest.mark.parametrize("breakage", ["no version", "bad parameter location", "required not a boolean"])
def test_the_validator_catches_a_broken_document(document, breakage):
    """The validation above proves something: the same validator rejects a damaged copy."""
    broken = copy.deepcopy(document)
    operation = broken["paths"]["/api/queries/statute-articles"]["get"]
    if breakage == "no version":
        del broken["info"]["version"]
    elif breakage == "bad parameter location":
        operation["parameters"][0]["in"] = "body"
    else:
        operation["parameters"][0]["required"] = "yes"
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_sparql_and_graph_store_operations(document):
    sparql, data = document["paths"]["/sparql"], document["paths"]["/data"]
    assert set(sparql) == {"get", "post"} and set(data) == {"get", "put", "post", "delete"}
    assert {p["name"] for p in sparql["get"]["parameters"]} == {"query", "default-graph-uri", "named-graph-uri", "format"}
    assert set(sparql["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"}
    assert "application/sparql-results+json" in sparql["get"]["responses"]["200"]["content"]
    assert "text/turtle" in sparql["get"]["responses"]["200"]["content"]
    for method in ("put", "post", "delete"):
        assert data[method]["security"] == [{"bearer": []}]
    assert "security" not in data["get"]
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["bearer"]["description"]}


def test_every_canned_query_with_its_parameters(document, queries):
    for query in queries.values():
        get = document["paths"][f"/api/queries/{query.name}"]["get"]
        declared = {p["name"]: p for p in get["parameters"] if p["name"] != "format"}
        assert list(declared) == [p.name for p in query.parameters]
        for parameter in query.parameters:
            assert declared[parameter.name]["required"] is parameter.required
            assert declared[parameter.name]["schema"].get("default") == parameter.default
        assert get["summary"] == query.titles["en"] and get["x-titles"] == query.titles
        body = document["paths"][f"/api/queries/{query.name}"]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"]["required"] == [p.name for p in query.parameters if p.required]


def test_parameter_types_map_to_schemas(document):
    year = next(p for p in document["paths"]["/api/queries/crime-statistics"]["get"]["parameters"] if p["name"] == "year")
    assert year["schema"]["pattern"] == "^-?[0-9]{4}$" and year["required"] is False


def test_a_new_query_file_appears_in_the_document(tmp_path: Path):
    (tmp_path / "states.rq").write_text(
        "# name: states\n# title@en: States\n# title@ru: Государства\n# title@kk: Мемлекеттер\n"
        "# description: The states.\n# param: since | date | optional | Since\n# example: since=2001-01-01\n"
        "SELECT ?since ?s WHERE { ?s a ?c }\n", encoding="utf-8")
    document = openapi.document(canned.load(tmp_path))
    validate(document)
    assert document["paths"]["/api/queries/states"]["get"]["parameters"][0]["schema"]["format"] == "date"
