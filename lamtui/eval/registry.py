"""The suites `lamtui eval` knows by name."""

from __future__ import annotations

from lamtui.errors import LamtuiError
from lamtui.eval.suite import Suite

SUITE_NAMES = ("builtin", "intercode-bash")


def get_suite(name: str) -> Suite:
    if name == "builtin":
        from lamtui.eval.builtin import BuiltinSuite

        return BuiltinSuite()
    if name == "intercode-bash":
        from lamtui.eval.intercode import InterCodeSuite

        return InterCodeSuite()
    raise LamtuiError(f"unknown suite {name!r}", f"suites: {', '.join(SUITE_NAMES)}")
