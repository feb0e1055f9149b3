"""A load cut short stores nothing of its file: Ctrl-C and SIGTERM undo it at once, a process that could not clean up
(killed, crashed) leaves a note that the next opening for writing acts on, and `kg serve --store` (read-only) refuses
the store until then (kg.store.journal)."""

from __future__ import annotations

import glob
import io
import os
import signal
import subprocess
import sys

import pyoxigraph
import pytest

from kg.core.errors import BackendError
from kg.core.project import DataFile
from kg.services.load import load_file
from kg.store import journal, loading
from kg.store.base import InterruptedAfterStoring
from kg.store.embedded import EmbeddedStore

from helpers import BASE, free_port, wait_until


def ntriples(path, count: int, name: str = "n"):
    path.write_text("".join(f"<{BASE}id/{name}{i}> <{BASE}id/p> \"{i}\" .\n" for i in range(count)), encoding="utf-8")
    return path


@pytest.fixture(params=["memory", "disk"])
def store(request, tmp_path):
    return EmbeddedStore() if request.param == "memory" else EmbeddedStore(tmp_path / "db")


def interrupted_when_stored(monkeypatch) -> None:
    """Ctrl-C during the engine's load, as the bulk loader lets it through: when its call returns, the whole file
    stored."""
    real = loading._stream

    def stream(*arguments):
        real(*arguments)
        raise KeyboardInterrupt
    monkeypatch.setattr(loading, "_stream", stream)


def test_ctrl_c_while_a_new_graph_streams_in_stores_nothing_of_it(store, tmp_path, monkeypatch):
    load_file(store, DataFile(ntriples(tmp_path / "first.nt", 3, "f"), "urn:first"), stream=io.StringIO())
    interrupted_when_stored(monkeypatch)
    stream = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        load_file(store, DataFile(ntriples(tmp_path / "big.nt", 100), "urn:big"), stream=stream)
    assert store.graph_sizes() == {"urn:first": 3} and len(store) == 3  # the file before it stays
    assert "big.nt: interrupted: nothing of it was stored" in stream.getvalue()
    assert not (tmp_path / "db" / journal.FILE).exists()


def test_ctrl_c_while_a_file_streams_beside_an_existing_graph_leaves_the_graph_as_it_was(store, tmp_path, monkeypatch):
    load_file(store, DataFile(ntriples(tmp_path / "old.nt", 5, "old"), "urn:g"), stream=io.StringIO())
    interrupted_when_stored(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        load_file(store, DataFile(ntriples(tmp_path / "new.nt", 100), "urn:g"), replace=True, stream=io.StringIO())
    assert store.graph_sizes() == {"urn:g": 5}  # the old content, and no staging graph


def test_ctrl_c_while_moving_into_an_existing_graph_finishes_the_move_first(store, tmp_path, monkeypatch):
    load_file(store, DataFile(ntriples(tmp_path / "old.nt", 5, "old"), "urn:g"), stream=io.StringIO())
    real, calls = loading._move_in, []

    def cut_short(engine, entry, on_disk):  # the graph's old content gone, the new not yet in: then Ctrl-C
        calls.append(entry)
        if len(calls) == 1:
            engine.clear_graph(pyoxigraph.NamedNode(entry.graph))
            raise KeyboardInterrupt
        real(engine, entry, on_disk)
    monkeypatch.setattr(loading, "_move_in", cut_short)
    stream = io.StringIO()
    with pytest.raises(InterruptedAfterStoring):
        load_file(store, DataFile(ntriples(tmp_path / "new.nt", 30), "urn:g"), replace=True, stream=stream)
    assert store.graph_sizes() == {"urn:g": 30} and len(calls) == 2
    assert "new.nt: interrupted once it had parsed whole: it was stored" in stream.getvalue()


def serve(folder) -> subprocess.CompletedProcess:
    """`kg serve --store folder`, read-only, expected to refuse before it listens (the timeout ends it otherwise)."""
    return subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--store", str(folder), "--port",
                           str(free_port())], capture_output=True, text=True, timeout=60)


def test_a_load_killed_while_streaming_is_undone_when_the_store_is_next_opened_for_writing(tmp_path, caplog):
    folder = tmp_path / "db"
    store = EmbeddedStore(folder)
    load_file(store, DataFile(ntriples(tmp_path / "kept.nt", 4, "k"), "urn:kept"), stream=io.StringIO())
    # what a killed process leaves: its note, and part of the file in the graph it was loading
    journal.Journal(folder).write(journal.Entry("urn:half", "urn:half"))
    store.engine.bulk_extend(pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:s{i}"), pyoxigraph.NamedNode("urn:p"),
                                             pyoxigraph.Literal(str(i)), pyoxigraph.NamedNode("urn:half"))
                             for i in range(7))
    store.close()
    del store
    refused = serve(folder)  # it would have served part of a file
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"kg: {folder}: a `kg load` into <urn:half> is under way in this store or was cut short" in refused.stderr
    before = (folder / "kg-version").read_text()
    reopened = EmbeddedStore(folder)
    assert reopened.graph_sizes() == {"urn:kept": 4} and not (folder / journal.FILE).exists()
    assert (folder / "kg-version").read_text() != before  # a change: caches keyed by the version see it
    assert "an earlier `kg load` into <urn:half> was cut short: what it had stored of its file was removed" in caplog.text
    reopened.close()
    del reopened  # the writer gone, as when `kg load` ends
    assert EmbeddedStore(folder, read_only=True).graph_sizes() == {"urn:kept": 4}


def test_the_next_kg_load_says_it_set_right_what_a_killed_one_left(tmp_path):
    folder = tmp_path / "db"
    store = EmbeddedStore(folder)
    store.engine.add(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p"),
                                     pyoxigraph.Literal("half"), pyoxigraph.NamedNode("urn:half")))
    journal.Journal(folder).write(journal.Entry("urn:half", "urn:half"))
    store.close()
    del store
    done = subprocess.run([sys.executable, "-m", "kg.cli", "load", "--store", str(folder), "--graph", "urn:kept",
                           str(ntriples(tmp_path / "kept.nt", 2))], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "an earlier `kg load` into <urn:half> was cut short: what it had stored of its file was removed" in done.stderr
    assert EmbeddedStore(folder, read_only=True).graph_sizes() == {"urn:kept": 2}


def test_a_load_that_cannot_write_its_note_stores_nothing(store, tmp_path, monkeypatch):
    """A full disk when the note says the file is in staging and about to move: the staged file goes."""
    load_file(store, DataFile(ntriples(tmp_path / "old.nt", 5, "old"), "urn:g"), stream=io.StringIO())
    real = journal.Journal.write

    def full_disk(self, entry):
        if entry.moving:
            raise BackendError("cannot write the note of the load (No space left on device); the file is not loaded")
        real(self, entry)
    monkeypatch.setattr(journal.Journal, "write", full_disk)
    with pytest.raises(BackendError, match="the file is not loaded"):
        load_file(store, DataFile(ntriples(tmp_path / "new.nt", 30), "urn:g"), replace=True, stream=io.StringIO())
    assert store.graph_sizes() == {"urn:g": 5}  # the old content, and no staging graph


def test_a_move_that_fails_says_so_and_is_finished_at_the_next_opening(tmp_path, monkeypatch):
    folder = tmp_path / "db"
    store = EmbeddedStore(folder)
    load_file(store, DataFile(ntriples(tmp_path / "old.nt", 4, "old"), "urn:g"), stream=io.StringIO())

    def disk_full(engine, entry, on_disk):
        engine.clear_graph(pyoxigraph.NamedNode(entry.graph))  # the old content gone, the new not in
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(loading, "_move_in", disk_full)
    with pytest.raises(BackendError, match=r"moving the loaded file into <urn:g> failed .*finishes the move"):
        load_file(store, DataFile(ntriples(tmp_path / "new.nt", 9), "urn:g"), replace=True, stream=io.StringIO())
    assert journal.Journal(folder).pending().moving  # the note stays: the staging graph holds the whole file
    store.close()
    del store
    monkeypatch.undo()
    assert EmbeddedStore(folder).graph_sizes() == {"urn:g": 9}


def test_a_load_killed_while_moving_is_finished_when_the_store_is_next_opened_for_writing(tmp_path):
    folder = tmp_path / "db"
    store = EmbeddedStore(folder)
    load_file(store, DataFile(ntriples(tmp_path / "old.nt", 4, "old"), "urn:g"), stream=io.StringIO())
    staging = "urn:g#kg-load-staging"
    load_file(store, DataFile(ntriples(tmp_path / "new.nt", 9), staging), stream=io.StringIO())
    journal.Journal(folder).write(journal.Entry("urn:g", staging, replace=True, moving=True))
    store.engine.clear_graph(pyoxigraph.NamedNode("urn:g"))  # killed after clearing the graph, before the move
    store.close()
    del store
    assert EmbeddedStore(folder).graph_sizes() == {"urn:g": 9}


def test_a_note_that_cannot_be_read_is_not_guessed_at(tmp_path):
    folder = tmp_path / "db"
    EmbeddedStore(folder).close()
    (folder / journal.FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(BackendError, match="the note of an unfinished `kg load` cannot be read"):
        EmbeddedStore(folder)
    assert "the note of an unfinished `kg load` cannot be read" in serve(folder).stderr


def reading(pid: int, path) -> bool:
    """Has process `pid` the file open (the engine reading it)?"""
    try:
        return any(os.path.realpath(fd) == os.path.realpath(path) for fd in glob.glob(f"/proc/{pid}/fd/*"))
    except OSError:
        return False


@pytest.mark.parametrize("suffix, sent", [("nt", signal.SIGINT), ("nq", signal.SIGTERM)])
def test_kg_load_stopped_by_a_signal_says_so_stores_nothing_of_the_file_and_exits_130(tmp_path, suffix, sent):
    """A real `kg load` process, signalled once the engine has the file open, the load under way: N-Triples go
    through the bulk loader, which lets the signal through when it has stored the file; N-Quads stream through
    Python, where it lands in the middle."""
    data = tmp_path / f"big.{suffix}"
    with data.open("w", encoding="utf-8") as out:
        out.writelines(f"<{BASE}id/n{i}> <{BASE}id/p> \"{i}\" .\n" for i in range(50_000))
    folder = tmp_path / "db"
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "load", "--store", str(folder), str(data)],
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # not ignored
    try:
        wait_until(lambda: reading(process.pid, data) or process.poll() is not None, what="the engine to read the file")
        process.send_signal(sent)
        stderr = process.communicate(timeout=60)[1]
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert f"big.{suffix}: interrupted: nothing of it was stored" in stderr and "kg: interrupted" in stderr
    assert "Traceback" not in stderr
    if suffix == "nt":  # said at once, while the bulk loader (deaf to signals until its call returns) still ran
        notice = stderr.index("interrupted: the engine ends its current step, then what it stored of the file is removed")
        assert notice < stderr.index("nothing of it was stored")
    assert len(EmbeddedStore(folder, read_only=True)) == 0 and not (folder / journal.FILE).exists()
