"""Secrets: stored with keyring, referred to in actions as {{secret:NAME}}, substituted
only at execution and redacted everywhere else.

On a machine without a keyring backend (a headless Linux box), lamtui says so and
offers an explicit opt-in file backend (`[secrets] backend = "file"`): a 0600 JSON file
in the data dir. It never falls back to plain text silently.
"""

from __future__ import annotations

import json
import os
import re
import weakref
from pathlib import Path

from lamtui.errors import LamtuiError
from lamtui.paths import get_paths
from lamtui.safety.redact import Redactor

SERVICE = "lamtui"
SECRET_REF = re.compile(r"\{\{secret:([A-Za-z0-9_.\-]+)\}\}")
NAME_RULE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def _index_file() -> Path:
    return get_paths().config_dir / "secret-names.json"


def _file_store() -> Path:
    return get_paths().data_dir / "secrets.json"


def _read_json(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise LamtuiError(f"{path} is unreadable or damaged: {exc}") from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_private(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)


def _no_keyring() -> LamtuiError:
    return LamtuiError(
        "no keyring backend is available on this machine, so secrets cannot be stored safely",
        "install/unlock a keyring (e.g. gnome-keyring), or opt in to a private file with "
        '[secrets] backend = "file" in config.toml (plain text, readable only by you)',
    )


class SecretStore:
    def __init__(self, backend: str = "keyring") -> None:
        if backend not in ("keyring", "file"):
            raise LamtuiError(f"unknown secrets backend {backend!r}", 'use "keyring" or "file"')
        self.backend = backend
        # Every redactor this store made learns each value the store hands out, so a
        # secret set after a redactor was made is still redacted once it is used.
        self._redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()

    # -- names (keyring cannot list its entries, so lamtui keeps the names) ---------------

    def names(self) -> list[str]:
        if self.backend == "file":
            return sorted(_read_json(_file_store()))
        return sorted(_read_json(_index_file()))

    def _remember(self, name: str, present: bool) -> None:
        index = _read_json(_index_file())
        if present:
            index[name] = "keyring"
        else:
            index.pop(name, None)
        _write_private(_index_file(), index)

    # -- values ------------------------------------------------------------------------

    def set(self, name: str, value: str) -> None:
        if not NAME_RULE.match(name):
            raise LamtuiError(f"invalid secret name {name!r}", "use letters, digits, . _ -")
        if not value:
            raise LamtuiError("the secret value is empty")
        if self.backend == "file":
            data = _read_json(_file_store())
            data[name] = value
            _write_private(_file_store(), data)
        else:
            self._keyring_call("set_password", name, value)
            self._remember(name, True)
        self._teach(name, value)

    def get(self, name: str) -> str:
        if self.backend == "file":
            value = _read_json(_file_store()).get(name)
        else:
            value = self._keyring_call("get_password", name)
        if value is None:
            raise LamtuiError(f"the secret {name!r} is not set", f"run `lamtui secrets set {name}`")
        self._teach(name, value)
        return value

    def _teach(self, name: str, value: str) -> None:
        for redactor in list(self._redactors):
            redactor.add(name, value)

    def delete(self, name: str) -> None:
        if name not in self.names():
            raise LamtuiError(f"the secret {name!r} is not set")
        if self.backend == "file":
            data = _read_json(_file_store())
            data.pop(name, None)
            _write_private(_file_store(), data)
            return
        self._keyring_call("delete_password", name)
        self._remember(name, False)

    def _keyring_call(self, method: str, name: str, *args: str) -> str | None:
        import keyring
        from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

        try:
            result: str | None = getattr(keyring, method)(SERVICE, name, *args)
        except NoKeyringError:
            raise _no_keyring() from None
        except PasswordDeleteError:
            return None
        except KeyringError as exc:
            raise LamtuiError(f"the keyring failed for {name!r}: {exc}") from None
        return result

    # -- use in actions -----------------------------------------------------------------

    def redactor(self) -> Redactor:
        """A redactor that knows every stored secret it can read (one unreadable secret
        does not hide the others), and learns each value used later."""
        redactor = Redactor()
        try:
            names = self.names()
        except LamtuiError:
            names = []
        for name in names:
            try:
                redactor.add(name, self.get(name))
            except LamtuiError:
                continue  # get() teaches it to this redactor if it is read later
        self._redactors.add(redactor)
        return redactor

    def substitute(self, text: str) -> str:
        """Replace {{secret:NAME}} references with their values (at execution only)."""
        return SECRET_REF.sub(lambda m: self.get(m.group(1)), text)


def get_secret(name: str, backend: str = "keyring") -> str:
    return SecretStore(backend).get(name)
