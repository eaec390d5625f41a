"""`lamtui` with no command: an interactive session on the terminal.

Loads the model once, then reads requests at a prompt and runs each one through the
same Agent as `lamtui run --approve ask`.
"""

from __future__ import annotations

import argparse
import sys

from lamtui.agent.loop import Agent
from lamtui.commands.run import agent_options, settings_from_args
from lamtui.console import EventPrinter, TerminalApprover
from lamtui.errors import LamtuiError
from lamtui.lam.base import CancelToken
from lamtui.lam.factory import open_backend
from lamtui.safety.secrets import SecretStore


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    if not sys.stdin.isatty():
        raise LamtuiError("lamtui needs a terminal", 'use `lamtui run "REQUEST"` in scripts')
    workspace = Path.cwd().resolve()
    settings = settings_from_args(args, workspace)
    print(
        f"lamtui: loading model {settings.model.base_url or settings.model.name} …", file=sys.stderr
    )
    backend = open_backend(settings.model)
    print(f"lamtui: ready ({backend.info.model}). Type a request, or 'quit'.", file=sys.stderr)
    printer = EventPrinter()
    approver = TerminalApprover(sys.stdin)
    try:
        while True:
            try:
                request = input("lamtui> ").strip()
            except EOFError:
                break
            if request in ("quit", "exit", ":q"):
                break
            if not request:
                continue
            agent = Agent(
                backend,
                approver,
                workspace,
                agent_options(settings),
                CancelToken(),
                secrets=SecretStore(settings.secrets.backend),
            )
            try:
                for event in agent.run(request):
                    printer(event)
            except KeyboardInterrupt:
                agent.cancel.cancel()
                print("\nlamtui: task interrupted", file=sys.stderr)
    finally:
        backend.close()
    return 0
