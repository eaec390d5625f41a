"""Risk table: package managers and subcommand tools (pip, npm, cargo, apt, docker ...)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: system information -------------------------------------------------------
    ("pip list", "read_only"),
    ("pip show requests", "read_only"),
    ("npm ls", "read_only"),
    ("cargo tree", "network"),  # resolves, and may download, unless offline
    ("cargo tree --offline", "read_only"),
    ("go version", "read_only"),
    ("docker ps -a", "read_only"),
    # --- workspace writes --------------------------------------------------------------------
    ("cargo fmt", "workspace_write"),
    ("go fmt ./...", "workspace_write"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("npm test", "unknown"),
    ("npm run build", "unknown"),
    ("cargo build", "unknown"),
    ("cargo test", "unknown"),
    ("go build ./...", "unknown"),
    ("go test ./...", "unknown"),
    # --- network -----------------------------------------------------------------------------
    ("pip install requests", "network"),
    ("pip3 install -r requirements.txt", "network"),
    ("uv add httpx", "network"),
    ("uv pip install x", "network"),
    ("pipx install black", "network"),
    ("poetry install", "network"),
    ("npm install", "network"),
    ("npm i left-pad", "network"),
    ("npm ci", "network"),
    ("yarn add x", "network"),
    ("yarn", "network"),
    ("pnpm install", "network"),
    ("cargo install ripgrep", "network"),
    ("go get example.com/x", "network"),
    ("go install example.com/x@latest", "network"),
    ("gem install rails", "network"),
    ("apt install htop", "network"),
    ("apt-get update", "network"),
    ("brew install jq", "network"),
    ("docker pull alpine", "network"),
    ("docker run alpine", "network"),
    ("podman run alpine", "network"),
    ("docker build .", "network"),
    # --- destructive -------------------------------------------------------------------------
    ("pip uninstall -y requests", "destructive"),
    ("npm uninstall left-pad", "destructive"),
    ("docker rm -f web", "destructive"),
    ("docker system prune -a", "destructive"),
    ("apt remove htop", "destructive"),
    ("cargo clean", "destructive"),
    # --- privileged --------------------------------------------------------------------------
    ("docker run --privileged alpine", "privileged"),
    ("docker run -v /:/host alpine", "privileged"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
