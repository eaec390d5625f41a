"""Classify a bash command by what it could do, purely from parsing its text.

The confirmation gate trusts this module and never the model: nothing the model says about a
command is read here. A command is as risky as the strictest thing any part of it may do, and
anything the parser cannot follow is "unknown", which is never auto-approved.

This is the façade of `lamtui.safety.shell`, which holds the lexer, the parser, the engine and
one handler module per family of commands (its docstring is the map). The risk classes and the
verdict types it returns live in `lamtui.contract.risk`.
"""

from __future__ import annotations

from lamtui.safety.shell.engine import classify_command
from lamtui.safety.shell.sensitive import secret_path_reason

__all__ = ["classify_command", "secret_path_reason"]
