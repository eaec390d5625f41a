"""The workspace every risk table is classified in."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with a file, a subdirectory, a .git directory and two escaping symlinks."""
    root = tmp_path_factory.mktemp("risk")
    workspace = (root / "ws").resolve()
    (workspace / "src").mkdir(parents=True)
    (workspace / ".git" / "hooks").mkdir(parents=True)
    (workspace / "notes.txt").write_text("notes\n")
    (root / "outside").mkdir()
    (workspace / "out-link").symlink_to(root / "outside")
    (workspace / "etc-link").symlink_to("/etc")
    return workspace
