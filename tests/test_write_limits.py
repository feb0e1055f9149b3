"""A write's validation is bounded in time (KG_WRITE_TIMEOUT): past it the client gets 503 and nothing is written;
the bound is a child process that is killed, so the service itself never stops."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from helpers import BASE

from kg.core.bounded import in_child
from kg.core.errors import WriteTimeout
from kg.core.project import project_files
from kg.rdf.formats import engine_format
from kg.rdf.parsing import parse_bytes
from kg.services import writes
from kg.store.embedded import EmbeddedStore

CODE = f"{BASE}eli/kz/code/2014/226-V"


def in_fresh_python(code: str) -> str:
    """Run `code` in a new interpreter: this test process may have started a JVM (the OWL tests), and then
    `in_child` runs its work in place, by design (see kg.core.bounded)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_work_in_a_child_returns_its_value_and_raises_its_errors():
    out = in_fresh_python(
        "import os\nfrom kg.core.bounded import in_child\nfrom kg.core.errors import UsageError\n"
        "print(in_child(lambda: os.getpid(), 10) != os.getpid())\n"
        "try:\n    in_child(lambda: (_ for _ in ()).throw(UsageError('refused')), 10)\n"
        "except UsageError as error:\n    print(error)\n")
    assert out.splitlines() == ["True", "refused"]


def test_work_past_its_deadline_is_killed():
    out = in_fresh_python(
        "import time\nfrom kg.core.bounded import Overran, in_child\nstarted = time.monotonic()\n"
        "try:\n    in_child(lambda: time.sleep(60), 0.3)\nexcept Overran:\n"
        "    print(time.monotonic() - started < 10)\n")  # the work itself: a child that would run for a minute
    assert out == "True"


def test_a_process_that_started_a_jvm_runs_the_work_in_place(monkeypatch):
    class JPype:
        @staticmethod
        def isJVMStarted() -> bool:
            return True
    monkeypatch.setitem(sys.modules, "jpype", JPype)
    assert in_child(lambda: os.getpid(), 10) == os.getpid()


def articles(count: int) -> list:
    lines = ["@prefix kg: <https://w3id.org/infosec-law-kg/ontology#> .", "@prefix eli: <http://data.europa.eu/eli/ontology#> ."]
    lines += [f'<{CODE}/art_{n}> a kg:Article ; eli:number "{n}" ; eli:is_part_of <{CODE}/chp_7> .'
              for n in range(20_000, 20_000 + count)]
    return parse_bytes("\n".join(lines).encode(), engine_format("text/turtle"), "test").triples


def test_a_write_whose_validation_overruns_is_refused_and_changes_nothing(settings, monkeypatch):
    monkeypatch.setitem(sys.modules, "jpype", None)  # as in the service, which never starts a JVM
    store = EmbeddedStore.from_files(project_files(settings), base=settings.base)
    size = len(store)
    with pytest.raises(WriteTimeout) as refused:
        writes.add_to_graph(settings.with_(write_timeout=0.01), store, f"{BASE}graph/kz-criminal-code", articles(300))
    assert refused.value.http_status == 503 and "KG_WRITE_TIMEOUT" in str(refused.value)
    assert len(store) == size
