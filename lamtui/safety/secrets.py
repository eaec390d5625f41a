"""Secrets live in the system keyring, never in config files or logs."""

from __future__ import annotations

from lamtui.errors import LamtuiError

SERVICE = "lamtui"


def get_secret(name: str) -> str:
    """Read a secret; a missing backend or entry is a clear error, never a silent blank."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        value = keyring.get_password(SERVICE, name)
    except NoKeyringError:
        raise LamtuiError(
            f"no keyring backend is available to read the secret {name!r}",
            "configure a keyring backend (e.g. install keyrings.alt or gnome-keyring)",
        ) from None
    except KeyringError as exc:
        raise LamtuiError(f"the keyring failed to read {name!r}: {exc}") from None
    if value is None:
        raise LamtuiError(f"the secret {name!r} is not set", f"run `lamtui secrets set {name}`")
    return value
