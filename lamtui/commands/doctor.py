"""`lamtui doctor`: what this machine gives lamtui (model, sandbox, keyring, tools)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path
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


AUTO_SANDBOXED = (
    "the read-only and workspace-write actions the gate approves by itself (readonly and "
    "ask mode too) and every shell action in workspace mode, not full auto"
)
SANDBOX_LISTS = (
    ("hides (empty)", "hides"),
    ("read-only here", "read_only"),
    ("moved aside if an action creates it", "moved_aside_if_created"),
)


def sandbox_report(setting: str, workspace: Path) -> dict[str, Any]:
    """Whether shell actions are sandboxed, which ones, and what the sandbox hides and
    binds read-only for this workspace."""
    from lamtui.actions.sandbox import CONTROL_FILES, layout, sandbox_status

    status = sandbox_status()
    on = status.available and setting != "never"
    plan = layout(workspace)
    if not status.available:
        detail = (
            f"{status.reason}; shell actions run unsandboxed (readonly mode too) and the "
            "gate relies on the classifier alone"
        )
    elif setting == "never":
        detail = 'off ([shell] sandbox = "never" in your config): nothing is sandboxed'
    else:
        which = AUTO_SANDBOXED if setting == "auto" else "every shell action"
        detail = (
            f"bubblewrap {status.version}: sandboxed are {which}; inside, a read-only root, "
            "a writable workspace, a private /tmp and no network unless approved as a "
            "network action"
        )
    missing = [name for name in CONTROL_FILES if not os.path.lexists(workspace / name)]
    return {
        "ok": on,
        "detail": detail,
        "readonly_mode_sandboxed": on,
        "hides": list(plan.hidden) if on else [],
        "read_only": list(plan.read_only) if on else [],
        "moved_aside_if_created": missing if on else [],
    }


def checks() -> dict[str, dict[str, Any]]:
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
    results["sandbox"] = sandbox_report(settings.shell.sandbox, Path.cwd())
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
        for label, key in SANDBOX_LISTS if name == "sandbox" else ():
            if result[key]:
                print(f"{'':13}{label}: {', '.join(result[key])}")
    return 0
