"""The layering of docs/ARCHITECTURE.md, checked on the code: who may import whom, who may touch pyoxigraph, sizes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kg"
# layer -> the layers it may import (besides itself); the table of docs/ARCHITECTURE.md
MAY_IMPORT = {
    "core": set(),
    "queries": set(),
    "rdf": {"core"},
    "store": {"core", "rdf", "queries"},
    "validation": {"core", "rdf", "store"},
    "services": {"core", "rdf", "queries", "store", "validation"},
    "web": {"core", "rdf", "queries", "store", "validation", "services"},
    "serving": {"core", "store", "web"},
}
ENGINE_LAYERS = {"store", "rdf"}  # the only ones that import pyoxigraph
TOP_LEVEL = {"__init__.py", "__main__.py", "cli.py"}
MAX_LINES = 300


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layer(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def imported(path: Path) -> set[str]:
    """Every module name the file imports, at any depth (function-level imports count too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_layers_are_the_documented_ones():
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()} == set(MAY_IMPORT)
    assert {path.name for path in PACKAGE.glob("*.py")} == TOP_LEVEL


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_the_layers_below_it(path):
    own = layer(path)
    if own is None:
        return  # the command line sits on top and may use everything
    used = {name.split(".")[1] for name in imported(path) if name.startswith("kg.") and name.count(".") >= 1}
    used &= set(MAY_IMPORT)
    assert used - {own} <= MAY_IMPORT[own], f"{own} may import only {sorted(MAY_IMPORT[own])}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_store_and_rdf_layers_touch_the_engine(path):
    if layer(path) not in ENGINE_LAYERS:
        assert not any(name == "pyoxigraph" or name.startswith("pyoxigraph.") for name in imported(path))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_the_size_limit(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_the_web_package_hands_nothing_on():
    tree = ast.parse((PACKAGE / "web" / "__init__.py").read_text(encoding="utf-8"))
    assert not [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
