"""`kg.services.load`: which files go into which graphs, the progress line, and replacing without losing data on errors."""

from __future__ import annotations

import io

import pytest

import kg.rdf.parsing
from kg.core.errors import ParseError
from kg.core.project import DataFile
from kg.services.load import load_file, targets
from kg.store.embedded import EmbeddedStore

from helpers import BASE


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "bulk.nt"
    path.write_text("".join(f"<{BASE}id/n{i}> <{BASE}id/p> \"{i}\" .\n" for i in range(25)), encoding="utf-8")
    return path


def test_targets_default_to_the_project_files(settings, tmp_path):
    assert [t.graph for t in targets(settings)][:1] == [f"{BASE}graph/ontology/core"]
    assert targets(settings, [tmp_path / "x.nt"]) == [DataFile(tmp_path / "x.nt", f"{BASE}graph/x")]
    assert targets(settings, [tmp_path / "x.nt"], "urn:g")[0].graph == "urn:g"


@pytest.mark.parametrize("stream, separator", [(Terminal(), "\r\x1b[K"), (io.StringIO(), "\n")])
def test_progress_counts_and_rate(data, stream, separator, monkeypatch):
    monkeypatch.setattr(kg.rdf.parsing, "PROGRESS_EVERY", 10)
    loaded = load_file(EmbeddedStore(), DataFile(data, "urn:g"), stream=stream)
    text = stream.getvalue()
    assert loaded.triples == 25
    assert "kg load: bulk.nt: 10 triples (" in text and "kg load: bulk.nt: 20 triples (" in text and "/s)" in text
    assert text.endswith(f"{data} -> <urn:g>: 25 triples in {loaded.seconds:.2f} s\n")
    assert separator + "kg load: bulk.nt: 20" in text


def test_replace_keeps_the_graph_when_the_file_is_bad(data, tmp_path):
    store, bad = EmbeddedStore(), tmp_path / "bad.ttl"
    load_file(store, DataFile(data, "urn:g"), stream=io.StringIO())
    bad.write_text("<urn:a> <urn:b> \"open .\n", encoding="utf-8")
    with pytest.raises(ParseError):
        load_file(store, DataFile(bad, "urn:g"), replace=True, stream=io.StringIO())
    assert store.graph_sizes() == {"urn:g": 25}
