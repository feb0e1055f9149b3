"""The pages for people in a real browser (Debian's Chromium, headless, Playwright): the YASGUI query page runs a
query and the address bar keeps it, `/sparql` opened by a browser is that page, a canned query's form submits and
shows its results and warnings, Swagger UI reads `/openapi.json`, the language switch changes the interface words;
and no page needs a script the Content-Security-Policy forbids (no eval, no inline script)."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from helpers import BASE
from test_browser import browser, page, site  # noqa: F401 - the fixtures: Chromium, the served test data

SCRIPT_VIOLATION = ("script-src", "unsafe-eval", "eval")


def script_violations(page) -> list[str]:  # noqa: F811
    return [text for text in page.violations if any(word in text for word in SCRIPT_VIOLATION)]


def test_the_query_page_runs_a_query_and_the_address_keeps_it(page, site):  # noqa: F811
    page.goto(f"{site}/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.get_by_role("button", name="Offence types and their broader types").click()
    page.wait_for_selector(".yasr tbody td a")
    query = parse_qs(urlsplit(page.url).query)["query"][0]
    assert "broader" in query.lower() or "offence" in query.lower()
    local = page.locator(".yasr tbody td a").first.get_attribute("href")
    assert local.startswith("/"), "an IRI of the graph links to its page on this server"
    downloads = page.locator("#downloads a[data-format]")
    assert sorted(downloads.evaluate_all("links => links.map(a => a.dataset.format)")) == ["csv", "json", "tsv", "xml"]
    assert "format=csv" in page.locator("#downloads a[data-format=csv]").get_attribute("href")
    assert not script_violations(page)


def test_a_permalink_runs_its_query(page, site):  # noqa: F811
    query = f"SELECT ?label WHERE {{ <{BASE}id/state/kz> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
    page.goto(f"{site}/?query={quote(query)}")
    page.wait_for_selector(".yasr tbody td")
    assert page.locator(".yasr tbody tr").count() >= 3  # kk, ru, en


def test_sparql_opened_by_a_browser_is_the_query_page(page, site):  # noqa: F811
    response = page.goto(f"{site}/sparql")
    assert response.headers["content-type"].startswith("text/html")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert not script_violations(page)


def test_a_canned_query_form_submits_and_shows_readable_results(page, site):  # noqa: F811
    page.goto(f"{site}/api/queries/gap-analysis")
    state = page.locator("select#p-state")
    assert state.locator("option", has_text="Kazakhstan").count() == 1  # a picker of states, by their names
    state.select_option(label="Kazakhstan")
    page.locator("select#p-instrument").select_option(f"{BASE}eli/coe/convention/2001/cybercrime")
    page.get_by_role("button", name="Run").click()
    page.wait_for_selector("table.results tbody td")
    params = parse_qs(urlsplit(page.url).query)
    assert params["state"] == [f"{BASE}id/state/kz"] and "instrument" in params
    assert page.locator("#warning").is_hidden()
    assert page.locator("details.sparql pre").text_content().lstrip().startswith(("PREFIX", "#"))
    assert page.locator("#results").evaluate("e => getComputedStyle(e).overflowX") == "auto"
    assert not script_violations(page)


def test_an_unknown_iri_parameter_is_a_warning_on_the_page(page, site):  # noqa: F811
    page.goto(f"{site}/api/queries/gap-analysis?instrument=eli/coe/convention/2001/cybercrime&state=id/state/atlantis")
    page.wait_for_selector("#warning:not([hidden])")
    assert "id/state/atlantis" in page.locator("#warning").text_content()


def test_swagger_ui_reads_the_openapi_document(page, site):  # noqa: F811
    page.goto(f"{site}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock-summary-path", has_text="/api/queries/gap-analysis").count() >= 1
    assert not script_violations(page)


def test_the_language_switch_changes_the_interface_words_and_keeps_the_page(page, site):  # noqa: F811
    page.goto(f"{site}/id/state/kz")
    assert page.locator("header.site nav a").first.text_content() == "Query"
    with page.expect_navigation():
        page.locator("nav.languages a[hreflang=kk]").click()
    assert urlsplit(page.url).path == "/id/state/kz"
    assert page.locator("header.site nav a").first.text_content() == "Сұрау"
    assert page.evaluate("() => document.documentElement.lang") == "kk"
    response = page.goto(f"{site}/id/state/kz?lang=ru")
    assert response.headers["content-language"] == "ru" and "Accept-Language" in response.headers["vary"]
    assert page.locator("header.site nav a").first.text_content() == "Запрос"


@pytest.mark.parametrize("path", ["/", "/api/docs", "/api/queries/label-search?text=crime"])
def test_the_new_pages_keep_the_content_security_policy(page, site, path):  # noqa: F811
    response = page.goto(f"{site}{path}", wait_until="load")
    assert response.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")
    with pytest.raises(Exception):
        page.add_script_tag(content="window.__inline = 1")
    assert page.evaluate("() => window.__inline") is None


def test_a_resource_page_shows_sources_notes_and_uncertain_statements(page, site):  # noqa: F811
    page.goto(f"{site}/id/observation/table-1/row-2-change")
    note = page.locator("section.notes .warning")
    assert "Table 1" in note.first.text_content() and "41,8" in note.first.text_content()  # the data-quality note
    assert page.locator(".annotation.source", has_text="T1").count() >= 1  # the location beside kg:source
    page.goto(f"{site}/eli/kz/code/2014/226-V/art_210")
    assert page.locator(".annotation.uncertain .flag").count() >= 1  # issue 13's flag on the statement's row


def test_the_shapes_are_a_readable_table(page, site):  # noqa: F811
    page.goto(f"{site}/shapes")
    header = page.locator("table.shapes thead th").all_text_contents()
    assert header == ["shape", "target", "path", "constraint", "severity", "message"]
    assert page.locator("table.shapes tbody tr").count() > 100
    assert "_:" not in page.locator("table.shapes").text_content()  # no blank-node ids
    assert page.locator("#LegalResourceShape").count() == 1


@pytest.mark.parametrize("path", ["/ontology", "/id/nothing-here"])
def test_the_ontology_and_the_404_page_have_the_navigation_and_the_search(page, site, path):  # noqa: F811
    page.goto(f"{site}{path}")
    assert page.locator("header.site nav a", has_text="Shapes").count() == 1
    page.locator("form.search input[name=text]").fill("вирус")
    with page.expect_navigation():
        page.locator("form.search button").click()
    assert urlsplit(page.url).path == "/api/queries/label-search"
    page.wait_for_selector("table.results tbody td a")  # the label search's results, as links to the pages


@pytest.mark.parametrize("dataset", ["table-1", "diagram-1"])
def test_the_statistics_pages_show_a_chart(page, site, dataset):  # noqa: F811
    page.goto(f"{site}/id/dataset/{dataset}")
    chart = page.locator("figure.chart svg").first
    assert chart.is_visible() and chart.bounding_box()["height"] > 50
    assert page.locator("figure.chart rect.bar").count() >= 2
