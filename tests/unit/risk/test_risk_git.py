"""Risk table: git, by subcommand."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: git ----------------------------------------------------------------------
    ("git status", "read_only"),
    ("git log --oneline -5", "read_only"),
    ("git diff HEAD~1", "read_only"),
    ("git show HEAD", "read_only"),
    ("git branch", "read_only"),
    ("git branch -a", "read_only"),
    ("git branch --list 'feat*'", "read_only"),
    ("git remote -v", "read_only"),
    ("git rev-parse HEAD", "read_only"),
    ("git ls-files", "read_only"),
    ("git blame notes.txt", "read_only"),
    ("git describe --tags", "read_only"),
    ("git shortlog -sn", "read_only"),
    ("git tag", "read_only"),
    ("git tag -l 'v*'", "read_only"),
    ("git config --get user.name", "read_only"),
    ("git config --list", "read_only"),
    ("git grep foo", "read_only"),
    ("git reflog", "read_only"),
    ("git stash list", "read_only"),
    ("git clean -n", "read_only"),
    ("git --no-pager log", "read_only"),
    ("git -C src status", "read_only"),
    # --- workspace writes --------------------------------------------------------------------
    ("git add .", "workspace_write"),
    ("git commit -m 'fix bug'", "workspace_write"),
    ("git checkout main", "workspace_write"),
    ("git checkout -b feature", "workspace_write"),
    ("git switch main", "workspace_write"),
    ("git stash", "workspace_write"),
    ("git stash push -m wip", "workspace_write"),
    ("git stash pop", "workspace_write"),
    ("git mv a b", "workspace_write"),
    ("git init", "workspace_write"),
    ("git apply fix.patch", "workspace_write"),
    ("git restore --staged notes.txt", "workspace_write"),
    ("git merge feature", "workspace_write"),
    ("git rebase main", "workspace_write"),
    ("git branch new-feature", "workspace_write"),
    ("git branch -d merged", "workspace_write"),
    ("git tag v1.0", "workspace_write"),
    ("git remote add origin https://example.com/r.git", "workspace_write"),
    ("git reset HEAD notes.txt", "workspace_write"),
    ("git reset --soft HEAD~1", "workspace_write"),
    ("git cherry-pick abc123", "workspace_write"),
    ("git format-patch -1", "workspace_write"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("git config user.name me", "unknown"),
    ("git -c core.pager=less log", "unknown"),
    ("git frobnicate", "unknown"),
    ("git rebase -i HEAD~3", "unknown"),
    ("git bisect run ./test.sh", "unknown"),
    # --- outside the workspace ---------------------------------------------------------------
    ("git config --global user.name me", "outside_write"),
    # --- network -----------------------------------------------------------------------------
    ("git push", "network"),
    ("git push origin main", "network"),
    ("git pull", "network"),
    ("git fetch --all", "network"),
    ("git clone https://example.com/r.git", "network"),
    ("git ls-remote origin", "network"),
    ("git submodule update --init", "network"),
    # --- destructive -------------------------------------------------------------------------
    ("git reset --hard", "destructive"),
    ("git reset --hard HEAD~1", "destructive"),
    ("git clean -fd", "destructive"),
    ("git -C . clean -fdx", "destructive"),
    ("git push --force", "destructive"),
    ("git push -f", "destructive"),
    ("git push -f origin main", "destructive"),
    ("git push --force-with-lease", "destructive"),
    ("git push origin +main", "destructive"),
    ("git push origin --delete old", "destructive"),
    ("git checkout -- .", "destructive"),
    ("git checkout .", "destructive"),
    ("git checkout -- notes.txt", "destructive"),
    ("git checkout notes.txt", "destructive"),
    ("git checkout -f main", "destructive"),
    ("git restore notes.txt", "destructive"),
    ("git branch -D old", "destructive"),
    ("git branch -f main HEAD~3", "destructive"),
    ("git stash drop", "destructive"),
    ("git stash clear", "destructive"),
    ("git filter-branch --tree-filter 'rm -f x' HEAD", "destructive"),
    ("git reflog expire --expire=now --all", "destructive"),
    ("git gc --prune=now", "destructive"),
    ("git rm notes.txt", "destructive"),
    ("git tag -d v1", "destructive"),
    ("git worktree remove --force ../wt", "destructive"),
    # --- evasions the brief names ------------------------------------------------------------
    ("git --git-dir=/tmp/x status", "unknown"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
