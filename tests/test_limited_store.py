"""kg.store.limited: queries run in killable executor processes; a runaway is stopped, others keep being served."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pyoxigraph
import pytest

from kg.core.errors import Forbidden, QuerySyntaxError, QueryTimeout
from kg.core.project import project_files
from kg.store.embedded import EmbeddedStore
from kg.store.base import AskResult, Dataset, GraphResult, SelectResult
from kg.store.limited import TimeLimitedStore
from kg.store.open import open_store

from helpers import BASE, wait_until

CODE_GRAPH = BASE + "graph/kz-criminal-code"
ARTICLE_205 = pyoxigraph.NamedNode(BASE + "eli/kz/code/2014/226-V/art_205")
LIMIT = 1.0  # seconds
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~2.7e11 rows on the project graph
LOOKUP = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o"
NEW = f"<{BASE}id/test-thing>"
HAS_PROC = Path("/proc/self/stat").exists()
GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"

# (query, keyword arguments of Store.query): each answered identically by the plain store and the wrapper
SAME_ANSWERS = [
    ("SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label", {}),
    ("SELECT ?b ?p ?o WHERE { ?b ?p ?o FILTER isBlank(?b) } ORDER BY ?b ?p ?o LIMIT 50", {}),
    (LOOKUP, {"bindings": {"s": ARTICLE_205}}),
    ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", {"dataset": Dataset(default_graphs=(CODE_GRAPH,))}),
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
     {"dataset": Dataset(named_graphs=(CODE_GRAPH,))}),
    ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", {"max_rows": 7}),
    (f"ASK {{ <{ARTICLE_205.value}> ?p ?o }}", {}),
    ("ASK { <urn:nothing> ?p ?o }", {}),
    (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{CODE_GRAPH}> {{ ?s ?p ?o }} }}", {}),
    (f"DESCRIBE <{ARTICLE_205.value}>", {}),
]


@pytest.fixture(scope="module")
def primary(settings) -> EmbeddedStore:
    """The project graph, owned by this module (the wrapper's writes must not reach the session store)."""
    return EmbeddedStore.from_files(project_files(settings))


@pytest.fixture(scope="module")
def limited(settings, primary):
    store = TimeLimitedStore(primary, settings.with_(query_timeout=LIMIT, executors=2))
    yield store
    store.close()


@pytest.fixture
def writable(settings):
    store = TimeLimitedStore(EmbeddedStore.from_files(project_files(settings)),
                             settings.with_(query_timeout=LIMIT, executors=2))
    yield store
    store.close()


def executor_children() -> set[int]:
    """Pids of this process's children running kg.store.executor (zombies included: they are not reaped)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid() and b"kg.store.executor" in (stat.parent / "cmdline").read_bytes():
                found.add(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def normalised(result):
    """Graph results as sets (triple order is not part of a CONSTRUCT's answer)."""
    return (set(result.triples), result.truncated) if isinstance(result, GraphResult) else result


@pytest.mark.parametrize(("query", "arguments"), SAME_ANSWERS)
def test_answers_equal_the_plain_store(limited, primary, query, arguments):
    expected = primary.query(query, **arguments)
    assert isinstance(expected, SelectResult | AskResult | GraphResult)
    assert normalised(limited.query(query, **arguments)) == normalised(expected)


def test_row_limit_applies_inside_the_executor(limited):
    result = limited.query("SELECT ?s WHERE { ?s ?p ?o }", max_rows=3)
    assert len(result.rows) == 3 and result.truncated


def test_blank_node_labels_match_the_primary(limited, primary):
    """Replicas keep the primary's blank-node labels, so a blank node from one answer can be asked about next."""
    node = primary.query("SELECT ?b WHERE { ?b ?p ?o FILTER isBlank(?b) } ORDER BY ?b LIMIT 1").rows[0]["b"]
    assert limited.query(LOOKUP, bindings={"s": node}) == primary.query(LOOKUP, bindings={"s": node})
    assert limited.query(LOOKUP, bindings={"s": node}).rows


def test_select_gives_python_values(limited):
    rows = limited.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CODE_GRAPH}> {{ ?s ?p ?o }} }}")
    assert rows[0]["n"] == limited.graph_sizes()[CODE_GRAPH] > 0


def test_engine_errors_come_back_and_the_executor_stays(limited):
    before = limited.pids
    with pytest.raises(QuerySyntaxError, match="malformed query"):
        limited.query("SELECT * WHERE { ?s ?p }")
    assert limited.pids == before
    assert limited.query("ASK { ?s ?p ?o }").value is True


def test_service_is_refused_before_any_executor(limited):
    with pytest.raises(Forbidden, match="KG_SERVICE_ALLOWLIST"):
        limited.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(Forbidden, match="LOAD"):
        limited.update("LOAD <http://127.0.0.1:9/data.ttl>")


def test_runaway_is_stopped_while_others_are_served(limited):
    before = set(limited.pids)
    outcome = {}

    def runaway():
        started = time.monotonic()
        try:
            limited.query(RUNAWAY)
        except QueryTimeout as error:
            outcome["error"], outcome["gone"] = error, before - set(limited.pids)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    wait_until(lambda: len(limited._idle) < len(before), 10, "the runaway holds one executor")
    started = time.monotonic()
    answer = limited.query(f"ASK {{ <{ARTICLE_205.value}> ?p ?o }}")
    prompt = time.monotonic() - started
    thread.join(timeout=LIMIT + 5)

    assert answer.value is True and prompt < 0.3 * LIMIT
    assert isinstance(outcome.get("error"), QueryTimeout) and outcome["error"].http_status == 503
    assert "time limit" in str(outcome["error"]) and "KG_QUERY_TIMEOUT" in str(outcome["error"])
    assert LIMIT <= outcome["seconds"] < LIMIT + 1
    assert len(outcome["gone"]) == 1 and not any(alive(pid) for pid in outcome["gone"])  # killed, not abandoned
    wait_until(lambda: len(limited.pids) == 2, 10, "a fresh executor replaced it")
    assert limited.query("ASK { ?s ?p ?o }").value is True


def test_all_executors_busy_waits_up_to_the_limit(settings, primary):
    store = TimeLimitedStore(primary, settings.with_(query_timeout=0.3, executors=1))
    try:
        held, _ = store._acquire(time.monotonic() + 1)  # as if a query were running on the only executor
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="busy"):
            store.query("ASK { ?s ?p ?o }")
        assert 0.3 <= time.monotonic() - started < 1
        answers: list = []
        asking = threading.Thread(target=lambda: answers.append(store.query("ASK { ?s ?p ?o }")))
        asking.start()
        wait_until(lambda: store._pool._waiters, 5, "the query waits for an executor")  # threading.Condition's
        store._release(held)
        asking.join(5)
        assert answers and answers[0].value is True  # it waited for the executor to come back
    finally:
        store.close()


WRITES = [
    ("update", lambda s: s.update(f"INSERT DATA {{ GRAPH <{BASE}graph/test> {{ {NEW} <{BASE}id/p> 1 }} }}"), True),
    ("add_to_graph", lambda s: s.add_to_graph(BASE + "graph/test", [pyoxigraph.Triple(
        pyoxigraph.NamedNode(NEW[1:-1]), pyoxigraph.NamedNode(BASE + "id/p"), pyoxigraph.Literal("x"))]), True),
    ("replace_graph", lambda s: s.replace_graph(CODE_GRAPH, [pyoxigraph.Triple(
        pyoxigraph.NamedNode(NEW[1:-1]), pyoxigraph.NamedNode(BASE + "id/p"), pyoxigraph.Literal("x"))]), True),
    ("drop_graph", lambda s: s.drop_graph(CODE_GRAPH), False),
]


@pytest.mark.parametrize(("name", "write", "new_thing_exists"), WRITES, ids=[w[0] for w in WRITES])
def test_every_replica_sees_a_write(writable, name, write, new_thing_exists):
    sizes_before = writable.primary.query(GRAPH_SIZES)
    write(writable)
    sizes_after = writable.primary.query(GRAPH_SIZES)
    assert sizes_after != sizes_before
    assert writable.query(f"ASK {{ {NEW} ?p ?o }}").value is new_thing_exists  # the next query sees it
    for executor in list(writable._idle):  # and so does every executor on its own
        assert ask_executor(executor, f"ASK {{ {NEW} ?p ?o }}").value is new_thing_exists
        assert ask_executor(executor, GRAPH_SIZES) == sizes_after


def ask_executor(executor, query: str):
    status, result = executor.call(("query", query, Dataset(), None, None), time.monotonic() + 5)
    assert status == "ok"
    return result


def test_a_busy_executor_is_refreshed_before_its_next_query(writable):
    held, _ = writable._acquire(time.monotonic() + 1)  # busy during the write: not reloaded by it
    writable.update(f"INSERT DATA {{ {NEW} <{BASE}id/p> 1 }}")
    assert held.generation < writable._generation
    writable._release(held)
    for _ in range(2):  # whichever executor answers, it has the write
        assert writable.query(f"ASK {{ {NEW} ?p ?o }}").value is True
    assert held.generation == writable._generation


@pytest.mark.skipif(not HAS_PROC, reason="counts child processes through /proc")
def test_close_leaves_no_child_processes(settings, primary):
    before = executor_children()
    store = TimeLimitedStore(primary, settings.with_(query_timeout=LIMIT, executors=2))
    started = executor_children() - before
    assert started == set(store.pids) and len(started) == 2
    victim, _ = store._acquire(time.monotonic() + 1)
    store._replace(victim)  # a successor is being started in the background while we close
    store.close()
    assert executor_children() - before == set()
    assert not any(alive(pid) for pid in started)


def test_open_store_wraps_embedded_stores_unless_the_limit_is_off(settings):
    assert type(open_store(settings.with_(query_timeout=0))) is EmbeddedStore
    store = open_store(settings.with_(query_timeout=LIMIT, executors=1))
    try:
        assert isinstance(store, TimeLimitedStore)
        assert store.query(f"ASK {{ <{ARTICLE_205.value}> ?p ?o }}").value is True
    finally:
        store.close()


def test_read_only_disk_store_is_shared_not_copied(settings, tmp_path):
    """Without a write token an on-disk store opens read-only, and the executors open the same folder."""
    folder = tmp_path / "store"
    builder = EmbeddedStore(folder)
    for data_file in project_files(settings):
        builder.load(data_file.path, data_file.graph)
    builder.close()
    del builder
    store = open_store(settings.with_(store_path=folder, query_timeout=LIMIT, executors=2))
    try:
        assert isinstance(store, TimeLimitedStore)
        assert store.query(f"ASK {{ <{ARTICLE_205.value}> ?p ?o }}").value is True
        assert store.graph_sizes()[CODE_GRAPH] > 0
        with pytest.raises(RuntimeError):  # the primary itself refuses writes
            store.primary.update("INSERT DATA { <urn:a> <urn:b> 1 }")
    finally:
        store.close()


# ------------------------------------------------------------------ through HTTP

def test_runaway_over_http_is_a_503_with_the_json_error(make_client, limited):
    client = make_client(store=limited, query_timeout=LIMIT)
    started = time.monotonic()
    response = client.post("/sparql", data={"query": RUNAWAY}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 503
    assert time.monotonic() - started < LIMIT + 1
    body = response.get_json()
    assert body["error"] == "QueryTimeout" and "KG_QUERY_TIMEOUT" in body["detail"]
    ok = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"})
    assert ok.status_code == 200 and ok.get_json()["boolean"] is True
