"""The training child of "Learn from my approvals": `lamtui train --from-trajectories` as
a separate process (torch's OpenMP runtime must never share a process with llama.cpp's),
its output read line by line in a daemon thread, and what the lines and the new adapter's
manifest say. No Textual here: the app (learning.py) gets callbacks from the thread."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The product's command. Tests put a small fake trainer here; nothing else should.
TRAIN_ARGV: list[str] = [sys.executable, "-m", "lamtui.cli", "train", "--from-trajectories"]
SAVE_GRACE = 30.0  # seconds an interrupted child gets to save its checkpoint
NOTHING_NEW = "nothing new to learn"
CHILD_NICENESS = 10  # above the app's own

_NUMBER = r"(-?[\d.]+|nan|inf)"
# "dpo step I/N loss X margin Y" and "[####....] step I/N loss X T tok/s ETA M min"
_DPO = re.compile(rf"dpo step (\d+)/(\d+) loss {_NUMBER} margin {_NUMBER}")
_SFT = re.compile(rf"step (\d+)/(\d+) loss {_NUMBER} {_NUMBER} tok/s ETA {_NUMBER} min")


@dataclass(frozen=True)
class Progress:
    step: int
    total: int
    loss: float
    method: str  # "dpo" or "sft"
    tok_s: float | None = None
    eta_min: float | None = None
    margin: float | None = None


def parse_progress(line: str) -> Progress | None:
    """A progress line of either trainer, or None for any other line."""
    if match := _DPO.search(line):
        step, total, loss, margin = match.groups()
        return Progress(int(step), int(total), float(loss), "dpo", margin=float(margin))
    if match := _SFT.search(line):
        step, total, loss, tok_s, eta = match.groups()
        return Progress(int(step), int(total), float(loss), "sft", float(tok_s), float(eta))
    return None


@dataclass(frozen=True)
class ChildResult:
    code: int
    adapter: Path | None  # from its "adapter: PATH (...)" line
    last_line: str  # for a failure: what it said last
    nothing_new: bool
    stopped: bool  # we interrupted it (the app is closing)


class TrainingChild:
    """One training run. `on_line(text, progress)` and `on_end(result)` are called from
    the reader thread: the app's side posts them as messages."""

    def __init__(
        self,
        on_line: Callable[[str, Progress | None], object],
        on_end: Callable[[ChildResult], object],
        cwd: Path,
        argv: list[str] | None = None,
    ) -> None:
        # Python's warnings (the training libraries have many) would fill the one line.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore"}
        # Its own session: no terminal signal reaches it; stdout and stderr are one pipe,
        # read to its end, so neither can fill up and block the child.
        self.proc = subprocess.Popen(
            argv or list(TRAIN_ARGV),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        # Training takes every core it gets: below the app's priority, typing stays quick.
        # Its threads start after its imports, so they inherit this.
        with contextlib.suppress(OSError):
            niceness = min(19, os.getpriority(os.PRIO_PROCESS, 0) + CHILD_NICENESS)
            os.setpriority(os.PRIO_PROCESS, self.proc.pid, niceness)
        self._on_line, self._on_end = on_line, on_end
        self._stopped = False
        self.thread = threading.Thread(target=self._read, name="lamtui-learn", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        adapter: Path | None = None
        last, nothing_new = "", False
        for raw in self.proc.stdout:  # text mode: a lone "\r" ends a line too
            line = raw.strip()
            if not line:
                continue
            last = line
            if line.startswith("adapter: "):
                adapter = Path(line[len("adapter: ") :].split(" (")[0])
            nothing_new = nothing_new or line.startswith(NOTHING_NEW)
            self._on_line(line, parse_progress(line))
        code = self.proc.wait()
        self._on_end(ChildResult(code, adapter, last, nothing_new, self._stopped))

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """SIGINT: the trainer saves its checkpoint and exits (a later run resumes)."""
        self._stopped = True
        if self.running:
            with contextlib.suppress(ProcessLookupError):  # it has just ended
                os.killpg(self.proc.pid, signal.SIGINT)

    def wait_stopped(self, grace: float = SAVE_GRACE) -> None:
        """After stop(): wait for the checkpoint, then kill what is still there."""
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.thread.join(timeout=2.0)


def _fmt(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "?"


def manifest_figures(manifest: dict[str, Any]) -> str:
    """The before -> after figures of a finished run, from its adapter's manifest."""
    method = str(manifest.get("method", "?"))
    why = manifest.get("method_reason")
    head = f"{method.upper()}" + (f" ({why})" if why else "")
    preference = manifest.get("preference")
    if isinstance(preference, dict):
        before, after = preference.get("before") or {}, preference.get("after") or {}
        return (
            f"{head}: preference accuracy {_fmt(before.get('accuracy'))} -> "
            f"{_fmt(after.get('accuracy'))}, gap {_fmt(before.get('gap'))} -> "
            f"{_fmt(after.get('gap'))}"
        )
    losses = [v for _, v in manifest.get("val_losses") or [] if isinstance(v, int | float)]
    final = manifest.get("val_loss")
    if len(losses) > 1:
        return f"{head}: validation loss {_fmt(losses[0], 4)} -> {_fmt(final, 4)}"
    if isinstance(final, int | float):
        return f"{head}: validation loss {_fmt(final, 4)}"
    # Too few examples to hold some back: the training loss is all there is.
    return f"{head}: no validation set; last training loss {_fmt(manifest.get('final_loss'), 4)}"
