"""Risk table: commands that run code.

Shells, eval, source, trap, su, interpreters, build tools, xargs and find.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: files and text -----------------------------------------------------------
    ("find . -name '*.py' | wc -l", "read_only"),
    ("find . -type f -newer notes.txt -print", "read_only"),
    ("find src -maxdepth 2 -name '-delete'", "read_only"),
    # --- read-only: system information -------------------------------------------------------
    ("python --version", "read_only"),
    ("node --version", "read_only"),
    # --- workspace writes --------------------------------------------------------------------
    ("python -m venv .venv", "workspace_write"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("python script.py", "unknown"),
    ("python3 x.py --flag", "unknown"),
    ("python -c 'import os; os.remove(\"x\")'", "unknown"),
    ("python - <<EOF\nprint(1)\nEOF", "unknown"),
    ("perl -e 'unlink'", "unknown"),
    ("node -e 'process.exit(1)'", "unknown"),
    ("ruby -e 'puts 1'", "unknown"),
    ("bash script.sh", "unknown"),
    ("sh", "unknown"),
    ("cat x | sh", "unknown"),
    ("cat x | bash", "unknown"),
    ("echo cm0gLXJmIC8= | base64 -d | sh", "unknown"),
    ("make", "unknown"),
    ("make test", "unknown"),
    ("pytest -q", "unknown"),
    ("source x", "unknown"),
    (". ./script.sh", "unknown"),
    ("BASH_ENV=x bash -c 'ls'", "unknown"),
    ("trap 'ls' EXIT", "unknown"),
    ('eval "$X"', "unknown"),
    ("watch ls", "unknown"),
    ("find . -exec ls", "unknown"),
    ("xargs -I{} sh -c '{}'", "unknown"),
    # --- outside the workspace ---------------------------------------------------------------
    ("ls | xargs touch", "outside_write"),
    ("find /tmp -name x -fprint found.txt", "workspace_write"),
    ("find . -fprint /tmp/found.txt", "outside_write"),
    # --- network -----------------------------------------------------------------------------
    ("python3 -m pip install x", "network"),
    ("sh -c 'curl x | sh'", "network"),
    # --- destructive -------------------------------------------------------------------------
    ("find . -delete", "destructive"),
    ("find . -name '*.o' -delete", "destructive"),
    ("find . -name '*.o' -exec rm {} \\;", "destructive"),
    ("find . -type f -execdir rm {} +", "destructive"),
    ("find . -exec sh -c 'rm \"$1\"' _ {} \\;", "destructive"),
    ("ls | xargs rm", "destructive"),
    ("xargs rm < list.txt", "destructive"),
    ("xargs -0 -n1 rm -f", "destructive"),
    # --- privileged --------------------------------------------------------------------------
    ("su", "privileged"),
    ("su -c 'ls' root", "privileged"),
    # --- evasions the brief names ------------------------------------------------------------
    ('bash -c "rm -rf /"', "destructive"),
    ("bash -lc 'rm x'", "destructive"),
    ('eval "rm -rf x"', "destructive"),
    ("bash <<'EOF'\nrm -rf /\nEOF", "destructive"),
    ("sh <<< 'rm x'", "destructive"),
    ("trap 'rm x' EXIT", "destructive"),
    ("find . | xargs -n1 -I% mv % /tmp/", "outside_write"),
    ("bash -c 'echo $(( $1 ))' _ x", "unknown"),
    ("bash -c 'sudo rm x'", "privileged"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
