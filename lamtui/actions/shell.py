"""Run one bash command: the workspace as cwd, no terminal stdin, a timeout, cancellation
that kills the whole process group, and output streamed while kept bounded.

No child outlives the action. In the sandbox the PID namespace sees to that; without it
(on Linux) the command runs under lamtui.actions.reaper, a subreaper that kills whatever
the command left behind (even after `setsid`) and dies with lamtui, even by SIGKILL.

A command holding a secret's value is handed to bash in the environment, not in argv:
any user on the machine can read a process's argv (`ps`), only its owner its environment.

subprocess-tee (named by the design) tees output but has no timeout, no kill and lets
the child inherit stdin, so this module drives subprocess directly (docs/architecture.md).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lamtui.actions import sandbox
from lamtui.actions.bounded import BoundedOutput
from lamtui.contract.cancel import CancelToken
from lamtui.contract.result import ActionResult, OutputChunk

READ_SIZE = 65536
KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL
REAPER = Path(__file__).with_name("reaper.py")
COMMAND_VAR = "LAMTUI_COMMAND"
# Read the command from the environment, drop it there (children must not inherit it),
# then run it: eval runs a string just as `bash -c` does.
PRIVATE_SCRIPT = f'__lamtui_cmd=${COMMAND_VAR}; unset {COMMAND_VAR}; eval "$__lamtui_cmd"'
# A failing stage fails its pipeline (pipefail), and every failed stage is named with its
# exit status. A writer killed by SIGPIPE (141) because a later stage stopped reading
# (`cat big | head`) did its job: when that is the only failure and the command ends on
# that pipeline, bash's exit status is reset to 0 and nothing is reported (a lone 141 after
# it is the `eval` of a private command passing that status on). One line, so
# bash's "line N" in the command's own errors stays the command's line.
PIPE_PRELUDE = (
    "set -o pipefail; __lamtui_sp=0; "
    'trap \'__lamtui_ps=("${PIPESTATUS[@]}"); '
    "if (( ${#__lamtui_ps[@]} == 1 && __lamtui_ps[0] != 141 )); then __lamtui_sp=0; fi; "
    "if (( ${#__lamtui_ps[@]} > 1 )); then __lamtui_i=0; __lamtui_bad=; __lamtui_sp=0; "
    'for __lamtui_s in "${__lamtui_ps[@]}"; do __lamtui_i=$((__lamtui_i+1)); '
    "if (( __lamtui_s != 0 )) && ! (( __lamtui_s == 141 && __lamtui_i < ${#__lamtui_ps[@]} )); "
    'then __lamtui_bad+=" stage $__lamtui_i exited $__lamtui_s;"; fi; done; '
    'if [[ -n $__lamtui_bad ]]; then echo "lamtui: pipeline failed:${__lamtui_bad%;}" >&2; '
    "else __lamtui_sp=1; fi; fi' ERR; "
    "trap '__lamtui_rc=$?; (( __lamtui_rc == 141 && __lamtui_sp == 1 )) && exit 0; "
    "exit $__lamtui_rc' EXIT; "
)


@dataclass(frozen=True)
class ShellOptions:
    timeout: float = 120.0
    head_lines: int = 40
    tail_lines: int = 40
    save_output_to: Path | None = None
    env: dict[str, str] | None = None
    wrapper: tuple[str, ...] = ()  # e.g. a bubblewrap sandbox prefix
    live_limit: int = 256 * 1024  # bytes shown live; the rest only in the saved file
    redact: Callable[[str], str] | None = None  # applied to everything that leaves
    private: bool = False  # the command holds a secret: keep it out of argv
    # Control files the sandbox binds read-only when they exist; ones the command creates
    # are moved aside after it (see sandbox.move_aside_created).
    forbid_creating: tuple[Path, ...] = ()


def _argv(command: str, options: ShellOptions) -> tuple[list[str], dict[str, str] | None]:
    """The argv and environment that run `command` as the options say."""
    env = options.env
    script = PIPE_PRELUDE + command
    if options.private:
        env = {**(os.environ if env is None else env), COMMAND_VAR: command}
        script = PIPE_PRELUDE + PRIVATE_SCRIPT
    prefix = list(options.wrapper)
    if not prefix and sys.platform.startswith("linux"):
        # -I -S: the supervisor uses the standard library only and ignores PYTHON* vars.
        prefix = [sys.executable, "-I", "-S", str(REAPER), str(os.getpid())]
    return [*prefix, "bash", "-c", script], env


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole group, then SIGKILL whatever is left (including grandchildren).
    start_new_session made the leader's pid the group id."""
    pgid = proc.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + (KILL_GRACE if sig == signal.SIGTERM else 0)
        while time.monotonic() < deadline:
            proc.poll()  # reap the leader, or its zombie keeps the group alive
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def run_shell(
    command: str,
    cwd: Path,
    options: ShellOptions,
    cancel: CancelToken | None = None,
) -> Iterator[OutputChunk | ActionResult]:
    """Yield output chunks as they arrive, then one ActionResult."""
    output = BoundedOutput(
        options.head_lines,
        options.tail_lines,
        options.save_output_to,
        redact=options.redact or (lambda text: text),
        live_limit=options.live_limit,
    )
    started = time.monotonic()
    argv, env = _argv(command, options)
    watched = sandbox.absent(options.forbid_creating)
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: killable as a whole, no terminal
            env=env,
        )
    except OSError as exc:
        output.close()
        yield ActionResult(ok=False, error=f"could not start bash: {exc.strerror}")
        return
    assert proc.stdout is not None
    timed_out = cancelled = False
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    stdout_open = True
    try:
        while stdout_open or proc.poll() is None:
            if cancel is not None and cancel.cancelled:
                cancelled = True
                break
            if time.monotonic() - started > options.timeout:
                timed_out = True
                break
            if not stdout_open:  # output closed but the process lives on: wait for it
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=0.05)  # returns as soon as it exits
                continue
            if not selector.select(timeout=0.1):
                continue
            data = os.read(proc.stdout.fileno(), READ_SIZE)
            if not data:
                stdout_open = False
                continue
            text = output.feed(data)
            if text:
                yield OutputChunk(text)
    finally:
        # Also runs when the consumer stops iterating (e.g. the app quits). The group is
        # killed even after a normal exit so no background child outlives the action.
        selector.close()
        _kill_group(proc)
        proc.stdout.close()
        proc.wait()
        rest = output.close()
        moved = sandbox.move_aside_created(watched)
    if rest:
        yield OutputChunk(rest)
    exit_code = proc.returncode
    result = ActionResult(
        ok=exit_code == 0 and not timed_out and not cancelled,
        output=output.text(),
        exit_code=exit_code,
        duration=time.monotonic() - started,
        timed_out=timed_out,
        cancelled=cancelled,
        output_path=str(output.saved_path or ""),
        output_bytes=output.total_bytes,
    )
    if timed_out:
        result.error = f"timed out after {options.timeout:g} s; the process group was killed"
    if moved:
        result.ok = False
        result.error = (result.error + "; " if result.error else "") + "; ".join(moved)
    if output.saved_truncated:
        result.error = (result.error + "; " if result.error else "") + (
            "full output was larger than the saved-output cap and was truncated"
        )
    yield result
