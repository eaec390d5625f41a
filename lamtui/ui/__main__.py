"""`python -m lamtui.ui [--model NAME|PATH] [--base-url URL] [--debug]`: the TUI directly,
with the same flags `lamtui` takes (used by the tmux e2e test and the start-up benchmark)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from lamtui.commands.run import add_model_flags
from lamtui.errors import LamtuiError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lamtui.ui", description="the lamtui TUI")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    add_model_flags(parser)
    args = parser.parse_args(argv)
    debug = args.debug or os.environ.get("LAMTUI_DEBUG") == "1"
    try:
        from lamtui.ui.app import run_app

        return run_app(args)
    except LamtuiError as exc:
        if debug:
            raise
        print(f"lamtui: error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
