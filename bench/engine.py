"""Timings on the embedded store itself (no HTTP), for choices made in the query text rather than the front:
the two ways of writing gap analysis (`OPTIONAL … FILTER(!BOUND(?x))` against `FILTER NOT EXISTS`, which
ARCHITECTURE.md reports as slow in Oxigraph 0.5), and the two ways of giving a canned query its parameters
(Oxigraph's substitution, as `kg.services.canned` does, against the same typed terms in an inline VALUES block)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pyoxigraph

from kg.store.embedded import EmbeddedStore

QUERIES = Path(__file__).resolve().parent / "queries"
BASE = "https://w3id.org/infosec-law-kg/"
GAP_FORMS = {"OPTIONAL … FILTER(!BOUND)": "gap-optional.rq", "FILTER NOT EXISTS": "gap-not-exists.rq"}
GAP_CASES = {  # label -> (instrument, state)
    "Convention on Cybercrime × KZ": ("eli/coe/convention/2001/cybercrime", "id/state/kz"),
    "synthetic convention × s0": ("eli/int/convention/synthetic", "id/state/s0"),
}


def gap_forms(store: EmbeddedStore, cases: list[str], runs: int, budget: float) -> list[dict]:
    """Per case and form: the median time over up to `runs` evaluations (at least one, `budget` seconds each)."""
    rows = []
    for case in cases:
        instrument, state = GAP_CASES[case]
        bindings = {"instrument": pyoxigraph.NamedNode(BASE + instrument), "state": pyoxigraph.NamedNode(BASE + state)}
        forms = {form: ((QUERIES / file).read_text(encoding="utf-8"), bindings) for form, file in GAP_FORMS.items()}
        rows += _compare(store, case, forms, runs, budget)
    return rows


def binding_forms(store: EmbeddedStore, cases: dict[str, tuple[str, dict, str]], runs: int, budget: float) -> list[dict]:
    """Per canned query: its text with Oxigraph substitution of the parameters, against an inline VALUES text."""
    rows = []
    for case, (text, bindings, inlined) in cases.items():
        rows += _compare(store, case, {"substitution": (text, bindings), "inline VALUES": (inlined, {})}, runs, budget)
    return rows


def _compare(store: EmbeddedStore, case: str, forms: dict[str, tuple[str, dict]], runs: int, budget: float) -> list[dict]:
    rows, answers = [], {}
    for form, (text, bindings) in forms.items():
        times, answers[form] = _time(store, text, bindings, runs, budget)
        rows.append({"case": case, "form": form, "runs": len(times), "rows": len(answers[form]),
                     "median_ms": statistics.median(times) * 1000})
    same = len({repr(answer) for answer in answers.values()}) == 1
    fastest = min(row["median_ms"] for row in rows)
    for row in rows:
        row["same_rows"] = same
        row["vs_fastest"] = row["median_ms"] / fastest if fastest else float("nan")
    return rows


def _time(store: EmbeddedStore, text: str, bindings: dict, runs: int, budget: float) -> tuple[list[float], list]:
    times, answer, spent = [], [], 0.0
    while len(times) < max(1, runs) and (not times or spent < budget):
        began = time.perf_counter()
        result = store.query(text, bindings=bindings)
        times.append(time.perf_counter() - began)
        spent += times[-1]
        answer = sorted(sorted((name, str(term)) for name, term in row.items()) for row in result.rows)
    return times, answer
