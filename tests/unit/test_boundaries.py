"""Only lamtui.ui imports Textual; the core never imports the UI."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import lamtui

CORE = ["agent", "lam", "actions", "safety", "record", "commands"]


def _core_modules() -> list[str]:
    root = Path(lamtui.__file__).parent
    names = ["lamtui.cli", "lamtui.config", "lamtui.console", "lamtui.paths"]
    for package in CORE:
        for info in pkgutil.iter_modules([str(root / package)]):
            names.append(f"lamtui.{package}.{info.name}")
    return names


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
