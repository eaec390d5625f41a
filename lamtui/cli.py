"""Entry point: `lamtui` (the TUI) and its subcommands.

Errors the user can act on are printed as one line with exit code 2; tracebacks
only with --debug (or LAMTUI_DEBUG=1).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from lamtui import __version__
from lamtui.errors import LamtuiError
from lamtui.paths import cwd_problem

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's own usage errors: one line, exit 2, like every other bad input.
        self.exit(2, f"lamtui: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    from lamtui.commands import doctor as doctor_cmd
    from lamtui.commands import eval as eval_cmd
    from lamtui.commands import log as log_cmd
    from lamtui.commands import memory as memory_cmd
    from lamtui.commands import models as models_cmd
    from lamtui.commands import policy as policy_cmd
    from lamtui.commands import run as run_cmd
    from lamtui.commands import secrets as secrets_cmd
    from lamtui.commands import train as train_cmd
    from lamtui.commands import trajectories as trajectories_cmd
    from lamtui.commands import undo as undo_cmd

    parser = _Parser(prog="lamtui", description="A terminal task assistant run by a local LAM.")
    parser.add_argument("--version", action="version", version=f"lamtui {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    run_cmd.add_model_flags(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    run_cmd.register(sub)
    models_cmd.register(sub)
    trajectories_cmd.register(sub)
    policy_cmd.register(sub)
    secrets_cmd.register(sub)
    log_cmd.register(sub)
    undo_cmd.register(sub)
    memory_cmd.register(sub)
    eval_cmd.register(sub)
    doctor_cmd.register(sub)
    train_cmd.register(sub)
    return parser


def _app_args(args_list: list[str]) -> argparse.Namespace | None:
    """`lamtui [--model X] [--base-url URL] [--cwd DIR] [--debug]` opens the app. Recognised before
    the full parser is built, so start-up does not import every command (~0.4 s)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--model")
    parser.add_argument("--base-url")
    parser.add_argument("--cwd")
    parser.add_argument("--debug", action="store_true")
    try:
        args, rest = parser.parse_known_args(args_list)
    except SystemExit:
        return None
    return None if rest else args


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list or os.environ.get("LAMTUI_DEBUG") == "1"
    try:
        app_args = _app_args(args_list)
        if app_args is not None:  # no command: the Textual app
            from lamtui.ui.app import run_app

            return run_app(app_args)
        parser = build_parser()
        args = parser.parse_args(args_list)
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 2
        return handler(args)
    except LamtuiError as exc:
        if debug:
            raise
        print(f"lamtui: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # `lamtui ... | head`: the reader left; that is not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        if debug:
            raise
        print("lamtui: interrupted", file=sys.stderr)
        return 3
    except OSError:
        problem = cwd_problem()
        if debug or problem is None:
            raise
        print(f"lamtui: error: {problem}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        if debug:
            raise
        print(f"lamtui: error: a file lamtui read is not UTF-8 text: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
