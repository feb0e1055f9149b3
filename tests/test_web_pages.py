"""The pages for people over HTTP (issue 12); tests/test_browser_pages.py drives them in Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from helpers import BASE

from kg.web import i18n

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TEMPLATES = Path(i18n.__file__).parent / "templates"


@pytest.mark.parametrize(("accept", "media"), [(BROWSER["Accept"], "text/html"), ("*/*", "text/turtle"),
                                               (None, "text/turtle"), ("text/turtle", "text/turtle")])
def test_sparql_is_the_query_page_for_a_browser_only(client, accept, media):
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media
    assert "Accept" in response.headers["Vary"]


def test_a_browser_asking_for_a_format_gets_the_description(client):
    assert client.get("/sparql?format=turtle", headers=BROWSER).mimetype == "text/turtle"


def test_the_query_page_loads_vendored_yasgui_and_no_inline_script(client):
    page = client.get("/", headers=BROWSER).get_data(as_text=True)
    assert "/assets/vendor/yasgui/yasgui.min.js" in page and "//cdn" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script"
    with client.get("/assets/vendor/yasgui/yasgui.min.js") as script:
        assert script.status_code == 200


def test_the_query_config_names_the_endpoint_prefixes_and_examples(client):
    config = client.get("/query-config.json").get_json()
    assert config["endpoint"] == "/sparql" and config["prefixes"]["kg"] == BASE + "ontology#"
    assert config["examples"] and all(e["query"].strip() for e in config["examples"])
    assert client.get(config["prefixesUrl"]).get_json()["eli"] == "http://data.europa.eu/eli/ontology#"


def test_a_canned_query_without_parameters_is_its_form_for_a_browser(client):
    response = client.get("/api/queries/gap-analysis", headers=BROWSER)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    states = re.search(r'<select id="p-state".*?</select>', page, re.S).group(0)
    assert f'value="{BASE}id/state/kz"' in states and ">Kazakhstan<" in states  # states, by their names
    assert f'value="{BASE}eli/coe/convention/2001/cybercrime"' in page
    assert '<select id="p-lang"' in page and "SELECT" in page  # the language select and the SPARQL it runs
    assert client.get("/api/queries/gap-analysis").status_code == 400  # a program still gets the error


def test_year_parameters_get_a_year_input(client):
    page = client.get("/api/queries/crime-statistics", headers=BROWSER).get_data(as_text=True)
    assert re.search(r'<input id="p-year" name="year" type="number"', page)


def test_an_iri_naming_nothing_is_a_warning(client):
    response = client.get("/api/queries/gap-analysis?instrument=eli/coe/convention/2001/cybercrime"
                          "&state=id/state/atlantis")
    assert response.status_code == 200  # an answer still (every article a gap), with the warning
    assert f"state=<{BASE}id/state/atlantis>" in unquote(response.headers["X-KG-Warning"])
    assert "X-KG-Warning" in response.headers["Access-Control-Expose-Headers"]
    known = client.get("/api/queries/gap-analysis?instrument=eli/coe/convention/2001/cybercrime&state=id/state/kz")
    assert "X-KG-Warning" not in known.headers


def test_swagger_ui_is_served_from_the_package(client):
    page = client.get("/api/docs", headers=BROWSER).get_data(as_text=True)
    assert "/assets/vendor/swagger-ui/swagger-ui-bundle.js" in page and 'data-url="/openapi.json"' in page


@pytest.mark.parametrize(("headers", "query", "language", "word"), [
    ({}, "", "en", "Query"), ({"Accept-Language": "ru-RU,ru;q=0.9"}, "", "ru", "Запрос"),
    ({"Accept-Language": "ru"}, "?lang=kk", "kk", "Сұрау")])
def test_the_interface_language_and_its_headers(client, headers, query, language, word):
    response = client.get(f"/id/state/kz{query}", headers={**BROWSER, **headers})
    assert response.headers["Content-Language"] == language and "Accept-Language" in response.headers["Vary"]
    assert f">{word}</a>" in response.get_data(as_text=True)
    assert f'href="/id/state/kz?lang={language}"' in response.get_data(as_text=True)  # the switch keeps the page


def test_every_interface_message_is_translated():
    used = {m for path in TEMPLATES.rglob("*.html")
            for m in re.findall(r"""_\((?:"([^"]+)"|'([^']+)')\)""", path.read_text(encoding="utf-8")) for m in m if m}
    for language, catalogue in i18n.load().items():
        assert used - set(catalogue) == set(), f"{language}.po lacks these"


def test_each_canned_query_describes_its_result_columns(client):
    """The SPARQL JSON schema of every canned query names its columns, and its example's answer fits it."""
    import jsonschema

    document = client.get("/openapi.json").get_json()
    registry = {q["name"]: q for q in client.get("/api/queries").get_json()["queries"]}
    for name, query in registry.items():
        operation = document["paths"][f"/api/queries/{name}"]["get"]
        schema = operation["responses"]["200"]["content"]["application/sparql-results+json"]["schema"]
        schema = {**schema, "$defs": {}, "components": document["components"]}
        answer = client.get(query["exampleUrls"][0] if query["exampleUrls"] else query["url"]).get_json()
        assert schema["properties"]["head"]["properties"]["vars"]["items"]["enum"] == answer["head"]["vars"]
        jsonschema.validate(answer, schema)


def test_a_statistics_data_set_page_draws_its_chart(client):
    page = client.get("/id/dataset/table-1", headers=BROWSER).get_data(as_text=True)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert svg.count('class="bar series-') == 10  # five categories, 2022 and 2023
    assert "12,9 мың" in svg and "+ 41,8 %" in page and "<script" not in svg
    assert 'class="bar fall"' in page  # phishing fraud: - 18 %
    assert "<svg" not in client.get("/id/state/kz", headers=BROWSER).get_data(as_text=True)
