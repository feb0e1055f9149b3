"""bench/: the load generator runs end to end in a tiny mode (servers started and stopped) and reports both sides
with ratios. No timing assertions: the figures are recorded in the README, not tested."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import report  # noqa: E402
import run  # noqa: E402
import synthetic  # noqa: E402

SIDES = ("reference", "service", "unlimited")
TINY = ["--requests", "4", "--duration", "2", "--warmup", "1", "--rounds", "2", "--concurrency", "1,2",
        "--gap-runs", "1"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One tiny bench run: its Markdown (stdout) and its JSON."""
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), *TINY, "--json", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(out.read_text(encoding="utf-8"))


def test_every_scenario_is_measured_on_every_side_at_every_concurrency(tiny_run):
    _, result = tiny_run
    measured = {(cell["scenario"], cell["concurrency"]) for cell in result["http"]}
    assert measured == {(scenario.name, c) for scenario in run.SCENARIOS for c in (1, 2)}
    for cell in result["http"]:
        for side in SIDES:
            assert cell[side]["requests"] > 0 and cell[side]["errors"] == 0, (cell["scenario"], side)
            assert cell[side]["p50_ms"] <= cell[side]["p99_ms"]
        assert set(cell["ratios"]) == {"service", "unlimited"}
        assert cell["ratio"]["rps"] == pytest.approx(cell["service"]["rps"] / cell["reference"]["rps"], rel=0.01)


def test_the_sides_answer_the_same_rows(tiny_run):
    """Same data, same question: a canned query and its inlined SPARQL give as many rows as each other."""
    _, result = tiny_run
    for cell in result["http"]:
        assert len(set(cell["rows"].values())) == 1 and cell["rows"]["reference"] > 0, cell
    assert all(row["same_rows"] for row in result["gap_forms"] + result["binding_forms"])
    assert {row["form"] for row in result["gap_forms"]} == {"OPTIONAL … FILTER(!BOUND)", "FILTER NOT EXISTS"}


def test_the_markdown_report_shows_both_sides_and_ratios(tiny_run):
    markdown, result = tiny_run
    assert "| reference req/s |" in markdown and "| service req/s |" in markdown
    assert "service ÷ reference" in markdown and "x req/s, p50 " in markdown
    assert "**Simple lookups**" in markdown and "FILTER NOT EXISTS" in markdown
    assert [row["concurrency"] for row in result["summary"]["simple"]] == [1, 2]


def test_the_servers_are_stopped_after_the_run(tiny_run):
    _, result = tiny_run
    for name, port in result["environment"]["ports"].items():
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"{name} still listens on {port}"


@pytest.mark.parametrize(("rps", "p50", "met"), [
    (1.0, 1.0, True), (0.86, 1.14, True), (0.84, 1.0, False), (1.0, 1.16, False),
])
def test_the_target_is_within_15_percent_in_throughput_and_median(rps, p50, met):
    cells = [{"group": "simple", "concurrency": 1, "ratio": {"rps": rps, "p50_ms": p50, "p99_ms": 1.0}},
             {"group": "medium", "concurrency": 1, "ratio": {"rps": 0.1, "p50_ms": 9.0, "p99_ms": 9.0}}]
    assert report.summarise(cells)["met"] is met


def test_the_equivalent_sparql_inlines_typed_terms(store):
    """The reference's form of a canned query answers like the canned query itself."""
    from kg.services import canned

    query = canned.load()["statute-articles"]
    text, bindings, inlined = run.canned_forms("statute-articles", "?" + query.examples[0])
    assert "VALUES (?statute ?chapter ?lang)" in inlined and '"ru"' in inlined
    assert store.query(inlined).rows == store.query(text, bindings=bindings).rows
    assert dict(parse_qsl(query.examples[0]))["lang"] == "ru"


def test_the_synthetic_graph_is_deterministic_and_parses(tmp_path):
    first, second = synthetic.write(tmp_path / "a.ttl", 2), synthetic.write(tmp_path / "b.ttl", 2)
    assert first.read_bytes() == second.read_bytes()
    import pyoxigraph

    triples = list(pyoxigraph.parse(path=str(first), format=pyoxigraph.RdfFormat.TURTLE))
    articles = {t.subject for t in triples if t.object == pyoxigraph.NamedNode(synthetic.BASE + "ontology#Article")}
    assert len(articles) == 2 * synthetic.CHAPTERS * synthetic.ARTICLES + synthetic.INSTRUMENT_ARTICLES


def test_a_mix_is_sent_round_robin_on_every_connection():
    """A list of paths is one mix: each connection cycles through it from its own starting point, so the paths are
    sent equally often and the mix's rate is one measurement (not a mean of the paths' separate rates)."""
    import collections
    import threading

    import loadgen
    from helpers import loopback_http, reply

    seen, lock = collections.Counter(), threading.Lock()

    def answer(handler, body):
        with lock:
            seen[handler.path] += 1
        reply(handler, 200, b"ok", "text/plain")

    with loopback_http(answer) as url:
        port = int(url.rsplit(":", 1)[1])
        one = loadgen.measure(port, ["/a", "/b", "/c"], requests=30, concurrency=1, duration=30, warmup=1)
        assert one.requests == 30 and one.errors == 0
        assert seen == {"/a": 11, "/b": 10, "/c": 10}  # the warm-up took "/a"; then b, c, a ten times
        seen.clear()
        three = loadgen.measure(port, ["/a", "/b", "/c"], requests=60, concurrency=3, duration=30, warmup=1)
    assert three.requests == 60 and three.errors == 0
    assert sum(seen.values()) == 63 and max(seen.values()) - min(seen.values()) <= 3  # each connection cycles


def test_each_failed_request_is_named_by_its_status():
    """An error in a report says what it was (a 503 is not a 500), so a bench's failures can be explained."""
    import loadgen
    from helpers import loopback_http, reply

    def answer(handler, body):
        reply(handler, 503 if handler.path == "/busy" else 200, b"x", "text/plain")

    with loopback_http(answer) as url:
        sample = loadgen.measure(int(url.rsplit(":", 1)[1]), ["/ok", "/busy"], requests=20, concurrency=1, duration=30,
                                 warmup=0)
    assert sample.requests == 10 and sample.errors == 10
    assert dict(sample.failures) == {503: 10}


def test_a_request_on_a_connection_the_server_closed_while_idle_is_sent_again():
    """A server closes kept-alive connections left idle (a connection waiting at the warm-up barrier, say): like
    HTTP clients, the load generator sends the request again on a new connection, counted as `resent`, not as an
    error."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import loadgen

    class Closing(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            self.close_connection = True  # without saying so: the client finds out on its next request

    server = ThreadingHTTPServer(("127.0.0.1", 0), Closing)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        sample = loadgen.measure(server.server_address[1], "/q", requests=10, concurrency=1, duration=30, warmup=0)
    finally:
        server.shutdown()
        server.server_close()
    assert sample.requests == 10 and sample.errors == 0
    assert 1 <= sample.resent <= 9  # the first request had a new connection; most later ones found theirs closed


def test_a_new_connection_that_is_reset_counts_as_an_error_not_a_resend():
    """Only a kept-alive connection may have been closed while idle: a reset on a fresh one is the server failing."""
    import socket
    import struct
    import threading

    import loadgen

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def reset_everyone():
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            client.recv(65536)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()  # RST, no answer

    threading.Thread(target=reset_everyone, daemon=True).start()
    try:
        sample = loadgen.measure(listener.getsockname()[1], "/q", requests=5, concurrency=1, duration=30, warmup=0)
    finally:
        listener.close()
    assert sample.requests == 0 and sample.errors == 5 and sample.resent == 0
    assert set(sample.failures) <= {"ConnectionResetError", "RemoteDisconnected", "BrokenPipeError"}
