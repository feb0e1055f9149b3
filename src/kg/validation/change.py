"""`kg validate --changed [REV]`: validate what the working tree changed since a git revision, with the whole graph as
context, and sort the results into introduced by the change, fixed by it, and still present.

Both sides are loaded (the revision's files from git, the working tree's from disk) with stable blank nodes
(`kg.rdf.dataset`), so the quads that differ are exactly the statements the change added or removed. They name the
focus nodes by the write path's own rule (`kg.validation.focus.touched_nodes`), and SHACL runs on those nodes on both
sides (`validate_focus`, in Oxigraph). When the ontology or the shapes changed, every node is a focus node. The term
check runs over the whole data on both sides (it is cheap). The OWL steps need the whole graph: `kg validate`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path

from kg.core import git
from kg.core.config import Settings
from kg.core.errors import UsageError
from kg.rdf.dataset import file_quads, nquads
from kg.rdf.graphs import graph_of
from kg.rdf.parsing import format_of, parse_bytes
from kg.rdf.terms import BlankNode, NamedNode
from kg.store.embedded import EmbeddedStore
from kg.validation import terms
from kg.validation.findings import Finding, Step
from kg.validation.focus import touched_nodes, validate_focus
from kg.validation.locate import Locator
from kg.validation.run import Outcome, display, validate

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OWL_SKIPPED = "change mode checks terms and SHACL; the OWL steps need the whole graph: run `kg validate`"


class _Side:
    """One side of the change: the files of ontology/, graph/ and shapes/ as bytes, and what they parse to.

    The engine loads each data file as cached N-Quads (`kg.rdf.dataset.nquads`); only the files the change touched
    are read into Python, to find the statements added and removed."""

    def __init__(self, settings: Settings, files: dict[Path, bytes], name: Callable[[Path], str],
                 changed: set[Path]) -> None:
        self.files, self.name = files, name
        self.changed_quads, dumps, graphs, self.shape_files = [], [], [], []
        cache = settings.root / ".kg" / "cache" / "nquads"
        for path, data in sorted(files.items()):
            graph = _graph_iri(settings, path)
            if graph is None:
                self.shape_files.append((data, name(path)))
                continue
            graphs.append(graph)
            if path in changed:
                self.changed_quads += file_quads(data, graph, name(path))[0]
            dumps.append(nquads(data, graph, name(path), cache))
        self.store = EmbeddedStore.from_nquads(b"".join(dumps), graphs)
        self.store.add_quads(self.changed_quads)
        self.shapes = None

    def term_findings(self, everything: bool) -> dict[tuple, Finding]:
        """Undeclared terms in the changed files (in all files when the ontology changed)."""
        typing = [(_plain(q.subject), q.predicate.value, _plain(q.object)) for q in self.store.pattern(None, RDF_TYPE)]
        checked = self.store.quads() if everything else self.changed_quads
        triples = [(_plain(q.subject), q.predicate.value, _plain(q.object)) for q in checked]
        found = terms.findings(triples, terms.vocabulary_terms() | terms.declared(typing))
        return {f.key(): f for f in found}

    def sources(self, first: set[Path]) -> list:
        order = sorted(self.files, key=lambda p: (p not in first, str(p)))
        return [(self.name(p), lambda p=p: self.files[p].decode("utf-8", "replace")) for p in order
                if p.suffix == ".ttl"]


def validate_files_or_change(settings: Settings, files: list[Path], changed: str | None, alone: bool = False,
                             show_all: bool = False, **options) -> Outcome:
    """`kg validate`: the change since a revision (`changed`), or the named files (with the rest of graph/ unless
    `alone`), or the whole graph."""
    if changed is None:
        return validate(settings, data=files or None, alone=alone, **options)
    if files:
        raise UsageError("--changed validates the working tree against a revision: name no files with it")
    options.pop("with_owl", None)
    return validate_change(settings, changed, show_all=show_all, **options)


def validate_change(settings: Settings, revision: str = "HEAD", fail_on: str = "violation", show_all: bool = False,
                    progress: Callable[[str], None] = lambda message: None) -> Outcome:
    started = time.perf_counter()
    commit = git.resolve(settings.root, revision)
    folders = [settings.ontology_dir, settings.graph_dir, settings.shapes_dir]
    old = git.files_at(settings.root, commit, folders)
    folders = [folder.resolve() for folder in folders]  # files_at gives resolved paths too
    new = {p: p.read_bytes() for folder in folders for p in sorted(folder.glob("*.ttl"))}
    changed_files = {p for p in set(old) | set(new) if old.get(p) != new.get(p)}
    before = _Side(settings, old, lambda p: f"{revision}:{display(settings, p)}", changed_files)
    after = _Side(settings, new, lambda p: display(settings, p), changed_files)
    after.shapes = _shapes(after.shape_files)  # read once: both sides share it when the shapes did not change
    unchanged = [data for data, _ in before.shape_files] == [data for data, _ in after.shape_files]
    before.shapes = after.shapes if unchanged else _shapes(before.shape_files)
    progress(f"{len(changed_files)} file(s) differ from {revision} ({commit[:12]})")

    added = set(after.changed_quads) - set(before.changed_quads)
    removed = set(before.changed_quads) - set(after.changed_quads)
    notes = []
    schema_changed = any(path.parent != folders[1] for path in changed_files)
    if schema_changed:
        notes.append("the ontology or the shapes changed: every resource was validated on both sides")
        focus = {*_all_nodes(after.store), *_all_nodes(before.store)}
    else:
        focus = touched_nodes(added | removed, after.store) | touched_nodes(added | removed, before.store)
    progress(f"{len(added)} statement(s) added, {len(removed)} removed; {len(focus)} focus node(s)")

    term_started = time.perf_counter()
    term_old, term_new = before.term_findings(schema_changed), after.term_findings(schema_changed)
    term_seconds = time.perf_counter() - term_started
    shacl_started = time.perf_counter()
    shacl_old = {f.key(): f for f in validate_focus(before.store, before.shapes, focus)} if focus else {}
    shacl_new = {f.key(): f for f in validate_focus(after.store, after.shapes, focus)} if focus else {}
    shacl_seconds = time.perf_counter() - shacl_started

    here, there = Locator(after.sources(changed_files), settings.base), Locator(before.sources(changed_files),
                                                                                settings.base)
    steps = (
        Step("Declared terms", tuple(here.place_all(_new(term_new, term_old))), round(term_seconds, 2)),
        Step("SHACL (touched resources)", tuple(here.place_all(_new(shacl_new, shacl_old))), round(shacl_seconds, 2)),
        Step("OWL 2 DL profile and HermiT", skipped=OWL_SKIPPED),
    )
    fixed = there.place_all(_new(term_old, term_new) + _new(shacl_old, shacl_new))
    still = here.place_all([f for k, f in {**term_new, **shacl_new}.items() if k in term_old or k in shacl_old])
    progress(f"done in {time.perf_counter() - started:.2f} s")
    return Outcome(steps, graph_of([]), fail_on, fixed=tuple(fixed), still=tuple(still) if show_all else None,
                   against=f"{revision} ({commit[:12]})", notes=tuple(notes),
                   prefixes=tuple(here.names().items()), base=settings.base)


def _shapes(files: list[tuple[bytes, str]]):
    quads, prefixes = [], []
    for data, name in files:  # the shapes need no stable blank nodes: parsed as they are
        parsed = parse_bytes(data, format_of(Path(name)), name)
        quads += parsed.quads
        prefixes += parsed.prefixes.items()
    return graph_of(quads, prefixes)


def _new(mine: dict[tuple, Finding], theirs: dict[tuple, Finding]) -> list[Finding]:
    return [finding for key, finding in mine.items() if key not in theirs]


def _all_nodes(store: EmbeddedStore) -> set:
    return touched_nodes({q for q in store.quads()}, store)


def _graph_iri(settings: Settings, path: Path) -> str | None:
    folder = path.parent
    if folder == _resolved(settings.graph_dir):
        return settings.graph_iri(path.stem)
    if folder == _resolved(settings.ontology_dir):
        return settings.graph_iri(f"ontology/{path.stem}")
    return None


@functools.lru_cache(maxsize=16)
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def _plain(term) -> str:
    return term.value if isinstance(term, NamedNode) else f"_:{term.value}" if isinstance(term, BlankNode) else '"'
