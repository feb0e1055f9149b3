"""`/api/queries` over HTTP (`kg.web.routes.api`): listing, running with GET/POST, formats, errors, safety, limits."""

from __future__ import annotations

import csv
import io

import pytest


from helpers import BASE

CHAPTER_7 = {"statute": BASE + "eli/kz/code/2014/226-V", "chapter": BASE + "eli/kz/code/2014/226-V/chp_7"}
NUMBERS = ["205", "206", "207", "208", "209", "210", "211", "212", "213"]
JSON_RESULTS = "application/sparql-results+json"


def numbers(response) -> list[str]:
    return [b["number"]["value"] for b in response.get_json()["results"]["bindings"]]


def test_list_gives_every_query_with_its_metadata(client):
    response = client.get("/api/queries")
    assert response.status_code == 200
    queries = {q["name"]: q for q in response.get_json()["queries"]}
    assert len(queries) >= 10
    articles = queries["statute-articles"]
    assert set(articles["title"]) == {"en", "ru", "kk"}
    assert [(p["name"], p["type"], p["required"], p["default"]) for p in articles["parameters"]] == [
        ("statute", "iri", True, None), ("chapter", "iri", False, None), ("lang", "language", False, "en")]
    assert articles["url"] == "/api/queries/statute-articles"
    assert client.get(articles["exampleUrls"][0]).status_code == 200


def test_get_runs_a_query_json_by_default(client):
    response = client.get("/api/queries/statute-articles", query_string=CHAPTER_7)
    assert response.status_code == 200 and response.mimetype == JSON_RESULTS
    assert numbers(response) == NUMBERS
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.headers["Vary"]


def test_cors_preflight_for_a_json_post(client):
    response = client.options("/api/queries/statute-articles", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_post_form_and_json_bodies_give_the_same_answer(client):
    form = client.post("/api/queries/statute-articles", data=CHAPTER_7)
    body = client.post("/api/queries/statute-articles", json={**CHAPTER_7, "lang": "ru"})
    assert numbers(form) == numbers(body) == NUMBERS
    assert body.get_json()["results"]["bindings"][0]["title"]["xml:lang"] == "ru"


FORMATS = [
    ({"format": "csv"}, None, "text/csv"),
    ({"format": "tsv"}, None, "text/tab-separated-values"),
    ({"format": "xml"}, None, "application/sparql-results+xml"),
    ({"format": JSON_RESULTS}, None, JSON_RESULTS),
    ({}, "text/csv", "text/csv"),
    ({}, "application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.5", "application/sparql-results+xml"),
    ({}, "text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),  # a browser gets the form page (issue 12)
    ({"format": "json"}, "text/html,application/xhtml+xml,*/*;q=0.8", JSON_RESULTS),  # format= asks for data
    ({}, "*/*", JSON_RESULTS),  # curl and scripts get the default
]


@pytest.mark.parametrize(("extra", "accept", "media"), FORMATS)
def test_result_formats(client, extra, accept, media):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/api/queries/statute-articles", query_string={**CHAPTER_7, **extra}, headers=headers)
    assert response.status_code == 200 and response.mimetype == media
    if media == "text/csv":
        table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert [row["number"] for row in table] == NUMBERS


@pytest.mark.parametrize(("extra", "accept"), [({"format": "turtle"}, None), ({}, "text/turtle"), ({"format": "pdf"}, None)])
def test_unacceptable_format_is_406(client, extra, accept):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/api/queries/statute-articles", query_string={**CHAPTER_7, **extra}, headers=headers)
    assert response.status_code == 406 and response.get_json()["error"] == "NotAcceptable"


def test_unknown_query_is_404(client):
    response = client.get("/api/queries/no-such-query")
    assert response.status_code == 404
    assert "no-such-query" in response.get_json()["detail"]


BAD_REQUESTS = [
    ("crime-statistics", {"year": "abc"}, "parameter 'year': expected a year like 2023, got 'abc'"),
    ("statute-articles", {"chapter": CHAPTER_7["chapter"]}, "parameter 'statute' is required"),
    ("statute-articles", {**CHAPTER_7, "colour": "red"}, "unknown parameter 'colour'"),
    ("statute-articles", {**CHAPTER_7, "lang": "not a tag"}, "parameter 'lang': expected a BCP 47 language tag"),
    ("statute-articles", {"statute": "http://bad iri"}, "parameter 'statute': expected an IRI"),
    ("statute-articles", {"statute": 'x> } ; DROP ALL ; #'}, "parameter 'statute': expected an IRI"),
]


@pytest.mark.parametrize(("name", "values", "detail"), BAD_REQUESTS)
def test_bad_parameters_are_400_naming_the_parameter(client, name, values, detail):
    response = client.get(f"/api/queries/{name}", query_string=values)
    assert response.status_code == 400
    assert response.get_json()["error"] == "InvalidParameter"
    assert response.get_json()["detail"].startswith(detail)


def test_repeated_parameter_and_bad_bodies_are_400(client):
    repeated = client.get("/api/queries/statute-articles?statute=eli/kz/code/2014/226-V&lang=en&lang=ru")
    assert repeated.status_code == 400 and "'lang' is given more than once" in repeated.get_json()["detail"]
    listed = client.post("/api/queries/statute-articles", json={"statute": [CHAPTER_7["statute"]]})
    assert listed.status_code == 400 and "parameter 'statute'" in listed.get_json()["detail"]
    not_object = client.post("/api/queries/statute-articles", json=["x"])
    assert not_object.status_code == 400
    other = client.post("/api/queries/statute-articles", data=b"statute=x", content_type="text/plain")
    assert other.status_code == 400 and "content type" in other.get_json()["detail"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_sparql_syntax_in_a_value_is_plain_data(client, store, method):
    before = len(store)
    payload = {"text": 'x") } ; DROP ALL ; #'}
    response = (client.get("/api/queries/label-search", query_string=payload) if method == "get"
                else client.post("/api/queries/label-search", data=payload))
    assert response.status_code == 200
    assert response.get_json()["results"]["bindings"] == []
    assert len(store) == before
    still = client.get("/api/queries/label-search", query_string={"text": "киберқылмыс"})
    assert still.get_json()["results"]["bindings"][0]["resource"]["value"] == BASE + "id/concept/cybercrime"


def test_row_limit_applies_and_is_signalled(make_client):
    client = make_client(max_rows=3)
    response = client.get("/api/queries/label-search", query_string={"text": "а"})
    assert len(response.get_json()["results"]["bindings"]) == 3
    assert response.headers["X-KG-Truncated"] == "true" and response.headers["X-KG-Row-Limit"] == "3"
    assert "X-KG-Truncated" in response.headers["Access-Control-Expose-Headers"]
    full = client.get("/api/queries/state-instruments", query_string={"state": "id/state/kz"})
    assert "X-KG-Truncated" not in full.headers


def test_openapi_document_is_served(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert "/api/queries/gap-analysis" in document["paths"] and "/sparql" in document["paths"]
    assert document["servers"] == [{"url": "http://localhost"}]
