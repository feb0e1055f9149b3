"""`kg.services.load`: which files go into which graphs, the progress line, and replacing without losing data on errors."""

from __future__ import annotations

import io

import pytest

import kg.services.load
from kg.core.errors import BackendError, ParseError
from kg.core.project import DataFile
from kg.services.load import Progress, load_file, load_files, targets
from kg.store.embedded import EmbeddedStore

from helpers import BASE, wait_until


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
def test_progress_shows_the_share_read_and_an_eta(stream, separator, monkeypatch):
    read = iter(range(0, 10_000_000, 250_000))  # bytes this process has read, as the kernel would report them
    monkeypatch.setattr(kg.services.load, "_bytes_read", lambda: next(read))
    monkeypatch.setattr(Progress, "REPORT_EVERY", 0.01)
    progress = Progress("big.nt", stream, size=1_000_000)
    with progress.watching():
        wait_until(lambda: "all 1.0 MB read" in stream.getvalue(), what="the watcher reports")
    text = stream.getvalue()
    assert "kg load: big.nt: 25% of 1.0 MB, about " in text and " s left" in text
    assert separator + "kg load: big.nt: 50% of 1.0 MB" in text


def test_progress_once_the_file_is_read_shows_the_time_the_store_takes(monkeypatch):
    """The bulk loader sorts and writes after reading the last byte: no "100%, about 0 s left" while it does."""
    monkeypatch.setattr(kg.services.load, "_bytes_read", iter([0, *[1_000_000] * 1000]).__next__)
    monkeypatch.setattr(Progress, "REPORT_EVERY", 0.01)
    stream = io.StringIO()
    with Progress("big.nt", stream, size=1_000_000).watching():
        wait_until(lambda: "all 1.0 MB read, storing them: " in stream.getvalue(), what="the watcher reports")
    assert "100%" not in stream.getvalue() and "0 s left" not in stream.getvalue()


def test_progress_counts_triples_when_a_store_reports_them():
    stream = io.StringIO()
    Progress("bulk.nt", stream)(10)
    assert "kg load: bulk.nt: 10 triples (" in stream.getvalue() and "/s)" in stream.getvalue()


def test_a_load_reports_its_total(data):
    stream = io.StringIO()
    loaded = load_file(EmbeddedStore(), DataFile(data, "urn:g"), stream=stream)
    assert loaded.triples == 25
    assert stream.getvalue().endswith(f"{data} -> <urn:g>: 25 triples in {loaded.seconds:.2f} s\n")


def test_replace_keeps_the_graph_when_the_file_is_bad(data, tmp_path):
    store, bad = EmbeddedStore(), tmp_path / "bad.ttl"
    load_file(store, DataFile(data, "urn:g"), stream=io.StringIO())
    bad.write_text("<urn:a> <urn:b> \"open .\n", encoding="utf-8")
    with pytest.raises(ParseError):
        load_file(store, DataFile(bad, "urn:g"), replace=True, stream=io.StringIO())
    assert store.graph_sizes() == {"urn:g": 25}


@pytest.fixture(params=["memory", "disk"])
def empty_store(request, tmp_path):
    return EmbeddedStore() if request.param == "memory" else EmbeddedStore(tmp_path / "db")


def test_a_bad_file_into_a_new_graph_stores_nothing_and_says_where(empty_store, tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text("<urn:a> <urn:b> <urn:c> .\n" * 3 + "<urn:a> <urn:b> \"open .\n", encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        load_file(empty_store, DataFile(bad, "urn:new"), stream=io.StringIO())
    assert caught.value.line == 4 and str(caught.value).startswith(f"{bad}:4:")
    assert empty_store.graph_sizes() == {} and len(empty_store) == 0


def test_adding_and_replacing_an_existing_graph(empty_store, data, tmp_path):
    other = tmp_path / "other.ttl"
    other.write_text("<urn:x> <urn:y> <urn:z> .\n", encoding="utf-8")
    load_file(empty_store, DataFile(data, "urn:g"), stream=io.StringIO())
    assert load_file(empty_store, DataFile(other, "urn:g"), stream=io.StringIO()).triples == 1
    assert empty_store.graph_sizes() == {"urn:g": 26}
    load_file(empty_store, DataFile(other, "urn:g"), replace=True, stream=io.StringIO())
    assert empty_store.graph_sizes() == {"urn:g": 1}
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    with pytest.raises(ParseError):
        load_file(empty_store, DataFile(bad, "urn:g"), stream=io.StringIO())
    assert empty_store.graph_sizes() == {"urn:g": 1}  # and no staging graph is left behind


def test_quads_go_into_the_chosen_graph(empty_store, tmp_path):
    quads = tmp_path / "data.nq"
    quads.write_text("<urn:a> <urn:b> <urn:c> <urn:elsewhere> .\n<urn:a> <urn:b> <urn:d> .\n", encoding="utf-8")
    assert load_file(empty_store, DataFile(quads, "urn:g"), stream=io.StringIO()).triples == 2
    assert empty_store.graph_sizes() == {"urn:g": 2}


def test_an_on_disk_store_is_compacted_once_after_all_its_files(empty_store, data, tmp_path, monkeypatch):
    """The bulk loader leaves overlapping files that a read-only server would never merge: `kg load --store` compacts
    once the files are in (bench/scale.py shows what that is worth at 10M triples); a store in memory has nothing
    to compact."""
    other = tmp_path / "other.nt"
    other.write_text("<urn:x> <urn:y> <urn:z> .\n", encoding="utf-8")
    compactions = []
    real = EmbeddedStore.compact
    monkeypatch.setattr(EmbeddedStore, "compact", lambda self: compactions.append(self) or real(self))
    stream = io.StringIO()
    loaded = load_files(empty_store, [DataFile(data, "urn:g"), DataFile(other, "urn:h")], stream=stream)
    assert [item.triples for item in loaded] == [25, 1] and compactions == [empty_store]
    assert empty_store.graph_sizes() == {"urn:g": 25, "urn:h": 1}  # all of it still there, queryable
    assert ("store compacted for reading in " in stream.getvalue()) is empty_store.on_disk


def test_a_store_opened_read_only_is_not_compacted(data, tmp_path):
    store = EmbeddedStore(tmp_path / "db")
    load_file(store, DataFile(data, "urn:g"), stream=io.StringIO())
    assert store.compact() is True
    store.close()
    assert EmbeddedStore(tmp_path / "db", read_only=True).compact() is False


def test_a_failed_compaction_says_the_data_is_stored_and_leaves_it_readable(data, tmp_path):
    store = EmbeddedStore(tmp_path / "db")
    load_file(store, DataFile(data, "urn:g"), stream=io.StringIO())

    class DiskFull:  # the engine, but its compaction meets a full disk
        def __init__(self, engine):
            self.engine = engine

        def optimize(self):
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.engine, name)

    store.engine = DiskFull(store.engine)
    with pytest.raises(BackendError, match="the data is stored, but compacting the store failed .*No space left"):
        store.compact()
    store.close()
    assert EmbeddedStore(tmp_path / "db", read_only=True).graph_sizes() == {"urn:g": 25}


def test_a_long_step_shows_the_seconds_it_has_taken(monkeypatch):
    monkeypatch.setattr(Progress, "REPORT_EVERY", 0.01)
    stream = io.StringIO()
    with Progress("compacting the store for reading", stream).ticking():
        wait_until(lambda: " s so far" in stream.getvalue(), what="the ticker reports")
    assert stream.getvalue().startswith("kg load: compacting the store for reading: ")
