"""A snapshot of the machine and workspace, for the model's first prompt and the record."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psutil

GiB = 1024**3


def _git_state(workspace: Path) -> dict[str, Any] | None:
    if shutil.which("git") is None:
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(workspace), "status", "--porcelain=v1", "--branch"],
            capture_output=True,
            text=True,
            timeout=5,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    lines = out.stdout.splitlines()
    branch = lines[0][3:].split("...")[0] if lines and lines[0].startswith("## ") else ""
    return {"branch": branch, "changed_files": len(lines) - 1}


LISTING_MAX = 40  # entry names kept (the trained LAM's prompt shows the first 12)


def snapshot(workspace: Path) -> dict[str, Any]:
    memory = psutil.virtual_memory()
    try:
        disk = psutil.disk_usage(str(workspace))
        disk_free = round(disk.free / GiB, 1)
    except OSError:
        disk_free = None
    try:
        names = sorted(
            e.name + ("/" if e.is_dir(follow_symlinks=False) else "") for e in os.scandir(workspace)
        )
        entries: int | None = len(names)
    except OSError:
        names, entries = [], None
    return {
        "cwd": str(workspace),
        "os": f"{platform.system()} {platform.release()}",
        "shell": os.path.basename(os.environ.get("SHELL", "bash")),
        "cpus": psutil.cpu_count() or 1,
        "cpu_percent": psutil.cpu_percent(interval=None),
        "memory_total_gb": round(memory.total / GiB, 1),
        "memory_available_gb": round(memory.available / GiB, 1),
        "disk_free_gb": disk_free,
        "workspace_entries": entries,
        "listing": names[:LISTING_MAX],
        "git": _git_state(workspace),
    }


def describe(env: dict[str, Any]) -> str:
    """The snapshot as the few lines the model reads."""
    git = env.get("git")
    git_text = (
        f"git repository on branch {git['branch']}, {git['changed_files']} changed files"
        if git
        else "not a git repository"
    )
    return (
        f"Workspace: {env['cwd']} ({env['workspace_entries']} entries; {git_text})\n"
        f"System: {env['os']}, shell {env['shell']}, {env['cpus']} CPUs, "
        f"{env['memory_available_gb']} of {env['memory_total_gb']} GB RAM free, "
        f"{env['disk_free_gb']} GB disk free"
    )
