"""`lamtui run "REQUEST"`: the headless agent, for scripts and terminals."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from lamtui.agent.approval import (
    ApproveAll,
    Approver,
    ApproveReadOnly,
    PromptCancelled,
    RejectAll,
)
from lamtui.agent.events import AgentEvent, ModelToken, TaskFinished
from lamtui.agent.prompts import MAX_REQUEST_CHARS
from lamtui.console import EventPrinter, TerminalApprover, print_json_event
from lamtui.contract.cancel import CancelToken
from lamtui.contract.modes import GUARDED_MODES
from lamtui.errors import LamtuiError
from lamtui.lam.factory import open_backend
from lamtui.memory.session import try_open_memory
from lamtui.safety.secrets import SecretStore
from lamtui.session import agent_options, new_agent, settings_from_args

EXIT_CODES = {"finished": 0, "failed": 1, "gave_up": 1, "budget": 1, "error": 1, "aborted": 3}


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="NAME|PATH", help="catalog name or GGUF path")
    parser.add_argument("--base-url", metavar="URL", help="an OpenAI-compatible server")


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="carry out one request without the TUI")
    p.add_argument("request", help="what you want done")
    p.add_argument("--cwd", type=Path, default=None, help="the workspace (default: here)")
    p.add_argument(
        "--approve",
        choices=["ask", "readonly", "all", "never"],
        default="ask",
        help="who approves actions the gate does not auto-approve",
    )
    p.add_argument(
        "--mode",
        choices=GUARDED_MODES,
        help="what the gate may approve without asking (default: policy.mode)",
    )
    p.add_argument(
        "--full-auto",
        action="store_true",
        help="approve everything the rules do not deny (prints a warning)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON event per line")
    p.add_argument(
        "--stream-tokens",
        action="store_true",
        help="with --json: also one model_token event per streamed token (many lines)",
    )
    p.add_argument("--max-steps", type=int, metavar="N")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="per shell command")
    p.add_argument(
        "--memory",
        choices=["on", "off"],
        help="use and add to memory for this task (default: memory.enabled)",
    )
    add_model_flags(p)
    p.set_defaults(handler=handle)


def _workspace(cwd: Path | None) -> Path:
    workspace = (cwd or Path.cwd()).expanduser()
    if not workspace.is_dir():
        raise LamtuiError(f"--cwd {workspace} is not a directory")
    return workspace.resolve()


def _approver(mode: str, tty: TextIO | None) -> Approver:
    if mode == "never":
        return RejectAll()
    if mode == "all":
        print(
            "lamtui: warning: --approve all runs every action the gate does not deny",
            file=sys.stderr,
        )
        return ApproveAll()
    if mode == "readonly":
        return ApproveReadOnly()
    if tty is None:
        raise LamtuiError(
            "--approve ask needs a terminal to ask on",
            "use --approve readonly, all or never when running without one",
        )
    return TerminalApprover(tty)


def _open_tty() -> TextIO | None:
    if sys.stdin is not None and sys.stdin.isatty():
        return sys.stdin
    try:
        return open("/dev/tty", encoding="utf-8")
    except OSError:
        return None


def _json_printer(stream_tokens: bool) -> Callable[[AgentEvent], None]:
    """One JSON line per event; the model's tokens (one line each, over a hundred for one
    action) only when asked for: the parsed plan and actions carry the same content."""

    def show(event: AgentEvent) -> None:
        match event:
            case ModelToken() if not stream_tokens:
                pass
            case _:
                print_json_event(event)

    return show


def _check_args(args: argparse.Namespace) -> None:
    """Refuse a request or flags that cannot work, before anything is loaded."""
    request: str = args.request
    if not request.strip():
        raise LamtuiError("the request is empty", 'say what you want done: lamtui run "..."')
    if len(request) > MAX_REQUEST_CHARS:
        raise LamtuiError(
            f"the request is {len(request):,} characters; the limit is {MAX_REQUEST_CHARS:,}",
            "put long material in a file and refer to it",
        )
    if getattr(args, "stream_tokens", False) and not args.json:
        raise LamtuiError("--stream-tokens needs --json", "add --json, or leave it out")


def _on_sigint(cancel: CancelToken, approver: Approver) -> Callable[[int, FrameType | None], None]:
    def on_sigint(signum: int, frame: FrameType | None) -> None:
        # First Ctrl+C cancels the generation or kills the running command; a second quits.
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()
        print("\nlamtui: cancelling (press Ctrl+C again to quit)", file=sys.stderr)
        if getattr(approver, "asking", False):
            raise PromptCancelled  # ends the y/n prompt now; the task then stops

    return on_sigint


def handle(args: argparse.Namespace) -> int:
    _check_args(args)
    request: str = args.request
    workspace = _workspace(args.cwd)
    settings = settings_from_args(args, workspace)
    approver = _approver(args.approve, _open_tty() if args.approve == "ask" else None)
    # `never` is a dry run: nothing may be auto-approved either.
    mode = "ask" if args.approve == "never" else ("auto" if args.full_auto else args.mode)
    if mode == "auto":
        print(
            "lamtui: warning: full auto: every action the rules do not deny runs without asking",
            file=sys.stderr,
        )
    options = agent_options(settings, mode)
    if not args.json:
        print(
            f"lamtui: loading model {settings.model.base_url or settings.model.name} …",
            file=sys.stderr,
        )
    backend = open_backend(settings.model)
    cancel = CancelToken()
    if isinstance(approver, TerminalApprover):
        approver.cancelled = lambda: cancel.cancelled
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, _on_sigint(cancel, approver))
    secrets = SecretStore(settings.secrets.backend)
    memory, problem = try_open_memory(settings, secrets.redactor())
    if problem:
        print(f"lamtui: warning: {problem}", file=sys.stderr)
    agent = new_agent(backend, approver, workspace, options, cancel, secrets=secrets, memory=memory)
    show = _json_printer(getattr(args, "stream_tokens", False)) if args.json else EventPrinter()
    outcome = "error"
    try:
        for event in agent.run(request):
            show(event)
            match event:
                case TaskFinished():
                    outcome = event.outcome
                case _:
                    pass
    finally:
        signal.signal(signal.SIGINT, previous)
        if memory is not None:
            memory.close()
        backend.close()
    return EXIT_CODES.get(outcome, 1)
