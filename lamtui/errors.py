"""Errors the user can act on. The CLI prints them as one line and exits non-zero."""

from __future__ import annotations


class LamtuiError(Exception):
    """A failure with a message for the user and, optionally, what to do about it."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(LamtuiError):
    """The configuration (file, environment or flags) is invalid."""


class ModelError(LamtuiError):
    """The model cannot be loaded, reached, or did not produce valid output."""


class ModelOutputError(ModelError):
    """The model's output failed validation after every retry."""


class NetworkError(LamtuiError):
    """A network operation the user asked for failed."""


class Cancelled(Exception):
    """The user cancelled a generation or a running action."""
