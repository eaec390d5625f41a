"""Risk table: archives, compression and patches (tar, zip, unzip, gzip ..., patch)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: files and text -----------------------------------------------------------
    ("tar -tf a.tar", "read_only"),
    ("tar tzf a.tgz", "read_only"),
    ("unzip -l a.zip", "read_only"),
    ("gzip -l a.gz", "read_only"),
    ("gzip -c notes.txt", "read_only"),
    # --- workspace writes --------------------------------------------------------------------
    ("tar -czf out.tgz src", "workspace_write"),
    ("tar xzf a.tgz", "workspace_write"),
    ("tar -xf a.tar -C build", "workspace_write"),
    ("zip -r out.zip src", "workspace_write"),
    ("unzip a.zip", "workspace_write"),
    ("unzip a.zip -d build", "workspace_write"),
    ("gzip notes.txt", "workspace_write"),
    ("gunzip notes.txt.gz", "workspace_write"),
    ("bzip2 notes.txt", "workspace_write"),
    ("xz notes.txt", "workspace_write"),
    ("patch -p1 < fix.diff", "workspace_write"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("tar -xf a.tar --to-command=sh", "unknown"),
    ("tar -xf a.tar --transform 's,^,.git/,'", "unknown"),
    # --- outside the workspace ---------------------------------------------------------------
    ("tar xzf a.tgz -C /tmp", "outside_write"),
    ("tar -xPf a.tar", "outside_write"),
    ("unzip a.zip -d /tmp/x", "outside_write"),
    # --- destructive -------------------------------------------------------------------------
    ("tar -czf a.tgz --remove-files d", "destructive"),
    ("zip -m a.zip notes.txt", "destructive"),
    # --- evasions the brief names ------------------------------------------------------------
    ("tar cf - . | (cd /tmp && tar xf -)", "outside_write"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
