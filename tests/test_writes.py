"""kg.services.writes: every write is validated against shapes/ on the nodes it touches, then committed whole or not at all."""

from __future__ import annotations

import gc
import hashlib
import shutil
import sys
import threading
import urllib.request
from pathlib import Path

import pyoxigraph
import pytest

from kg.services import writes
from kg.core.errors import Forbidden, InvalidData, NotFound, QuerySyntaxError, UsageError
from kg.core.project import project_files
from kg.store.embedded import EmbeddedStore
from kg.store.remote import RemoteStore

from helpers import BASE, english_only, start_server, stop, wait_until

PREFIXES = f"""PREFIX kg: <{BASE}ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
CODE_GRAPH = f"{BASE}graph/kz-criminal-code"
BODIES_GRAPH = f"{BASE}graph/bodies"
ART_205 = f"{BASE}eli/kz/code/2014/226-V/art_205"
NEW_ARTICLE = f"{BASE}eli/kz/code/2014/226-V/art_999"
NEW_CLAIM = f"{BASE}id/claim/write-test"
# a resource without a Russian label that may get one: since issue 13 every resource with a Kazakh label has a
# Russian one, so the target is an editorial note left with its English label only (`fresh`; a note needs no other)
CLAIM_M5 = f"{BASE}id/note/u5"
ENGLISH_ONLY_NOTES = [f"{BASE}id/note/u{n}" for n in (5, 6, 7, 8)]
RU_LABEL = f'<{CLAIM_M5}> rdfs:label "Язык статьи (M5)"@ru .'


def insert(graph: str, triples: str) -> str:
    return f"{PREFIXES}INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}"


def article(*, part_of: bool = True, source: bool = True) -> str:
    """A new article of the Criminal Code, complete unless told to leave out its chapter or its source."""
    lines = [f'<{NEW_ARTICLE}> a kg:Article ; rdfs:label "999 бап"@kk , "Article 999"@en-t-kk , "Статья 999"@ru-t-kk ; eli:number "999" .']
    if part_of:
        lines.append(f"<{NEW_ARTICLE}> eli:is_part_of <{BASE}eli/kz/code/2014/226-V/chp_7> .")
    if source:
        lines.append(f"<{NEW_ARTICLE}> kg:source <{BASE}id/location/intro> .")
    return insert(CODE_GRAPH, "\n".join(lines))


def claim(*labels: str) -> str:
    """A new kg:ArticleClaim, sourced to the article's discussion, with the given labels."""
    # every claim also needs a Russian label since issue 13 (RussianLabelRequired)
    return insert(BODIES_GRAPH, f"""<{NEW_CLAIM}> a kg:ArticleClaim ; rdfs:label {", ".join(labels + ('"Утверждение теста"@ru-t-en',))} ;
        kg:concerns <{BASE}id/organisation/kz-cert> ; kg:claimText "A claim added by a test."@en-t-kk ;
        kg:source <{BASE}id/location/disc> .""")


VALID_CLAIM = claim('"Сынақ тұжырымы"@kk-t-en', '"Claim: added by a test"@en-t-kk')


def fingerprint(store) -> tuple[dict[str, int], str]:
    """Triples per graph and a hash of every quad, sorted: equal fingerprints mean byte-for-byte equal data."""
    quads = sorted(str(q) for q in store.quads())
    return store.graph_sizes(), hashlib.sha256("\n".join(quads).encode()).hexdigest()


def ask(store, pattern: str) -> bool:
    return store.query(f"{PREFIXES}ASK {{ {pattern} }}").value


@pytest.fixture
def fresh(settings) -> EmbeddedStore:
    """The project's graph in a store of its own, for a test that writes; the notes u5-u8 keep only their English
    labels, so that a write may give them a Russian one."""
    store = EmbeddedStore.from_files(project_files(settings))
    english_only(store, *ENGLISH_ONLY_NOTES)
    return store


# ---------------------------------------------------------------------------------------------- valid writes

def test_a_valid_label_is_visible_to_the_next_query(settings, fresh):
    outcome = writes.apply_update(settings, fresh, insert(f"{BASE}graph/sources", RU_LABEL))
    assert (outcome.added, outcome.removed) == (1, 0)
    assert outcome.focus_nodes >= 1
    assert ask(fresh, f'<{CLAIM_M5}> rdfs:label "Язык статьи (M5)"@ru')


def test_a_correctly_sourced_claim_is_committed(settings, fresh):
    writes.apply_update(settings, fresh, VALID_CLAIM)
    assert ask(fresh, f"GRAPH <{BODIES_GRAPH}> {{ <{NEW_CLAIM}> a kg:ArticleClaim ; kg:source ?where }}")


def test_a_complete_article_is_committed(settings, fresh):
    writes.apply_update(settings, fresh, article())
    assert ask(fresh, f"<{NEW_ARTICLE}> eli:is_part_of ?chapter")


# ---------------------------------------------------------------------------------------------- invalid writes

INVALID = {  # write -> (focus node of the violation, a word of its message)
    "article without its chapter": (article(part_of=False), NEW_ARTICLE, "is_part_of"),
    "article without a source": (article(source=False), NEW_ARTICLE, "source"),
    "second English label": (insert(CODE_GRAPH, f'<{ART_205}> rdfs:label "Article 205, again"@en-t-kk .'),
                             ART_205, "label"),
    "claim without a Kazakh label": (claim('"Claim: added by a test"@en-t-kk'), NEW_CLAIM, "Kazakh"),
    "integer out of its type's range": (
        f"""{PREFIXES}DELETE {{ GRAPH ?g {{ ?c kg:authorPosition ?p }} }}
        INSERT {{ GRAPH ?g {{ ?c kg:authorPosition "0"^^xsd:positiveInteger }} }}
        WHERE {{ BIND (<{BASE}id/contribution/aueshova-bt> AS ?c) GRAPH ?g {{ ?c kg:authorPosition ?p }} }}""",
        f"{BASE}id/contribution/aueshova-bt", "authorPosition"),
}


@pytest.mark.parametrize("update, focus, word", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_write_changes_nothing_and_reports_why(settings, fresh, update, focus, word):
    before = fingerprint(fresh)
    with pytest.raises(InvalidData) as refused:
        writes.apply_update(settings, fresh, update)
    assert fingerprint(fresh) == before
    report = refused.value.report
    assert report["conforms"] is False
    assert any(r["focusNode"] == focus and r["severity"] == "Violation" for r in report["results"])
    assert word.lower() in " ".join(f"{r['resultPath']} {r['message']}" for r in report["results"]).lower()
    assert refused.value.http_status == 422


def test_a_violation_already_in_the_data_does_not_block_an_unrelated_fix(settings, fresh):
    """A write is refused for what it breaks: a claim left without a source (by a bulk load) can still get a label,
    but nothing new may break on it."""
    fresh.update(f"{PREFIXES}DELETE WHERE {{ GRAPH ?g {{ <{CLAIM_M5}> kg:source ?where }} }}")
    writes.apply_update(settings, fresh, insert(f"{BASE}graph/sources", RU_LABEL))
    assert ask(fresh, f"<{CLAIM_M5}> rdfs:label ?ru FILTER (LANG(?ru) = 'ru')")
    with pytest.raises(InvalidData):
        writes.apply_update(settings, fresh, insert(f"{BASE}graph/sources", f'<{CLAIM_M5}> rdfs:label "Again"@en .'))


def test_a_malformed_update_changes_nothing(settings, fresh):
    before = fingerprint(fresh)
    with pytest.raises(QuerySyntaxError, match=r"1:37"):  # line:column
        writes.apply_update(settings, fresh, "INSERT DATA { <http://a> <http://b> }")
    assert fingerprint(fresh) == before


def test_an_update_oxigraph_cannot_apply_is_a_client_error(settings, fresh):
    before = fingerprint(fresh)
    with pytest.raises(UsageError, match="does not exist"):
        writes.apply_update(settings, fresh, "DROP GRAPH <http://example.org/no-such-graph>")
    assert fingerprint(fresh) == before


@pytest.mark.parametrize("update", [
    "LOAD <http://127.0.0.1:1/data.ttl> INTO GRAPH <http://example.org/g>",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
], ids=["LOAD", "SERVICE"])
def test_outbound_requests_are_refused_before_anything_runs(settings, fresh, update):
    before = fingerprint(fresh)
    with pytest.raises(Forbidden):
        writes.apply_update(settings, fresh, update)
    assert fingerprint(fresh) == before


# ---------------------------------------------------------------------------------------------- graph operations

def triples_of(turtle: str) -> list[pyoxigraph.Triple]:
    return [q.triple for q in pyoxigraph.parse(input=(PREFIXES + turtle).encode(), format=pyoxigraph.RdfFormat.TURTLE)]


def test_graph_operations_report_creation_and_commit(settings, fresh):
    graph = f"{BASE}graph/write-test"
    label = triples_of(RU_LABEL)
    assert writes.replace_graph(settings, fresh, graph, label).created
    assert not writes.replace_graph(settings, fresh, graph, label).created
    assert not writes.add_to_graph(settings, fresh, graph, triples_of(f'<{CLAIM_M5}> rdfs:comment "x"@en .')).created
    assert fresh.graph_sizes()[graph] == 2
    writes.drop_graph(settings, fresh, graph)
    assert graph not in fresh.graph_sizes()
    with pytest.raises(NotFound):
        writes.drop_graph(settings, fresh, graph)


def test_an_invalid_graph_replacement_changes_nothing(settings, fresh):
    before = fingerprint(fresh)
    with pytest.raises(InvalidData):
        writes.replace_graph(settings, fresh, f"{BASE}graph/write-test",
                             triples_of(f'<{ART_205}> rdfs:label "Article 205, again"@en-t-kk .'))
    assert fingerprint(fresh) == before


def test_dropping_a_graph_others_depend_on_is_refused(settings, fresh):
    """graph/bodies types the state bodies that decrees name as kg:adoptedBy: the decrees would break."""
    before = fingerprint(fresh)
    with pytest.raises(InvalidData) as refused:
        writes.drop_graph(settings, fresh, BODIES_GRAPH)
    assert fingerprint(fresh) == before
    assert any("adoptedBy" in (r["resultPath"] or "") for r in refused.value.report["results"])


def test_removing_a_type_checks_the_resources_that_link_to_it(settings, fresh):
    """The Criminal Code's kg:officialText must be a kg:WebDocument (sh:class): untyping the document breaks the
    code, which the change itself does not mention."""
    document = f"{BASE}id/source/adilet/K1400000226-kaz"
    before = fingerprint(fresh)
    with pytest.raises(InvalidData) as refused:
        writes.apply_update(settings, fresh, f"{PREFIXES}DELETE WHERE {{ GRAPH ?g {{ <{document}> a kg:WebDocument }} }}")
    assert fingerprint(fresh) == before
    assert {r["focusNode"] for r in refused.value.report["results"]} >= {f"{BASE}eli/kz/code/2014/226-V"}


# ---------------------------------------------------------------------------------------------- durability, concurrency

def test_a_valid_write_survives_a_restart_of_an_on_disk_store(settings, tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    for data_file in project_files(settings):
        store.load(data_file.path, data_file.graph)
    writes.apply_update(settings, store, VALID_CLAIM)
    store.close()
    del store
    gc.collect()  # release the folder's lock before it is opened again
    reopened = EmbeddedStore(tmp_path / "store")
    assert ask(reopened, f"<{NEW_CLAIM}> a kg:ArticleClaim")


def test_concurrent_writers_all_land(settings, fresh):
    targets = ENGLISH_ONLY_NOTES  # notes with an English label only (`fresh`)
    errors = []

    def label(target: str) -> None:
        try:
            writes.apply_update(settings, fresh, insert(f"{BASE}graph/sources", f'<{target}> rdfs:label "Утверждение"@ru .'))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=label, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(ask(fresh, f"<{t}> rdfs:label ?ru FILTER (LANG(?ru) = 'ru')") for t in targets)


# ---------------------------------------------------------------------------------------------- remote backend

@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """A real Oxigraph server on a loopback port the kernel picks, in memory, with the union default graph our
    queries assume."""
    beside_python = Path(sys.executable).with_name("oxigraph")  # `pip install oxigraph` (a test dependency)
    binary = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    server, port = start_server(lambda port: [binary, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                tmp_path_factory.mktemp("oxigraph") / "server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answering(f"{url}/query?query=ASK%7B%7D"), 20, f"{url} answers")
        yield url
    finally:
        stop(server)


def answering(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
        return True
    except OSError:
        return False


def test_the_remote_backend_validates_and_commits_the_same_way(settings, oxigraph_server):
    remote = RemoteStore(settings.with_(endpoint=f"{oxigraph_server}/query", update_endpoint=f"{oxigraph_server}/update"))
    for data_file in project_files(settings):
        remote.load(data_file.path, data_file.graph)
    before = fingerprint(remote)
    with pytest.raises(InvalidData):
        writes.apply_update(settings, remote, article(source=False))
    assert fingerprint(remote) == before
    writes.apply_update(settings, remote, VALID_CLAIM)
    assert ask(remote, f"<{NEW_CLAIM}> a kg:ArticleClaim ; kg:source ?where")
