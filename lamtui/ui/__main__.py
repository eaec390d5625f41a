"""`python -m lamtui.ui [--model NAME|PATH] [--base-url URL] [--debug]`: the TUI directly,
with the same flags `lamtui` takes (used by the tmux e2e test and the start-up benchmark)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from lamtui.errors import LamtuiError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lamtui.ui", description="the lamtui TUI")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    # The same flags as lamtui.commands.run.add_model_flags, without importing the agent
    # before the first frame (start-up time).
    parser.add_argument("--model", metavar="NAME|PATH", help="catalog name or GGUF path")
    parser.add_argument("--base-url", metavar="URL", help="an OpenAI-compatible server")
    parser.add_argument("--cwd", metavar="DIR", help="the workspace (default: here)")
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
    except OSError:
        from lamtui.paths import cwd_problem

        problem = cwd_problem()
        if debug or problem is None:
            raise
        print(f"lamtui: error: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
