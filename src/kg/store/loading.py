"""A file into a named graph of an Oxigraph engine, whole or not at all.

The engine parses the file once and streams it in (its bulk loader on disk), never held whole in Python. A graph that
is new receives the data directly; a graph that exists is loaded beside it, into a staging graph, and only a file that
parsed completely is moved in (`replace`: instead of the graph's content, which stays as it was until then). A syntax
error, an unreadable file or an interruption (Ctrl-C, SIGTERM raised as KeyboardInterrupt) removes what was stored of
the file. The bulk loader is not atomic, so each step is first noted in the store's folder (`kg.store.journal`): a
process ended before it could clean up leaves the note, and `set_right` acts on it at the next opening for writing.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph

from kg import queries
from kg.core.errors import BackendError, ParseError
from kg.rdf.parsing import format_of, located
from kg.rdf.terms import graph_node
from kg.store.base import InterruptedAfterStoring, staging_graph
from kg.store.journal import Entry, Journal

log = logging.getLogger(__name__)
GRAPH_SIZE = queries.text("store/graph-size")


def load_file(engine: pyoxigraph.Store, journal: Journal, path: Path, graph: str, *, replace: bool = False,
              on_disk: bool = False) -> int:
    """Load `path` into `graph`; the number of triples it held. A syntax error raises ParseError (file:line:column)."""
    target = graph_node(graph)
    staging = graph_node(staging_graph(graph)) if engine.contains_named_graph(target) else target
    entry = Entry(graph, staging.value, replace)
    try:
        journal.write(entry)
        _stream(engine, path, staging, on_disk)
        count = graph_size(engine, staging)
        if staging != target:
            journal.write(entry.moved())
    except BaseException as error:  # a syntax error, an unreadable file, Ctrl-C: nothing of the file stays
        engine.remove_graph(staging)
        journal.clear()
        if isinstance(error, SyntaxError):
            raise located(str(path), error, lambda: path.read_text(encoding="utf-8", errors="replace")) from None
        if isinstance(error, OSError):
            raise ParseError(str(path), 0, 0, "", f"cannot read file: {error.strerror or error}") from None
        raise
    if staging != target:
        try:
            _move_in(engine, entry, on_disk)
        except KeyboardInterrupt:  # the graph may have lost its old content or hold part of the new: the file parsed
            _move_in(engine, entry, on_disk)  # whole, so the move is finished first (interrupted again, the note
            _done(engine, journal, target)    # stays for the next opening)
            raise InterruptedAfterStoring() from None
        except OSError as error:
            raise BackendError(f"moving the loaded file into <{graph}> failed ({error}); opening the store for "
                               "writing again finishes the move (kg.store.journal)") from None
    _done(engine, journal, target)
    return count


def set_right(engine: pyoxigraph.Store, journal: Journal, on_disk: bool = True) -> bool:
    """Act on the note of a load that did not end: undo a file that was streaming in, finish a move into an existing
    graph. Whether there was one (the store's data changed)."""
    entry = journal.pending()
    if entry is None:
        return False
    if entry.moving:
        _move_in(engine, entry, on_disk)
        what = "the file had parsed whole: its move into the graph was finished"
    else:
        engine.remove_graph(graph_node(entry.staging))
        what = "what it had stored of its file was removed"
    journal.clear()
    log.warning("an earlier `kg load` into <%s> was cut short: %s", entry.graph, what)
    return True


def _done(engine: pyoxigraph.Store, journal: Journal, target: pyoxigraph.NamedNode) -> None:
    engine.add_graph(target)  # an empty file still makes its graph
    journal.clear()


def _move_in(engine: pyoxigraph.Store, entry: Entry, on_disk: bool) -> None:
    """The staging graph's quads into the graph (instead of its content with `replace`), then the staging graph
    dropped. Run again after an interruption it ends the same way: while the staging graph exists it holds the whole
    file, and a quad added twice is stored once."""
    target, staging = graph_node(entry.graph), graph_node(entry.staging)
    if not engine.contains_named_graph(staging):
        return  # moved and dropped before the process ended
    if entry.replace:
        engine.clear_graph(target)
    engine.bulk_extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, target)
                       for q in engine.quads_for_pattern(None, None, None, staging))
    if on_disk:
        engine.flush()  # the moved quads on disk before the staging graph, their other copy, goes
    engine.remove_graph(staging)


def _stream(engine: pyoxigraph.Store, path: Path, graph: pyoxigraph.NamedNode, on_disk: bool) -> None:
    rdf_format = format_of(path)
    if rdf_format.supports_datasets:  # quads: their graph names give way to the one chosen
        parsed = pyoxigraph.parse(path=str(path), format=rdf_format)
        engine.bulk_extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, graph) for q in parsed)
    elif on_disk:
        engine.bulk_load(path=str(path), format=rdf_format, to_graph=graph)
    else:
        engine.load(path=str(path), format=rdf_format, to_graph=graph)


def graph_size(engine: pyoxigraph.Store, graph: pyoxigraph.NamedNode) -> int:
    """Triples in one named graph, counted by the engine as it streams them (0 for a graph that is not there)."""
    rows = engine.query(GRAPH_SIZE, substitutions={pyoxigraph.Variable("graph"): graph})
    return next((int(row["triples"].value) for row in rows), 0)
