"""The model side of exploration: llama.cpp on an adapter (here) and training as a
`lamtui train` child process (torch's OpenMP runtime never shares a process with
llama.cpp's). A Ctrl+C reaches both; the child saves its checkpoint and this process
waits for it before it stops, so the next `explore` resumes the training."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lamtui.config import ModelSettings
from lamtui.errors import LamtuiError
from lamtui.lam.base import Backend
from lamtui.lam.factory import open_backend
from lamtui.train.explore import TrainRequest

if TYPE_CHECKING:
    from lamtui.lam.catalog import ResolvedModel

EXIT_INTERRUPTED = 3
CHECKPOINT_EVERY = 25
SAVE_GRACE = 120.0  # seconds a child interrupted by Ctrl+C gets to save its checkpoint


class LocalLam:
    def __init__(self, settings: ModelSettings, base: Path, say: Callable[[str], None]) -> None:
        self.settings = settings
        self.base = base
        self.say = say

    def open(self, adapter: Path) -> Backend:
        name = f"{self.base}+{adapter}"
        return open_backend(self.settings.model_copy(update={"name": name, "base_url": ""}))

    def train(self, request: TrainRequest) -> Path:
        recipe = request.recipe
        argv = [
            sys.executable,
            "-m",
            "lamtui.cli",
            "train",
            *("--model", str(request.base), "--data", str(request.data)),
            *("--out", str(request.out), "--name", request.name),
            *("--rank", str(recipe["rank"]), "--top-layers", str(recipe["top_layers"])),
            *("--epochs", str(recipe["epochs"]), "--lr", str(recipe["lr"])),
            *("--warmup", str(recipe["warmup"]), "--batch-tokens", str(recipe["batch_tokens"])),
            *("--max-minutes", str(recipe["max_minutes"])),
            *("--max-tokens", str(recipe["max_tokens"])),
            *("--checkpoint-every", str(CHECKPOINT_EVERY)),
        ]
        argv += ["--resume"] if request.resume else ["--init", str(request.init)]
        # The child's stdout goes to our stderr: with --json our stdout is JSON lines only.
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=sys.stderr)
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            try:
                proc.wait(timeout=SAVE_GRACE)  # it got the same Ctrl+C: let it checkpoint
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise
        if code == EXIT_INTERRUPTED:
            raise KeyboardInterrupt
        adapter = request.out / f"{request.name}.gguf"
        if code != 0 or not adapter.is_file():
            raise LamtuiError(
                f"training {request.name} failed (exit code {code})",
                "see the messages above; `lamtui train explore` resumes the round",
            )
        return adapter


def _adapter_entry(base: Path) -> str:
    """The catalog entry whose default adapter sits on this base (gemma3-270m-lam)."""
    from lamtui.lam.catalog import load_catalog, resolve_model

    for entry in load_catalog():
        if entry.adapter and entry.base:
            try:
                if resolve_model(entry.base, verify=False).path.resolve() == base.resolve():
                    return entry.name
            except LamtuiError:
                continue
    return ""


def resolve_start(spec: str, base_spec: str) -> tuple[ResolvedModel, str]:
    """The model exploration starts from (a base with its adapter) and the catalog entry
    whose default a better adapter may replace. SPEC: a catalog entry with an adapter,
    BASE+ADAPTER.gguf, an adapter GGUF (on BASE_SPEC) or an adapter's name."""
    from lamtui.lam.adapters import attach, find_adapters, is_adapter
    from lamtui.lam.catalog import resolve_model

    path = Path(spec).expanduser()
    named = [p for p, _ in find_adapters() if p.stem == spec]
    if path.suffix == ".gguf" and path.is_file() and is_adapter(path):
        resolved = attach(resolve_model(base_spec), path)
    elif named and not path.is_file():
        resolved = attach(resolve_model(base_spec), named[0])
    else:
        resolved = resolve_model(spec)
    if resolved.adapter is None:
        raise LamtuiError(
            f"{spec} has no adapter: exploration trains a new adapter from an adapter",
            "pass --from ADAPTER (e.g. gemma3-270m-lam, the shipped one)",
        )
    if resolved.entry is not None and resolved.entry.adapter:
        return resolved, resolved.entry.name
    return resolved, _adapter_entry(resolved.path)
