"""Only lamtui.ui imports Textual; the core never imports the UI; the contract floor imports
nothing of lamtui. (pyproject.toml's import-linter contracts check the same statically,
tests/unit/test_layers.py runs them; these tests check what importing really loads.)"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import lamtui

# Every package but the UI, and every top-level module but the CLI (which opens the app).
CORE = [
    "contract", "agent", "lam", "actions", "safety", "record", "memory", "eval", "train",
    "commands",
]  # fmt: skip
TOP_MODULES = [
    "lamtui.cli", "lamtui.config", "lamtui.console", "lamtui.errors", "lamtui.paths",
    "lamtui.present", "lamtui.session",
]  # fmt: skip


def _package_modules(package: str) -> list[str]:
    """lamtui.PACKAGE's modules, sub-packages included."""
    root = Path(lamtui.__file__).parent
    return [
        info.name
        for info in pkgutil.walk_packages([str(root / package)], prefix=f"lamtui.{package}.")
    ]


def _core_modules() -> list[str]:
    names = list(TOP_MODULES)
    for package in CORE:
        names.append(f"lamtui.{package}")
        names += _package_modules(package)
    return names


def test_every_package_but_the_ui_is_checked() -> None:
    root = Path(lamtui.__file__).parent
    packages = {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}
    assert packages - {"ui"} == set(CORE)
    modules = {f"lamtui.{p.stem}" for p in root.glob("*.py") if p.stem != "__init__"}
    assert modules == set(TOP_MODULES)
    core = _core_modules()
    for name in ("lamtui.memory.store", "lamtui.eval.runner", "lamtui.safety.shell.engine",
                 "lamtui.safety.shell.handlers.git", "lamtui.actions.undo.store"):  # fmt: skip
        assert name in core


def test_core_modules_do_not_load_textual() -> None:
    modules = _core_modules()
    assert len(modules) > 30
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')"
        " or m.startswith('lamtui.ui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_no_source_file_outside_ui_imports_textual() -> None:
    root = Path(lamtui.__file__).parent
    for path in root.rglob("*.py"):
        if "ui" in path.relative_to(root).parts[:1]:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            assert not stripped.startswith(("import textual", "from textual")), path


def test_lower_layers_never_import_the_training_package() -> None:
    """train/ sits above agent/ (it renders with agent.prompts); the runtime must not
    need torch or the training code to run a trained adapter."""
    root = Path(lamtui.__file__).parent
    for package in ("agent", "lam", "actions", "safety", "record", "memory", "eval"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for name in (
                "from lamtui.train", "import lamtui.train", "import torch",
                "import transformers", "import peft",
            ):  # fmt: skip
                assert name not in text, path


def test_the_contract_floor_loads_nothing_else_of_lamtui() -> None:
    modules = ["lamtui.contract", *_package_modules("contract")]
    assert "lamtui.contract.schema" in modules
    assert "lamtui.contract.modes" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "extra = sorted(m for m in sys.modules if m.startswith('lamtui.')"
        " and not m.startswith('lamtui.contract'))\n"
        "print(','.join(extra))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
