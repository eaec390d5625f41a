"""`lamtui doctor`: what this machine gives lamtui (model, sandbox, keyring, tools)."""

from __future__ import annotations

import argparse
import json
import shutil
from typing import Any

from lamtui.paths import get_paths


def register(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check the model, sandbox, keyring and tools")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=handle)


def _keyring_state() -> tuple[bool, str]:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False, (
            "no keyring backend; secrets need a keyring or the opt-in file backend "
            '([secrets] backend = "file")'
        )
    return True, type(backend).__name__


def checks() -> dict[str, dict[str, Any]]:
    from lamtui.actions.sandbox import sandbox_status
    from lamtui.config import load_settings
    from lamtui.errors import LamtuiError
    from lamtui.lam.catalog import resolve_model

    results: dict[str, dict[str, Any]] = {}
    settings = load_settings()
    try:
        resolved = resolve_model(settings.model.name)
        results["model"] = {"ok": True, "detail": f"{resolved.name}: {resolved.path}"}
    except LamtuiError as exc:
        results["model"] = {"ok": False, "detail": str(exc)}
    status = sandbox_status()
    results["sandbox"] = {
        "ok": status.available,
        "detail": (
            f"bubblewrap {status.version}: shell actions in workspace mode run with a "
            "read-only root, a writable workspace and no network"
        )
        if status.available
        else f"{status.reason}; the gate relies on the classifier alone",
    }
    ok, detail = _keyring_state()
    results["keyring"] = {"ok": ok, "detail": detail}
    for tool in ("bash", "git", "tmux"):
        path = shutil.which(tool)
        results[tool] = {"ok": path is not None, "detail": path or "not found"}
    results["data"] = {"ok": True, "detail": str(get_paths().data_dir)}
    return results


def handle(args: argparse.Namespace) -> int:
    results = checks()
    if args.json:
        print(json.dumps(results))
        return 0
    for name, result in results.items():
        print(f"{'ok ' if result['ok'] else '-- '} {name:8} {result['detail']}")
    return 0
