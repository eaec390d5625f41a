"""Run one bash command: the workspace as cwd, no terminal stdin, a timeout, cancellation
that kills the whole process group, and output streamed while kept bounded.

subprocess-tee (named by the design) tees output but has no timeout, no kill and lets
the child inherit stdin, so this module drives subprocess directly (docs/architecture.md).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lamtui.actions.bounded import BoundedOutput
from lamtui.actions.result import ActionResult, OutputChunk
from lamtui.lam.base import CancelToken

READ_SIZE = 65536
KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL


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
    try:
        proc = subprocess.Popen(
            [*options.wrapper, "bash", "-c", command],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: killable as a whole, no terminal
            env=options.env,
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
    if output.saved_truncated:
        result.error = (result.error + "; " if result.error else "") + (
            "full output was larger than the saved-output cap and was truncated"
        )
    yield result
