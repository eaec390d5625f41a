"""OS sandbox for shell actions on Linux, with bubblewrap (bwrap).

The sandboxed command sees the whole root filesystem read-only, a private /dev, /proc and
/tmp, and the workspace read-write at its real path. Every namespace is unshared (so no
network unless asked for). The environment (HOME, PATH, …) is kept as it is.

What the read-only root would still show is hidden under empty tmpfs (directories) or
/dev/null (files): /run and $XDG_RUNTIME_DIR (host sockets: D-Bus, the ssh and gpg
agents, the container runtime), credential stores in the home folder, and lamtui's own
config and data. Inside the workspace, lamtui's control files (.lamtui.toml, .git) are
bound read-only, so an action cannot rewrite the gate's configuration or plant git hooks;
one that creates them where they were missing has them moved aside afterwards
(`move_aside_created`), as a missing file cannot be bound.

Mount order matters: a later mount on a path hides earlier ones below it. So every mount
is placed by depth, parents first, and on the same path the workspace comes after a hiding
tmpfs: a workspace inside ~/.config stays visible, ~/.ssh inside a workspace at ~ does not.

Killing: run_shell starts the command in its own process group and kills that group;
here that group holds only the outer bwrap. --new-session puts everything inside in a
session of its own, and --die-with-parent plus the PID namespace (--unshare-all includes
--unshare-pid) take all of it down the moment the outer bwrap dies (even when the command
ignores SIGTERM). Keeping the inside out of the caller's group matters: bwrap's inner
init is left as a zombie for the system init to reap, and a zombie in the group would
make the caller wait out its kill grace.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from lamtui.config import PROJECT_FILE
from lamtui.errors import LamtuiError
from lamtui.paths import get_paths

PROBE_TIMEOUT = 10.0  # seconds for bwrap's self-test
CONTROL_FILES = (PROJECT_FILE, ".git")  # in the workspace: bound read-only
# Credential stores and histories under the home folder (the gate's sensitive-read list
# names most of them too).
HOME_HIDDEN = (
    ".ssh", ".gnupg", ".aws", ".config", ".docker", ".kube", ".password-store",
    ".local/share/keyrings", ".netrc", ".git-credentials", ".pgpass", ".vault-token",
    ".bash_history", ".zsh_history", ".python_history", ".npmrc", ".pypirc", ".azure",
    ".cargo/credentials", ".cargo/credentials.toml", ".gem/credentials", ".terraform.d",
    ".m2/settings.xml", ".mozilla",
)  # fmt: skip


_SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/opt", "/var", "/nix")


@dataclass(frozen=True)
class SandboxStatus:
    available: bool
    version: str
    reason: str  # why it is not available, in words; empty when it is


@dataclass(frozen=True)
class Layout:
    """What a sandbox for one workspace hides and what it binds read-only (real paths)."""

    hidden: tuple[str, ...]
    read_only: tuple[str, ...]


def _bwrap() -> str | None:
    return shutil.which("bwrap")


def _base_args(allow_network: bool) -> list[str]:
    args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    args += ["--unshare-all"]  # user, ipc, pid, net, uts, cgroup
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


def _real(path: Path | str) -> str:
    # Bind the real path: a bind onto a path with a symlink in it would land elsewhere.
    return os.path.realpath(path)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _runtime_dir() -> str:
    """$XDG_RUNTIME_DIR when it is the user's own folder, as the spec says it must be: a
    stray value such as /usr must not hide the system from the sandbox."""
    path = os.environ.get("XDG_RUNTIME_DIR", "")
    if not path:
        return ""
    real = _real(path)
    system = (*_SYSTEM_DIRS, _real(os.path.expanduser("~")))
    if any(_within(folder, real) for folder in system):  # it would cover one of them
        return ""
    try:
        return path if os.stat(real).st_uid == os.getuid() else ""
    except OSError:
        return ""


def hidden_paths() -> tuple[str, ...]:
    """The existing real paths the sandbox covers up (bwrap needs the mount point)."""
    home = os.path.expanduser("~")
    paths = get_paths()
    candidates = ["/run", _runtime_dir()]
    candidates += [os.path.join(home, name) for name in HOME_HIDDEN]
    candidates += [str(paths.config_dir), str(paths.data_dir)]
    found: dict[str, None] = {}
    for candidate in candidates:
        if candidate and os.path.isabs(candidate) and os.path.lexists(candidate):
            real = _real(candidate)
            if real != "/" and os.path.exists(real):
                found[real] = None
    return tuple(found)


def control_paths(workspace: Path) -> tuple[Path, ...]:
    """lamtui's control files in the workspace, whether they exist or not."""
    return tuple(Path(_real(workspace)) / name for name in CONTROL_FILES)


# How far layout() looks for nested repositories and project files (bounded: a big tree
# must not slow every action; the classifier asks for writes into any .git anyway).
NESTED_DEPTH = 3
NESTED_MAX_DIRS = 2000
_SKIP_DIRS = frozenset({"node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"})


def nested_control_paths(workspace: Path) -> tuple[Path, ...]:
    """Control files in subfolders (a submodule's .git, a sub-project's .lamtui.toml),
    breadth first, to NESTED_DEPTH levels and NESTED_MAX_DIRS folders."""
    found: list[Path] = []
    level, seen = [Path(_real(workspace))], 0
    for _ in range(NESTED_DEPTH):
        below: list[Path] = []
        for folder in level:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.name in CONTROL_FILES:
                    found.append(Path(entry.path))
                elif entry.is_dir(follow_symlinks=False) and entry.name not in _SKIP_DIRS:
                    below.append(Path(entry.path))
            seen += 1
            if seen >= NESTED_MAX_DIRS:
                return tuple(found)
        level = below
    return tuple(found)


def layout(workspace: Path, extra_writable: tuple[Path, ...] = ()) -> Layout:
    """What bwrap_prefix hides and binds read-only for this workspace."""
    ws = _real(workspace)
    writable = [ws, *(_real(p) for p in extra_writable)]
    read_only: list[str] = []
    for path in (*control_paths(workspace), *nested_control_paths(workspace)):
        if not os.path.lexists(path):
            continue
        real = _real(path)
        # Bound only where a writable mount would expose it: a .git that points outside
        # is read-only already (or hidden, and must stay so).
        if os.path.exists(real) and any(_within(real, w) for w in writable):
            read_only.append(real)
    return Layout(hidden_paths(), tuple(dict.fromkeys(read_only)))


# (bwrap option or "hide", path inside, rank on the same path, source when it differs)
_Mount = tuple[str, str, int, str]


def _mount_args(kind: str, path: str, source: str) -> list[str]:
    if kind == "hide":
        return ["--ro-bind", "/dev/null", path] if not os.path.isdir(path) else ["--tmpfs", path]
    return [f"--{kind}", source or path, path]


def bwrap_prefix(
    workspace: Path,
    *,
    allow_network: bool = False,
    extra_writable: tuple[Path, ...] = (),
) -> tuple[str, ...]:
    """The argv to put before ["bash", "-c", CMD] to run CMD in the sandbox.

    Mounts after the base (--tmpfs /tmp) go parents first, so a workspace under /tmp or a
    hidden folder stays visible. Extra writable paths that do not exist are left out
    (bwrap would refuse to start)."""
    ws = _real(workspace)
    if ws == "/":
        raise LamtuiError("the sandbox cannot protect anything when the workspace is /")
    plan = layout(workspace, extra_writable)
    # On one path: hide first, then the writable bind, then read-only.
    mounts: list[_Mount] = [("hide", path, 0, "") for path in plan.hidden]
    mounts += _programs_in_run(plan.hidden)
    if allow_network:
        mounts += _name_service(plan.hidden)
    mounts.append(("bind", ws, 1, ""))
    for extra in extra_writable:
        path = _real(extra)
        if os.path.exists(path):
            mounts.append(("bind", path, 1, ""))
    mounts += [("ro-bind", path, 2, "") for path in plan.read_only]
    mounts.sort(key=lambda m: (m[1].rstrip("/").count("/"), m[2]))
    args = [_bwrap() or "bwrap", *_base_args(allow_network)]
    for kind, path, _rank, source in mounts:
        args += _mount_args(kind, path, source)
    args += ["--chdir", ws]
    return tuple(args)


def _name_service(hidden: tuple[str, ...]) -> list[_Mount]:
    """/etc/resolv.conf often links into /run (systemd-resolved): a network action gets that
    one file back, read-only, or it could not resolve a name."""
    target = _real("/etc/resolv.conf")
    moved = target != "/etc/resolv.conf" and os.path.isfile(target)
    if moved and any(_within(target, h) for h in hidden):
        return [("ro-bind", target, 2, "")]
    return []


def _programs_in_run(hidden: tuple[str, ...]) -> list[_Mount]:
    """Some systems keep programs in $PATH under /run (NixOS: /run/current-system/sw/bin,
    /run/wrappers/bin): those folders come back read-only, or bash would not be found."""
    if "/run" not in hidden:
        return []
    mounts: list[_Mount] = []
    for entry in dict.fromkeys(os.environ.get("PATH", "").split(os.pathsep)):
        if _within(entry, "/run") and entry != "/run" and os.path.isdir(entry):
            mounts.append(("ro-bind", os.path.normpath(entry), 2, _real(entry)))
    return mounts


def absent(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """The paths that do not exist now (not even as a dangling link)."""
    return tuple(p for p in paths if not os.path.lexists(p))


def move_aside_created(paths: tuple[Path, ...]) -> list[str]:
    """Control files a sandboxed action created where none were: they cannot be bound
    read-only before they exist, so they are renamed out of the way afterwards (nothing
    is deleted). Returns what was moved, in words."""
    moved: list[str] = []
    for path in paths:
        if not os.path.lexists(path):
            continue
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"{path.name}.rejected-{stamp}")
        for n in range(2, 100):
            if not os.path.lexists(aside):
                break
            aside = path.with_name(f"{path.name}.rejected-{stamp}-{n}")
        try:
            os.rename(path, aside)
        except OSError as exc:
            moved.append(f"{path.name} was created and could not be moved aside: {exc.strerror}")
            continue
        moved.append(f"{path.name} was created, which actions may not do; moved to {aside.name}")
    return moved
