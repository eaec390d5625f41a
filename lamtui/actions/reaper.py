"""Supervisor for an unsandboxed shell action on Linux: no child outlives the action.

`python -I -S reaper.py PARENT_PID ARGV...` makes itself a child subreaper, runs ARGV and
waits for it. Every process ARGV leaves behind, even one that left its process group and
session with `setsid`, is re-parented to this supervisor instead of to init, so it can
still be found (by walking /proc) and killed when ARGV exits. PR_SET_PDEATHSIG turns the
death of lamtui, even by SIGKILL, into a SIGTERM here, which does the same clean-up.

It exits as ARGV did (the same code, or the same signal), so the caller sees no
difference. Standard library only, and run with -S, so it starts in milliseconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys
import time
from types import FrameType

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
CLEANUP_ROUNDS = 200  # kill-and-rescan passes; each finds what forked during the last
TERM_GRACE = 1.0  # seconds the tree gets after SIGTERM; less than run_shell's KILL_GRACE


def _prctl(option: int, value: int) -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.prctl(option, value, 0, 0, 0)) == 0


def _parents() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) for every process this user can see."""
    table: dict[int, tuple[int, str]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue  # gone already
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat.rpartition(")")[2].split()
        if len(fields) >= 2 and fields[1].isdigit():
            table[int(name)] = (int(fields[1]), fields[0])
    return table


def descendants(root: int) -> list[int]:
    """Living (non-zombie) descendants of root, parents before children."""
    table = _parents()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _state) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    queue = list(children.get(root, []))
    while queue:
        pid = queue.pop(0)
        if table[pid][1] != "Z":
            found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def _reap() -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_tree() -> None:
    """SIGKILL everything below this process until nothing is left (a fork racing the
    scan shows up in the next round, re-parented here)."""
    me = os.getpid()
    for _ in range(CLEANUP_ROUNDS):
        pids = descendants(me)
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)
        _reap()
    _reap()


def _die_of(sig: int) -> None:
    # No core file of this supervisor in the workspace when the command dumped one.
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
    os.kill(os.getpid(), sig)
    sys.exit(128 + sig)  # only for a signal whose default is not to terminate


def _exit_like(status: int) -> None:
    kill_tree()
    if os.WIFSIGNALED(status):
        _die_of(os.WTERMSIG(status))
    sys.exit(os.waitstatus_to_exitcode(status))


def _stop_tree(grace: float) -> None:
    """SIGTERM everything below (a detached child got none from the group kill), give it
    `grace` seconds to clean up, then SIGKILL what is left."""
    for pid in descendants(os.getpid()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while descendants(os.getpid()) and time.monotonic() < deadline:
        _reap()
        time.sleep(0.02)
    kill_tree()


_stopping = False


def _on_signal(signum: int, frame: FrameType | None) -> None:
    # The caller kills the whole group (SIGTERM, SIGKILL after its grace) or lamtui died:
    # take the tree down within that grace, then die of the same signal.
    global _stopping
    if _stopping:
        return
    _stopping = True
    _stop_tree(TERM_GRACE)
    _die_of(signum)


def main(argv: list[str]) -> None:
    parent, command = int(argv[1]), argv[2:]
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _on_signal)
    if os.getppid() != parent:  # lamtui died before the death signal was armed
        sys.exit(128 + signal.SIGTERM)
    child = os.fork()
    if child == 0:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)  # Python ignores SIGPIPE; bash must not
        try:
            os.execvp(command[0], command)
        except OSError as exc:
            os.write(2, f"could not start {command[0]}: {exc.strerror}\n".encode())
        os._exit(127)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)  # also reaps orphans re-parented here
        except ChildProcessError:
            sys.exit(0)
        if pid == child:
            _exit_like(status)


if __name__ == "__main__":
    main(sys.argv)
