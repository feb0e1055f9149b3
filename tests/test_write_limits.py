"""A write's validation is bounded in time (KG_WRITE_TIMEOUT): past it the client gets 503 and nothing is written;
the bound is a child process that is killed, so the service itself never stops."""

from __future__ import annotations

import os
import time

import pytest
from helpers import BASE

from kg.core.bounded import Overran, in_child
from kg.core.errors import UsageError, WriteTimeout
from kg.core.project import project_files
from kg.rdf.formats import engine_format
from kg.rdf.parsing import parse_bytes
from kg.services import writes
from kg.store.embedded import EmbeddedStore

CODE = f"{BASE}eli/kz/code/2014/226-V"


def test_work_in_a_child_returns_its_value_and_raises_its_errors():
    assert in_child(lambda: os.getpid(), 10) != os.getpid()
    with pytest.raises(UsageError, match="refused"):
        in_child(lambda: (_ for _ in ()).throw(UsageError("refused")), 10)


def test_work_past_its_deadline_is_killed():
    started = time.monotonic()
    with pytest.raises(Overran):
        in_child(lambda: time.sleep(60), 0.3)  # the work itself: a child that would run for a minute
    assert time.monotonic() - started < 10


def articles(count: int) -> list:
    lines = ["@prefix kg: <https://w3id.org/infosec-law-kg/ontology#> .", "@prefix eli: <http://data.europa.eu/eli/ontology#> ."]
    lines += [f'<{CODE}/art_{n}> a kg:Article ; eli:number "{n}" ; eli:is_part_of <{CODE}/chp_7> .'
              for n in range(20_000, 20_000 + count)]
    return parse_bytes("\n".join(lines).encode(), engine_format("text/turtle"), "test").triples


def test_a_write_whose_validation_overruns_is_refused_and_changes_nothing(settings):
    store = EmbeddedStore.from_files(project_files(settings), base=settings.base)
    size = len(store)
    with pytest.raises(WriteTimeout) as refused:
        writes.add_to_graph(settings.with_(write_timeout=0.01), store, f"{BASE}graph/kz-criminal-code", articles(300))
    assert refused.value.http_status == 503 and "KG_WRITE_TIMEOUT" in str(refused.value)
    assert len(store) == size
