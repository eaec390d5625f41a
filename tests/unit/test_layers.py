"""The import-linter contracts in pyproject.toml hold, and they can fail: an upward import
or a Textual import in a lower layer, added to a copy of the package, breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import grimp
import pytest

import lamtui

ROOT = Path(lamtui.__file__).parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports run in `cwd`: its pyproject.toml, and the lamtui package found there
    (lint-imports puts the current folder first on the path)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "lamtui", tmp_path / "lamtui", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_tree_keeps_its_contracts() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lamtui's layers: a package imports only the layers below it KEPT" in result.stdout
    assert "only lamtui.ui imports Textual KEPT" in result.stdout


def test_an_unchanged_copy_keeps_them(copy: Path) -> None:
    """The copy is what the linter reads in the tests below (not the installed package)."""
    result = _lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_layers(copy: Path) -> None:
    _append(copy / "lamtui" / "safety" / "paths.py", "import lamtui.ui.app  # upward")
    result = _lint(copy)
    assert result.returncode != 0
    assert "lamtui's layers: a package imports only the layers below it BROKEN" in result.stdout
    assert "lamtui.safety.paths -> lamtui.ui.app" in result.stdout


def test_the_floor_may_not_import_the_rest(copy: Path) -> None:
    # A function-level import counts as well: the contract reads every import statement.
    _append(copy / "lamtui" / "contract" / "risk.py", "def f() -> None:\n    import lamtui.config")
    result = _lint(copy)
    assert result.returncode != 0
    assert "lamtui.contract.risk -> lamtui.config" in result.stdout


def test_siblings_in_one_layer_are_independent(copy: Path) -> None:
    _append(copy / "lamtui" / "memory" / "records.py", "from lamtui.record import audit")
    result = _lint(copy)
    assert result.returncode != 0
    assert "lamtui.memory.records -> lamtui.record.audit" in result.stdout


def test_textual_outside_the_ui_breaks_the_forbidden_contract(copy: Path) -> None:
    _append(copy / "lamtui" / "agent" / "events.py", "import textual")
    result = _lint(copy)
    assert result.returncode != 0
    assert "only lamtui.ui imports Textual BROKEN" in result.stdout
    assert "lamtui.agent.events -> textual" in result.stdout


def test_a_new_top_level_module_needs_a_layer(copy: Path) -> None:
    (copy / "lamtui" / "stray.py").write_text('"""Not in any layer."""\n', encoding="utf-8")
    result = _lint(copy)
    assert result.returncode != 0
    assert "lamtui.stray" in result.stdout + result.stderr


def test_no_cycle_between_sibling_packages() -> None:
    """At every level, the sub-packages of one package import each other one way only."""
    graph = grimp.build_graph("lamtui")
    packages = {m for m in graph.modules if graph.find_children(m)}
    assert {"lamtui.contract", "lamtui.safety.shell", "lamtui.ui.widgets"} <= packages
    for parent in sorted(packages):
        children = sorted(c for c in graph.find_children(parent) if c in packages)
        edges: dict[str, set[str]] = defaultdict(set)
        for a in children:
            for b in children:
                if a != b and graph.chain_exists(a, b, as_packages=True):
                    edges[a].add(b)
        for a in children:
            for b in edges[a]:
                assert a not in edges[b], f"{a} and {b} import each other"
