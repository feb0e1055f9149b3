"""Regenerate the README's screenshots, docs/screenshot-*.png, from the pages as they are now: the service (the
project's files in the embedded store) on a loopback port, Debian's Chromium driven by Playwright (the same browser
as tests/test_browser.py; pip's Playwright downloads none here). Usage: `python scripts/screenshots.py [NAME ...]`."""

from __future__ import annotations

import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from kg.core.config import Settings
from kg.web.app import create_app

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
QUERY = """PREFIX kg: <https://w3id.org/infosec-law-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?offenceType ?label ?broader WHERE {
  ?offenceType a kg:OffenceType ; skos:prefLabel ?label .
  FILTER(langMatches(lang(?label), "en"))
  OPTIONAL { ?offenceType skos:broader ?broader }
} ORDER BY ?label"""
# name -> (path, the element to wait for, where to clip: a selector or None for the viewport)
SHOTS = {
    "query": (f"/?query={quote(QUERY)}", ".yasr tbody td a", None),
    "canned": ("/api/queries/gap-analysis?instrument=eli/coe/convention/2001/cybercrime&state=id/state/kz&lang=en",
               "table.results tbody td", None),
    "resource": ("/eli/kz/code/2014/226-V/art_210", "section.notes", None),
    "chart": ("/id/dataset/table-1", "figure.chart svg", "section.charts"),
    "shapes": ("/shapes", "table.shapes", None),
    "api": ("/api/docs", ".swagger-ui .opblock", None),
    "kk": ("/id/state/kz?lang=kk", "article.resource", None),
}


def main(names: list[str]) -> int:
    unknown = set(names) - set(SHOTS)
    if unknown:
        print(f"unknown screenshot(s) {sorted(unknown)}; known: {', '.join(SHOTS)}", file=sys.stderr)
        return 2
    server = make_server("127.0.0.1", 0, create_app(Settings.from_env()), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            for name in names or SHOTS:
                path, ready, clip = SHOTS[name]
                page.goto(site + path)
                page.wait_for_selector(ready)
                target = PROJECT / "docs" / f"screenshot-{name}.png"
                (page.locator(clip) if clip else page).screenshot(path=str(target))
                print(target.relative_to(PROJECT))
            browser.close()
    finally:
        server.shutdown()
        thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
