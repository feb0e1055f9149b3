"""XSS payloads, stored and reflected: IRIs with script schemes and markup written into the graph (Graph Store, with
the token) and sent in URLs, parameters and bodies. No HTML answer may carry a script link or the payload's markup
unescaped, and every HTML answer carries the Content-Security-Policy. (tests/test_browser.py checks the same in
Chromium; this is the volume run over plain HTTP.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from common import Figures, count, project_copy, request, serve

BASE = "https://w3id.org/infosec-law-kg/"
TOKEN = "stress-token"
SCHEMES = ["javascript:alert(1)", "JaVaScRiPt:alert(2)", "javascript:%61lert(3)", "data:text/html,%3Cscript%3Ealert(4)%3C/script%3E",
           "vbscript:msgbox(5)", "javascript://%0aalert(6)"]
MARKUP = ["<script>alert(7)</script>", "\"><img src=x onerror=alert(8)>", "'><svg/onload=alert(9)>",
          "</title><script>alert(10)</script>", "{{7*7}}<b onmouseover=alert(11)>", "<a href=javascript:alert(12)>x</a>"]
PAGES = ["/id/state/kz", "/", "/shapes", "/void", "/ontology"]
SCRIPT_SCHEME = re.compile(r"^\s*(?:javascript|vbscript):", re.I)
DATA_SCHEME = re.compile(r"^\s*data:", re.I)
NAVIGATING = {"a", "area", "iframe", "frame", "form", "script", "object", "embed"}  # where a data: URL can run


class Elements(HTMLParser):
    """What a browser would build from the page: the elements and attributes, not the escaped text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.script_links: list[str] = []
        self.handlers: list[str] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            script = SCRIPT_SCHEME.match(value or "") or (tag in NAVIGATING and DATA_SCHEME.match(value or ""))
            if name in ("href", "src", "action", "formaction") and script:
                self.script_links.append(f"<{tag} {name}={value}>")
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
        if tag == "script":
            self.scripts.append(dict(attrs))


def store_payloads(figures: Figures, port: int) -> None:
    """Each script IRI as a link of Kazakhstan's resource, each markup payload as a comment, in one Graph Store POST."""
    lines = [f"<{BASE}id/state/kz> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{iri}> ." for iri in SCHEMES]
    lines += [f'<{BASE}id/state/kz> <http://www.w3.org/2000/01/rdf-schema#comment> "{text.replace(chr(34), "&quot;")}"@en .'
              for text in MARKUP]
    status, body = request(port, "POST", "/data?graph=" + quote(f"{BASE}graph/states"), "\n".join(lines).encode(),
                           {"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"})
    count(figures, status)
    if status not in (201, 204):
        raise RuntimeError(f"storing the payloads answered {status}: {body[:300]!r}")


def reflected(payload: str) -> list[str]:
    encoded = quote(payload, safe="")
    return [f"/?query={encoded}", f"/id/{encoded}", f"/eli/{encoded}.html", f"/api/queries/label-search?text={encoded}",
            f"/api/queries/statute-articles?statute={encoded}", f"/id/state/kz?lang={encoded}", f"/sparql?query={encoded}",
            f"/nothing/{encoded}", f"/data?graph={encoded}"]


def check(figures: Figures, port: int, path: str, findings: list) -> None:
    status, body = request(port, "GET", path, headers={"Accept": "text/html"})
    count(figures, status)
    if status == 0:
        return
    html = body.lstrip().lower().startswith((b"<!doctype", b"<html"))
    page = Elements()
    page.feed(body.decode("utf-8", errors="replace"))
    if page.script_links or page.handlers:
        findings.append(f"{(page.script_links + page.handlers)[0]} in {path}")
    if any("src" not in attributes and attributes.get("type") != "application/ld+json" for attributes in page.scripts):
        findings.append(f"an inline script in {path}")
    if html and b"script-src 'self'" not in _csp(port, path):
        findings.append(f"no CSP on {path}")


def _csp(port: int, path: str) -> bytes:
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("HEAD", path, headers={"Accept": "text/html"})
        return (connection.getresponse().getheader("Content-Security-Policy") or "").encode()
    finally:
        connection.close()


def run(quick: bool, work: Path) -> Figures:
    figures = Figures("xss")
    findings: list[str] = []
    rounds = 1 if quick else 25
    with serve(work, "xss", root=project_copy(work), write_token=TOKEN) as service:
        store_payloads(figures, service.port)
        for _ in range(rounds):
            for path in PAGES:
                check(figures, service.port, path, findings)
            for payload in SCHEMES + MARKUP:
                for path in reflected(payload):
                    check(figures, service.port, path, findings)
    figures.notes = {"payloads": len(SCHEMES) + len(MARKUP), "findings": sorted(set(findings))[:10]}
    figures.targets = {"no script link or unescaped markup": not findings, "no 5xx": figures.server_errors == 0,
                       "no crash": figures.crashes == 0}
    return figures
