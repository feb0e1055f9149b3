"""Logging in to a remote SPARQL server (KG_REMOTE_USER, KG_REMOTE_PASSWORD_FILE or KG_REMOTE_PASSWORD): the
challenge answered in the scheme the server asks (RFC 7617 Basic, RFC 7616 Digest), the credentials sent to the
configured origins only, a refusal reported as such, and the password in no log, message or repr. The servers are
loopback http.server threads; Virtuoso's Digest login is tested in tests/integration (the "virtuoso" params)."""

from __future__ import annotations

import base64
import hashlib
import logging
from contextlib import ExitStack
from urllib.parse import parse_qs
from urllib.request import Request, parse_http_list, parse_keqv_list

import pytest

from kg.cli import main
from kg.core.errors import BackendError, UsageError
from kg.store.http import opener_for
from kg.store.remote import RemoteStore
from kg.web.app import create_app

from helpers import loopback_http, reply, serve, stop_service

USER, PASSWORD = "kgwriter", "s3cret-Ünïcode pass"
REALM, NONCE = "kg-test", "c0ffee5eed"
SELECT = b'{"head":{"vars":["g","triples"]},"results":{"bindings":[]}}'
ASK = b'{"head":{},"boolean":true}'


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def basic_ok(handler) -> bool:
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode("utf-8")).decode("ascii")
    return handler.headers.get("Authorization") == f"Basic {token}"


def digest_ok(handler) -> bool:
    header = handler.headers.get("Authorization") or ""
    if not header.startswith("Digest "):
        return False
    said = parse_keqv_list(parse_http_list(header[len("Digest "):]))
    known = md5(f"{USER}:{REALM}:{PASSWORD}")
    expected = md5(f"{known}:{said['nonce']}:{said['nc']}:{said['cnonce']}:{said['qop']}:"
                   f"{md5(handler.command + ':' + said['uri'])}")
    return said.get("username") == USER and said.get("response") == expected


SCHEMES = {  # the scheme a test server asks for -> (its challenge, its check of the Authorization header)
    "basic": (f'Basic realm="{REALM}"', basic_ok),
    "digest": (f'Digest realm="{REALM}", qop="auth", nonce="{NONCE}", algorithm=MD5, opaque="0pa"', digest_ok),
}


@pytest.fixture
def server():
    """Start a loopback SPARQL server asking for `scheme` (None: no login); yields (url, requests), each request
    (method, path, Authorization header). `answer` may replace the answer to a logged-in request."""
    with ExitStack() as servers:
        def start(scheme: str | None, answer=None):
            requests = []
            challenge, check = SCHEMES[scheme] if scheme else (None, lambda handler: True)

            def handle(handler, body: bytes) -> None:
                requests.append((handler.command, handler.path, handler.headers.get("Authorization")))
                if not check(handler):
                    return reply(handler, 401, b"login first", "text/plain", {"WWW-Authenticate": challenge})
                (answer or sparql)(handler, body)
            return servers.enter_context(loopback_http(handle)), requests

        yield start


def sparql(handler, body: bytes) -> None:
    """ASK: true; a SELECT: no rows; a Graph Store GET: an empty graph."""
    if handler.path.startswith("/store"):
        return reply(handler, 200, b"", "application/n-triples")
    query = parse_qs(body.decode("utf-8")).get("query", [""])[0] + handler.path
    reply(handler, 200, ASK if "ASK" in query else SELECT, "application/sparql-results+json")


def logged_in(settings, url: str, password: str = PASSWORD, **more) -> RemoteStore:
    return RemoteStore(settings.with_(endpoint=f"{url}/sparql", store_path=None, remote_user=USER,
                                      remote_password=password, **more))


def secrets_in(text: str) -> list[str]:
    """The password, and its Basic encoding, wherever they appear in `text`."""
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode("utf-8")).decode("ascii")
    return [secret for secret in (PASSWORD, basic) if secret in text]


# ------------------------------------------------------------------ the challenge answered, in the server's scheme

@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_login_answers_the_server_s_challenge(settings, server, scheme):
    url, requests = server(scheme)
    store = logged_in(settings, url)
    assert store.query("ASK {}").value is True
    assert [authorization is None for _, _, authorization in requests] == [True, False]  # asked first, then sent
    assert requests[1][2].lower().startswith(scheme)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_graph_store_requests_log_in_too(settings, server, scheme):
    url, requests = server(scheme)
    store = logged_in(settings, url, graph_store_endpoint=f"{url}/store")
    assert store.graph_triples("urn:test:g") == []
    store.replace_graph("urn:test:g", [])
    assert [(method, authorization is None) for method, _, authorization in requests] == [
        ("GET", True), ("GET", False), ("PUT", True), ("PUT", False)]


def test_a_password_file_is_read_without_its_newline(settings, server, tmp_path):
    url, _ = server("digest")
    (tmp_path / "password").write_text(PASSWORD + "\n", encoding="utf-8")
    store = RemoteStore(settings.with_(endpoint=f"{url}/sparql", store_path=None, remote_user=USER,
                                       remote_password_file=tmp_path / "password"))
    assert store.query("ASK {}").value is True


# ------------------------------------------------------------------ only to the configured origins

def test_credentials_go_to_the_configured_origins_only(settings, server):
    configured, _ = server(None)
    other, requests = server("basic")
    open_url = opener_for((USER, PASSWORD), [f"{configured}/sparql"])
    with pytest.raises(Exception) as refused:
        open_url(Request(f"{other}/sparql"), timeout=5)
    refused.value.close()
    assert getattr(refused.value, "code", None) == 401
    assert [authorization for _, _, authorization in requests] == [None]


def test_a_redirect_to_another_origin_carries_no_credentials(settings, server):
    elsewhere, reached = server("basic")

    def away(handler, body):
        reply(handler, 307, b"", "text/plain", {"Location": f"{elsewhere}/sparql"})

    url, requests = server("basic", away)
    with pytest.raises(BackendError):
        logged_in(settings, url).query("ASK {}")
    assert len(requests) == 2 and reached == []  # logged in here; not followed there


# ------------------------------------------------------------------ refusals: clear errors, no password anywhere

@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_wrong_password_is_a_clear_error(settings, server, scheme, caplog):
    url, requests = server(scheme)
    with caplog.at_level(logging.DEBUG), pytest.raises(BackendError) as refused:
        logged_in(settings, url, password="not-" + PASSWORD).query("ASK {}")
    message = str(refused.value)
    assert "refused the credentials" in message and USER in message and "KG_REMOTE_PASSWORD" in message
    assert refused.value.http_status == 502 and len(requests) == 2  # one answer to the challenge, no retries
    assert "not-" + PASSWORD not in message + caplog.text


def test_no_login_where_one_is_needed_names_the_settings(settings, server):
    url, _ = server("basic")
    with pytest.raises(BackendError, match="needs credentials .*KG_REMOTE_USER"):
        RemoteStore(settings.with_(endpoint=f"{url}/sparql", store_path=None)).query("ASK {}")


def test_a_user_without_the_right_is_told_so(settings, server):
    url, _ = server("digest", lambda handler, body: reply(handler, 403, b"no", "text/plain"))
    with pytest.raises(BackendError, match=f"forbids this to remote user '{USER}'"):
        logged_in(settings, url).update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_the_service_answers_502_to_a_refused_login(settings, server, caplog):
    url, _ = server("basic")
    store = logged_in(settings, url, password="wrong")
    with caplog.at_level(logging.DEBUG):
        response = create_app(settings, store).test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 502 and "refused the credentials" in response.get_data(as_text=True)
    assert not secrets_in(caplog.text) and "wrong" not in caplog.text


def test_the_password_is_in_no_repr(settings):
    configured = settings.with_(remote_user=USER, remote_password=PASSWORD)
    assert not secrets_in(repr(configured)) and USER in repr(configured)


@pytest.mark.parametrize("host, warned", [("db.example.org", True), ("127.0.0.1", False), ("localhost", False)])
def test_a_login_over_plain_http_is_warned_of_once(settings, caplog, host, warned):
    with caplog.at_level(logging.WARNING):
        logged_in(settings, f"http://{host}:8890", update_endpoint=f"http://{host}:8890/update")
    assert len(caplog.records) == warned and not secrets_in(caplog.text)
    if warned:
        assert "plain http" in caplog.text and host in caplog.text


def test_the_service_log_holds_no_password(server, tmp_path):
    """`kg serve` logged in by Basic: its start and a refused request leave neither the password nor its encoding
    in the log."""
    def refuse_some(handler, body):
        if b"refuse" in body:
            return reply(handler, 401, b"refused", "text/plain", {"WWW-Authenticate": SCHEMES["basic"][0]})
        sparql(handler, body)

    url, requests = server("basic", refuse_some)
    service = serve(tmp_path, "--endpoint", f"{url}/sparql", "--remote-user", USER, KG_REMOTE_PASSWORD=PASSWORD)
    try:
        status, answer, _ = service.get("ASK { <urn:refuse> ?p ?o }")
        assert status == 502 and "refused the credentials" in str(answer)
    finally:
        stop_service(service)
    text = service.text()
    assert "remote SPARQL server" in text and "answered HTTP 401" in text
    assert not secrets_in(text) and any(authorization for _, _, authorization in requests)


# ------------------------------------------------------------------ settings: half a login is an error

@pytest.mark.parametrize("environ, words", [
    ({"KG_REMOTE_USER": USER}, "without a password"),
    ({"KG_REMOTE_PASSWORD": PASSWORD}, "a remote password without a user"),
    ({"KG_REMOTE_USER": USER, "KG_REMOTE_PASSWORD_FILE": "/nonexistent/password"}, "cannot read the remote password"),
    ({"KG_REMOTE_USER": USER, "KG_REMOTE_PASSWORD": PASSWORD, "KG_REMOTE_PASSWORD_FILE": "/p"}, "give the remote"),
])
def test_half_a_login_exits_2_on_one_line(monkeypatch, capsys, environ, words):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert main(["query", "--endpoint", "http://127.0.0.1:9/sparql", "-q", "ASK {}"]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not secrets_in(err)


def test_an_empty_password_file_is_an_error(settings, tmp_path):
    (tmp_path / "password").write_text("\n", encoding="utf-8")
    with pytest.raises(UsageError, match="empty"):
        settings.with_(remote_user=USER, remote_password_file=tmp_path / "password").remote_credentials()


def test_the_password_is_not_an_option(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["query", "--endpoint", "http://127.0.0.1:9/sparql", "--remote-password", PASSWORD, "-q", "ASK {}"])
    assert exited.value.code == 2
