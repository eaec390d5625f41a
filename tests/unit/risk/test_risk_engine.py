"""The verdict's structure, and the shape of the classifier package behind the façade."""

from __future__ import annotations

import ast
import itertools
import json
from pathlib import Path
from typing import get_args

import lamtui.safety.risk as facade
from lamtui.contract.risk import RISK_ORDER, Risk, stricter
from lamtui.safety.risk import classify_command

PACKAGE = Path(facade.__file__).parent / "shell"


def test_segment_fields(workspace: Path) -> None:
    result = classify_command("rm -rf build", workspace)
    (segment,) = result.segments
    assert segment.text == "rm -rf build"
    assert segment.argv == ("rm", "-rf", "build")
    assert segment.risk == "destructive"
    assert "rm deletes files" in segment.reasons
    assert segment.writes == (str(workspace / "build"),)
    assert result.writes == segment.writes
    assert not segment.privileged


def test_nested_segments_are_reported(workspace: Path) -> None:
    result = classify_command('bash -c "ls; rm -rf x"', workspace)
    assert [segment.argv[0] for segment in result.segments] == ["bash", "ls", "rm"]
    assert result.segments[0].risk == "destructive"  # the wrapper carries what it runs
    assert "rm deletes files" in result.reasons
    assert result.segments[1].risk == "read_only"


def test_reasons_are_strictest_first(workspace: Path) -> None:
    result = classify_command("ls; touch a; curl x; rm b", workspace)
    assert result.risk == "destructive"
    assert result.reasons[0] == "rm deletes files"
    assert "ls only reads" not in result.reasons  # read-only noise is dropped
    assert result.reasons.index("curl transfers data over the network") < result.reasons.index(
        "touch creates or updates a"
    )


def test_unparsable_command_is_one_unknown_segment(workspace: Path) -> None:
    result = classify_command('rm -rf / "', workspace)
    assert result.risk == "unknown"
    assert len(result.segments) == 1
    assert "cannot be parsed" in result.reasons[0]


def test_to_dict_is_json_serialisable(workspace: Path) -> None:
    data = classify_command("ls | xargs rm > out.txt", workspace).to_dict()
    assert set(data) == {"risk", "segments", "reasons", "writes"}
    assert set(data["segments"][0]) == {"text", "argv", "risk", "reasons", "writes"}
    assert json.loads(json.dumps(data)) == data


def test_risk_order_and_stricter() -> None:
    assert get_args(Risk) == RISK_ORDER
    assert stricter("read_only", "privileged") == "privileged"
    assert stricter("network", "unknown") == "network"
    assert stricter("destructive", "destructive") == "destructive"
    for low, high in itertools.pairwise(RISK_ORDER):
        assert stricter(low, high) == high == stricter(high, low)


# --- the package behind the façade ----------------------------------------------------------


def test_the_facade_exports_what_callers_import() -> None:
    for name in facade.__all__:
        assert getattr(facade, name) is not None
    assert facade.secret_path_reason("~/.ssh/id_rsa") is not None
    assert facade.secret_path_reason("notes.txt") is None


def test_no_command_is_registered_by_two_families() -> None:
    from lamtui.safety.shell.engine import _HANDLERS
    from lamtui.safety.shell.handlers import (
        archives,
        builtins,
        exec,
        files,
        git,
        network,
        packages,
        system,
        text,
    )

    families = (archives, builtins, exec, files, git, network, packages, system, text)
    assert sum(len(family.HANDLERS) for family in families) == len(_HANDLERS)
    assert {"rm", "git", "sed", "tar", "curl", "cd", "bash", "kill", "docker"} <= set(_HANDLERS)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) if node.module
    }


def test_modules_are_small_and_imports_point_down() -> None:
    """Only the façade imports the engine; only the engine imports the handlers."""
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) >= 20
    for path in modules:
        assert len(path.read_text().splitlines()) <= 500, path
        imported = _imports(path)
        assert "lamtui.safety.shell.engine" not in imported, path
        if path.parent == PACKAGE and path.name != "engine.py":
            assert not any(m.startswith("lamtui.safety.shell.handlers") for m in imported), path
    lamtui_root = PACKAGE.parent.parent
    engine_users = [
        path.relative_to(lamtui_root).as_posix()
        for path in lamtui_root.rglob("*.py")
        if "lamtui.safety.shell.engine" in _imports(path)
    ]
    assert engine_users == ["safety/risk.py"]
