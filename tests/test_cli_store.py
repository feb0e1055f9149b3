"""`kg load`, `kg query`, `kg export` and `kg serve`: the commands that open a store."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import urllib.request
from urllib.parse import quote

import pyoxigraph
import pytest

import kg.rdf.parsing
from kg.cli import main

from helpers import BASE, start_server, stop, wait_until

CODE_GRAPH = f"{BASE}graph/kz-criminal-code"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g"
BAD_TURTLE = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"unterminated .\n"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> str:
    """An on-disk store built once by `kg load --store DIR` from the project's files."""
    folder = tmp_path_factory.mktemp("store") / "db"
    assert main(["load", "--store", str(folder)]) == 0
    return str(folder)


def total(store) -> int:
    return sum(store.graph_sizes().values())


# ------------------------------------------------------------------ kg load

def test_load_builds_the_project_store(built, store, capsys):
    code, out, _ = run(capsys, "query", "--store", built, "-q", COUNT, "--format", "csv")
    assert code == 0 and csv_rows(out) == [{"n": str(total(store))}]
    code, out, _ = run(capsys, "query", "--store", built, "-q", GRAPHS, "--format", "csv")
    assert [row["g"] for row in csv_rows(out)] == sorted(store.graph_sizes())


def test_reopening_parses_nothing(built, store, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the store was reparsed")

    monkeypatch.setattr(pyoxigraph, "parse", refuse)
    monkeypatch.setattr(kg.rdf.parsing, "read_triples", refuse)
    code, out, _ = run(capsys, "query", "--store", built, "-q", COUNT, "--format", "tsv")
    assert code == 0 and out.splitlines()[1].startswith(f'"{total(store)}"')


def test_load_reports_each_file_on_stderr(tmp_path, capsys):
    data = tmp_path / "mine.nt"
    data.write_text(f"<{BASE}id/x> <{BASE}id/p> \"1\" .\n", encoding="utf-8")
    code, out, err = run(capsys, "load", "--store", str(tmp_path / "db"), str(data))
    assert code == 0 and out == ""
    assert f"-> <{BASE}graph/mine>: 1 triple in " in err and "kg load: 1 triple from 1 file\n" in err


def test_load_into_a_named_graph_and_replace(tmp_path, capsys):
    data, db, graph = tmp_path / "mine.ttl", str(tmp_path / "db"), "urn:test:mine"
    data.write_text(f"<{BASE}id/x> <{BASE}id/p> 1 .\n", encoding="utf-8")
    assert run(capsys, "load", "--store", db, "--graph", graph, str(data))[0] == 0
    data.write_text(f"<{BASE}id/x> <{BASE}id/p> 2 .\n", encoding="utf-8")
    assert run(capsys, "load", "--store", db, "--graph", graph, "--replace", str(data))[0] == 0
    code, out, _ = run(capsys, "export", "--store", db, "--graph", graph, "--format", "nt")
    assert code == 0 and out.count(" .\n") == 1 and '"2"^^' in out


def test_parse_error_exits_2_with_position_and_stores_nothing(tmp_path, capsys):
    bad, db = tmp_path / "bad.ttl", str(tmp_path / "db")
    bad.write_text(BAD_TURTLE, encoding="utf-8")
    code, _, err = run(capsys, "load", "--store", db, str(bad))
    assert code == 2 and f"{bad}:3:11:" in err
    code, out, _ = run(capsys, "query", "--store", db, "-q", f"ASK {{ GRAPH <{BASE}graph/bad> {{ }} }}")
    assert code == 0 and '"boolean": false' in out


def test_load_needs_a_persistent_store(capsys, monkeypatch):
    for name in ("KG_STORE_PATH", "KG_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "load")
    assert code == 2 and "--store DIR or --endpoint URL" in err


def test_store_path_from_the_environment(built, store, capsys, monkeypatch):
    monkeypatch.setenv("KG_STORE_PATH", built)
    code, out, _ = run(capsys, "query", "-q", COUNT, "--format", "csv")
    assert code == 0 and csv_rows(out) == [{"n": str(total(store))}]


# ------------------------------------------------------------------ kg query

def test_query_from_a_file_constructs_turtle(built, tmp_path, capsys):
    query = tmp_path / "q.rq"
    query.write_text(f"CONSTRUCT WHERE {{ <{BASE}eli/kz/code/2014/226-V/art_205> ?p ?o }}", encoding="utf-8")
    code, out, _ = run(capsys, "query", "--store", built, str(query))
    triples = list(pyoxigraph.parse(out.encode(), format=pyoxigraph.RdfFormat.TURTLE))
    assert code == 0 and triples and all(t.subject.value.endswith("art_205") for t in triples)


@pytest.mark.parametrize("argv, message", [
    (["-q", "ASK {}", "--format", "turtle"], "cannot express this result"),
    (["-q", "SELECT * WHERE {"], "malformed query"),
    ([], "give a query"),
])
def test_query_errors_exit_2(argv, message, capsys):
    code, _, err = run(capsys, "query", *argv)
    assert code == 2 and message in err


# ------------------------------------------------------------------ kg export

def test_export_dataset_as_nquads(built, store, capsys):
    code, out, _ = run(capsys, "export", "--store", built)
    quads = list(pyoxigraph.parse(out.encode(), format=pyoxigraph.RdfFormat.N_QUADS))
    assert code == 0 and len(quads) == total(store)
    assert {q.graph_name.value for q in quads} == set(store.graph_sizes())


def test_export_one_graph(built, store, capsys):
    code, out, _ = run(capsys, "export", "--store", built, "--graph", CODE_GRAPH, "--format", "nt")
    exported = set(pyoxigraph.parse(out.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert code == 0 and {q.triple for q in exported} == set(store.graph_triples(CODE_GRAPH))


@pytest.mark.parametrize("argv, message", [
    (["--graph", "urn:test:none"], "no graph"),
    (["--format", "csv"], "cannot export"),
    (["--graph", "not an iri"], "not an absolute IRI"),
])
def test_export_errors_exit_2(built, argv, message, capsys):
    code, _, err = run(capsys, "export", "--store", built, *argv)
    assert code == 2 and message in err


# ------------------------------------------------------------------ kg serve

def test_serve_runs_gunicorn_and_answers_sparql(built, store, tmp_path):
    log = tmp_path / "serve.log"
    server, port = start_server(lambda port: [sys.executable, "-m", "kg.cli", "serve", "--store", built,
                                              "--port", str(port), "--threads", "2"],
                                log, {**os.environ, "KG_WRITE_TOKEN": ""})
    url = f"http://127.0.0.1:{port}/sparql?query={quote(COUNT)}"
    try:
        body = _fetch(url, server, {"Accept": "text/csv"})
        assert csv_rows(body) == [{"n": str(total(store))}]
        text = log.read_text()
        # on disk each worker opens the store and names its graphs (counting triples would read the whole store)
        assert "ready in" in text and f"{len(store.named_graphs())} named graphs" in text and "MiB" in text
        assert f"Listening at: http://127.0.0.1:{port}" in text  # gunicorn's own line
    finally:
        stop(server)


def _fetch(url: str, server: subprocess.Popen, headers: dict[str, str], seconds: float = 30) -> str:
    """GET `url` once the server answers it (it listens before its workers are up)."""
    def answer() -> str | None:
        assert server.poll() is None, "kg serve exited"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            return None
    return wait_until(answer, seconds, f"{url} answers")
