"""Grounding a pair: a scratch workspace whose listing holds the names its command uses,
the checks that drop what cannot be trained on (bad syntax, the gate, programs missing
here), and a real run of the command under bubblewrap for the finish step's
observation. Runs go through the agent's own executor, so observations look exactly as
they do at inference."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lamtui.actions.sandbox import bwrap_prefix, sandbox_status
from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.contract.result import ActionResult
from lamtui.safety.risk import classify_command
from lamtui.train.corpus import Pair

# What the gate may do with a training command: read, or change the workspace. Anything
# outside it (privileged, network, outside writes) is never taught.
TRAINABLE_RISKS = frozenset({"read_only", "workspace_write", "destructive"})
RUN_TIMEOUT = 3.0
_BUILTINS = frozenset(
    [
        "cd",
        "echo",
        "printf",
        "read",
        "test",
        "[",
        "export",
        "set",
        "unset",
        "alias",
        "type",
        "source",
        ".",
        "eval",
        "exec",
        "exit",
        "pwd",
        "pushd",
        "popd",
        "dirs",
        "true",
        "false",
        "shift",
        "wait",
        "kill",
        "let",
        "declare",
        "local",
        "shopt",
        "umask",
        "history",
        "command",
        "builtin",
        "hash",
        "ulimit",
        "times",
        "trap",
        "getopts",
        "jobs",
        "fg",
        "bg",
        "disown",
        "mapfile",
        "readarray",
        "time",
        "for",
        "while",
        "until",
        "if",
        "case",
        "do",
        "done",
        "then",
        "else",
        "fi",
        "esac",
        "function",
        "select",
    ]
)
DISTRACTORS = ("README.md", "notes", "old", "tmp.txt", "scripts", "main.c", "Makefile")


def syntax_ok(command: str) -> bool:
    try:
        done = subprocess.run(
            ["bash", "-n", "-c", command], capture_output=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@dataclass(frozen=True)
class GateCheck:
    ok: bool
    risk: str
    missing: tuple[str, ...]


def gate_check(command: str, workspace: Path) -> GateCheck:
    """Whether the gate lets this command be taught, and which programs it needs that
    this machine does not have."""
    verdict = classify_command(command, workspace)
    missing = []
    for segment in verdict.segments:
        program = os.path.basename(segment.argv[0]) if segment.argv else ""
        if program and program not in _BUILTINS and shutil.which(program) is None:
            missing.append(program)
    privileged = any(s.privileged for s in verdict.segments)
    ok = verdict.risk in TRAINABLE_RISKS and not privileged and not missing
    return GateCheck(ok, verdict.risk, tuple(missing))


def _content(name: str, seed: int) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    n = 3 + seed % 5
    if ext == "csv":
        return "id,name,amount\n" + "".join(
            f"{i},item{i},{(i * 37 + seed) % 100}\n" for i in range(1, n)
        )
    if ext == "json":
        return '{"name": "demo", "version": "1.0", "items": [1, 2, 3]}\n'
    if ext == "log":
        levels = ("INFO", "ERROR", "INFO", "WARN")
        return "".join(
            f"2024-03-0{1 + i % 9} 10:0{i}:00 {levels[(i + seed) % 4]} event {i}\n"
            for i in range(n)
        )
    if ext == "py":
        return "import sys\n\n\ndef main():\n    print('hello')\n\n\nmain()\n"
    if ext == "sh":
        return "#!/bin/sh\necho hello\n"
    if ext == "ini":
        return "[server]\nhost = localhost\nport = 80\n"
    return "".join(f"line {i} of {name}\n" for i in range(1, n + 1))


def make_workspace(root: Path, pair: Pair) -> list[str]:
    """Create the files and folders the pair names (plus a few distractors) under root;
    return the top-level listing as the prompt shows it."""
    seed = int(hashlib.sha1(pair.id.encode()).hexdigest()[:6], 16)
    for d in pair.dirs:
        target = root / d
        target.mkdir(parents=True, exist_ok=True)
        (target / "a.txt").write_text(_content("a.txt", seed), encoding="utf-8")
    for f in pair.files:
        target = root / f
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_content(f, seed), encoding="utf-8")
    for i in range(seed % 3):
        extra = DISTRACTORS[(seed + i) % len(DISTRACTORS)]
        path = root / extra
        if path.exists():
            continue
        if "." in extra or extra == "Makefile":
            path.write_text(_content(extra, seed), encoding="utf-8")
        else:
            path.mkdir()
    return listing(root)


def listing(root: Path) -> list[str]:
    """Top-level entries, folders with a trailing slash, sorted (as observe.listing)."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return []
    return [e.name + ("/" if e.is_dir(follow_symlinks=False) else "") for e in entries]


def run_sandboxed(command: str, workspace: Path) -> ActionResult | None:
    """Run in bubblewrap (read-only root, no network, only the workspace writable);
    None when no sandbox is available: then nothing is run."""
    if not sandbox_status().available:
        return None
    options = ShellOptions(
        timeout=RUN_TIMEOUT,
        head_lines=20,
        tail_lines=10,
        wrapper=bwrap_prefix(workspace, allow_network=False),
    )
    result: ActionResult | None = None
    for item in run_shell(command, workspace, options):
        if isinstance(item, ActionResult):
            result = item
    return result
