"""The interface in Kazakh, Russian or English: the words of the pages come from gettext catalogues
(`web/translations/{kk,ru}.po`, English being the message ids), chosen by `?lang=`, else Accept-Language, else
English. Every HTML answer says which in `Content-Language` and varies on `Accept-Language`, so a shared cache
keeps one copy per language.

The catalogues are read as `.po` text when the app starts (no compiled `.mo` to build or ship). `?lang=` also
picks the language of the data's labels on the pages that show them."""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, g, has_request_context, request

from kg.core.project import DEFAULT_LANGUAGE, LANGUAGES, fallback

CATALOGUES = Path(__file__).resolve().parent / "translations"
NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def interface_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(fallback(DEFAULT_LANGUAGE), default=DEFAULT_LANGUAGE)


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a gettext `.po` file (plural forms and contexts are not used by the pages)."""
    messages: dict[str, str] = {}
    current: dict[str, str] = {}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if line.startswith(("msgid ", "msgstr ")):
            key, _, quoted = line.partition(" ")
            if key == "msgid" and "msgstr" in current:
                _keep(messages, current)
                current = {}
            current[key] = ast.literal_eval(quoted)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line or line.startswith("#"):
            key = None
    _keep(messages, current)
    return messages


def _keep(messages: dict[str, str], entry: dict[str, str]) -> None:
    if entry.get("msgid") and entry.get("msgstr"):
        messages[entry["msgid"]] = entry["msgstr"]


def load() -> dict[str, dict[str, str]]:
    return {path.stem: read_po(path) for path in sorted(CATALOGUES.glob("*.po"))}


def install(app: Flask) -> None:
    """Jinja's i18n extension with this module's catalogues, the language switch, and the response headers."""
    catalogues = app.extensions["kg.i18n"] = load()

    def gettext(message: str) -> str:
        return catalogues.get(interface_language(), {}).get(message, message)

    def ngettext(singular: str, plural: str, count: int) -> str:
        return gettext(singular if count == 1 else plural)

    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.jinja_env.globals.update(ui_language=interface_language, language_url=language_url, language_names=NAMES)
    app.after_request(_headers)


def language_url(language: str) -> str:
    """This page in another interface language: the same path and parameters, `lang` replaced."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", language)]
    return f"{request.script_root}{request.path}?{urlencode(pairs)}"


def _headers(response: Response) -> Response:
    if response.mimetype == "text/html" and not g.get("kg_no_language"):
        response.headers["Content-Language"] = interface_language()
        response.vary.add("Accept-Language")
    return response
