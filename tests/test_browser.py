"""The pages in a real browser (Debian's Chromium, headless, driven by Playwright): an IRI with a script scheme in the
data or in the query never becomes a link, and the Content-Security-Policy is enforced (no inline script runs)."""

from __future__ import annotations

import os
import shutil
import threading
from urllib.parse import quote

import pytest
from helpers import BASE
from werkzeug.serving import make_server

from kg.core.project import project_files
from kg.rdf.terms import NamedNode, Quad
from kg.store.embedded import EmbeddedStore
from kg.web.app import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STATE = f"{BASE}id/state/kz"
HOSTILE = ["javascript:window.__xss=1", "JavaScript:window.__xss=2", "data:text/html,%3Cscript%3Ewindow.__xss=3%3C/script%3E"]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: scripts/install.sh installs Debian's chromium")
        pytest.skip("no Chromium here (scripts/install.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        instance = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def site(settings):
    """The service on a loopback port, its data carrying links with script schemes."""
    store = EmbeddedStore.from_files(project_files(settings))
    see_also = NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
    store.add_quads(Quad(NamedNode(STATE), see_also, NamedNode(iri), NamedNode(f"{BASE}graph/states"))
                    for iri in HOSTILE)
    server = make_server("127.0.0.1", 0, create_app(settings, store), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    opened = context.new_page()
    opened.violations = []
    opened.on("console", lambda message: opened.violations.append(message.text)
              if "Content Security Policy" in message.text else None)
    yield opened
    context.close()


def script_links(page) -> int:
    return page.evaluate("""() => [...document.querySelectorAll('a[href]')]
        .filter(a => !/^(https?|mailto):/i.test(a.href)).length""")


def test_a_stored_script_iri_is_text_not_a_link(page, site):
    page.goto(f"{site}/id/state/kz")
    assert page.get_by_text(HOSTILE[0]).count() >= 1  # shown, as text
    assert script_links(page) == 0
    assert page.evaluate("() => window.__xss") is None


def test_a_reflected_script_iri_in_results_is_text_not_a_link(page, site):
    query = f"SELECT ?o WHERE {{ <{STATE}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?o }}"
    page.goto(f"{site}/?query={quote(query)}")
    page.wait_for_selector(".yasr tbody td a, .yasr tbody td span.iri")  # YASGUI's result table
    assert page.locator(".yasr tbody tr").count() == len(HOSTILE)
    assert script_links(page) == 0
    assert page.evaluate("() => window.__xss") is None


@pytest.mark.parametrize("path", ["/", "/id/state/kz", "/ontology", "/shapes", "/void", "/id/nothing-here"])
def test_the_content_security_policy_is_enforced(page, site, path):
    response = page.goto(f"{site}{path}", wait_until="load")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    with pytest.raises(Exception):  # the browser refuses to run an inline script, whoever inserts it
        page.add_script_tag(content="window.__inline = 1")
    assert page.evaluate("() => window.__inline") is None
    assert page.violations, "the browser reported no CSP violation"


def test_the_validate_page_shows_results_with_lines_and_no_script_links(page, site):
    """Paste Turtle, validate, read the report: each result has its line; a script IRI in a value stays text."""
    page.goto(f"{site}/validate")
    page.fill("#turtle", "@prefix kg: <https://w3id.org/infosec-law-kg/ontology#> .\n\n"
                         f"<{BASE}eli/kz/code/2014/226-V/art_214> a kg:Artcle ;\n"
                         "    kg:source <javascript:window.__xss=9> .\n")
    page.check("input[name=mode][value=alone]")
    page.click("#validate-form button[type=submit]")
    page.wait_for_selector("#report table tbody tr")
    assert page.locator("#report td.line", has_text="3:").count() >= 1  # the typo's line
    assert "did you mean kg:Article?" in page.inner_text("#report")
    assert script_links(page) == 0
    assert page.evaluate("() => window.__xss") is None
    assert not page.violations
