"""OS sandbox for shell actions on Linux, with bubblewrap (bwrap).

The sandboxed command sees the whole root filesystem read-only, a private /dev, /proc and
/tmp, and the workspace read-write at its real path. Every namespace is unshared (so no
network unless asked for). The environment (HOME, PATH, …) is kept as it is.

Killing: run_shell starts the command in its own process group and kills that group;
here that group holds only the outer bwrap. --new-session puts everything inside in a
session of its own, and --die-with-parent plus the PID namespace take all of it down the
moment the outer bwrap dies (even when the command ignores SIGTERM). Keeping the inside
out of the caller's group matters: bwrap's inner init is left as a zombie for the system
init to reap, and a zombie in the group would make the caller wait out its kill grace.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lamtui.errors import LamtuiError

PROBE_TIMEOUT = 10.0  # seconds for bwrap's self-test


@dataclass(frozen=True)
class SandboxStatus:
    available: bool
    version: str
    reason: str  # why it is not available, in words; empty when it is


def _bwrap() -> str | None:
    return shutil.which("bwrap")


def _base_args(allow_network: bool) -> list[str]:
    args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    args += ["--unshare-all"]
    if allow_network:
        args += ["--share-net"]
    return [*args, "--die-with-parent", "--new-session"]


def _version(exe: str) -> str:
    try:
        proc = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=PROBE_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    # "bubblewrap 0.8.0" -> "0.8.0"
    return proc.stdout.strip().rpartition(" ")[2]


def _probe(exe: str) -> str:
    """Run `true` inside a sandbox built like the real one; '' when it works, else why not."""
    try:
        proc = subprocess.run(
            [exe, *_base_args(False), "true"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return f"bwrap did not finish its self-test within {PROBE_TIMEOUT:g} s"
    except OSError as exc:
        return f"bwrap could not be started: {exc.strerror}"
    if proc.returncode != 0:
        detail = proc.stderr.strip() or f"exit code {proc.returncode}"
        return f"bwrap cannot create namespaces here: {detail}"
    return ""


@functools.cache
def sandbox_status() -> SandboxStatus:
    """Whether shell actions can be sandboxed here. Proven once per process by running
    bwrap for real: being installed is not enough (containers often forbid namespaces)."""
    if not sys.platform.startswith("linux"):
        return SandboxStatus(False, "", f"the sandbox needs Linux; this is {sys.platform}")
    exe = _bwrap()
    if exe is None:
        return SandboxStatus(False, "", "bwrap is not installed (package: bubblewrap)")
    version = _version(exe)
    problem = _probe(exe)
    return SandboxStatus(not problem, version, problem)


def _real(path: Path) -> str:
    # Bind the real path: a bind onto a path with a symlink in it would land elsewhere.
    return os.path.realpath(path)


def bwrap_prefix(
    workspace: Path,
    *,
    allow_network: bool = False,
    extra_writable: tuple[Path, ...] = (),
) -> tuple[str, ...]:
    """The argv to put before ["bash", "-c", CMD] to run CMD in the sandbox.

    Binds come after --tmpfs /tmp, so a workspace under /tmp stays visible. Extra writable
    paths that do not exist are left out (bwrap would refuse to start)."""
    ws = _real(workspace)
    if ws == "/":
        raise LamtuiError("the sandbox cannot protect anything when the workspace is /")
    args = [_bwrap() or "bwrap", *_base_args(allow_network), "--bind", ws, ws]
    for extra in extra_writable:
        path = _real(extra)
        if os.path.exists(path):
            args += ["--bind", path, path]
    args += ["--chdir", ws]
    return tuple(args)
