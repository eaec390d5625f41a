"""Attacks on the gate from issue 12, by class: none may be read_only or auto-approved.

1. Bash builtins that evaluate strings: callbacks, commands, and array subscripts in variable
   names or arithmetic, which bash expands even inside single quotes.
2. Signal names read as option clusters (`kill -KILL` is not `kill -L`).
3. Reading secrets: credential files, keys, the environment, the home folder, lamtui's data.
4. Set-id bits and owners (privileged, not workspace writes); git pointed outside the
   workspace (`git init ../x`, `git -C ../x ...`) writes outside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lamtui.contract.schema import Action
from lamtui.paths import get_paths
from lamtui.safety.policy import Policy, assess
from lamtui.safety.risk import classify_command

CMD = "rm -f x"  # what the attacker hides; the classifier must not need to see it

EVALUATING_BUILTINS: list[str] = [
    f"mapfile -C '{CMD}' -c 1 x < f",
    f"readarray -C '{CMD}' -c 1 x < f",
    f"mapfile -t -C '{CMD}' lines < f",
    f"readarray -c1 -C'{CMD}' x < f",
    f"jobs -x {CMD}",
    "jobs -lx ls",
    f"compgen -W '$({CMD})' x",
    "compgen -W '`ls`' x",
    f"test -v 'a[$({CMD})]'",
    f"test -v 'a[`{CMD}`]'",
    f"[ -v 'a[$({CMD})]' ]",
    f"[[ -v a[$({CMD})] ]]",
    f"[[ -v 'a[$({CMD})]' ]]",
    f"[[ -R 'a[$({CMD})]' ]]",
    f"printf -v 'a[$({CMD})]' x",
    f'printf -v "a[\\$({CMD})]" %s x',
    f"read 'a[$({CMD})]'",
    f"read -r 'a[$({CMD})]' < f",
    f"read -a 'a[$({CMD})]' < f",
    "read 'a[$i]' < f",
    f"let 'a[$({CMD})]'",
    f"let 'x = a[$({CMD})] + 1'",
    "let x=$(cat f)",
    f"unset 'a[$({CMD})]'",
    f"unset -v 'a[$({CMD})]'",
    f"declare -n r='a[$({CMD})]'",
    f"declare 'a[$({CMD})]=1'",
    f"declare -i x='a[$({CMD})]'",
    f"declare -i x; x='a[$({CMD})]'",
    f"declare -a 'a=([$({CMD})]=1)'",
    f"declare -a a='([$({CMD})]=1)'",
    f"typeset 'a[$({CMD})]=1'",
    f"local 'a[$({CMD})]=1'",
    f"getopts ab 'a[$({CMD})]' -a",
    f"sleep 0 & wait -p 'a[$({CMD})]' -n",
    'echo "${x@P}"',
    "echo ${x@P}",
    'printf %s "${a[@]@P}"',
    "cat <<EOF\n${x@P}\nEOF",
    "(( a[$(echo 1)] ))",
    f"(( a['$({CMD})'] ))",
    "echo $(( a[$(echo 1)] ))",
    f"echo $(( 'a[$({CMD})]' ))",
    "echo $(( $(cat f) + 1 ))",
    "echo $(( `cat f` ))",
    f"[[ 'a[$({CMD})]' -eq 1 ]]",
    f"[[ 1 -lt 'a[$({CMD})]' ]]",
    f"a['$({CMD})']=1",
    f"a=(['$({CMD})']=1)",
    f"echo \"${{a['$({CMD})']}}\"",
    f"echo ${{s:'a[$({CMD})]'}}",
    "echo ${ ls; }",
    f"for (( i='a[$({CMD})]'; i<1; i++ )); do :; done",
    "read n < f; for (( i=0; i<n; i++ )); do :; done",
    "for x in ${y@P}; do :; done",
    "case ${y@P} in a) ;; esac",
]

SIGNALS: list[str] = [
    "kill -KILL 0",
    "kill -SIGKILL -1",
    "kill -ALRM 1",
    "kill -HUP 1",
    "kill -TERM -1",
    "kill -STOP 1",
    "kill -L 1",
    "kill -l 1 2>/dev/null; kill -9 1",
    "kill -s KILL 1",
    "kill --signal KILL 1",
    "pkill -KILL -u root",
    "pkill -l bash",
    "pkill -LOST sshd",
    "killall -KILL bash",
    "killall -l bash",
    "killall -ILL x",
]

SECRET_READS: list[str] = [
    "cat ~/.ssh/id_rsa",
    "cat ~/.ssh/id_ed25519",
    "base64 ~/.ssh/id_rsa",
    "head -c 100 ~/.ssh/id_rsa",
    "less ~/.ssh/config",
    "xxd ~/.ssh/id_ecdsa",
    "strings ~/.ssh/known_hosts",
    "cp ~/.ssh/id_rsa ./key",
    "cp -r ~/.ssh ./backup",
    "tar czf keys.tgz ~/.ssh",
    "tar czf keys.tgz -C ~ .ssh",
    'cat "$HOME/.ssh/id_rsa"',
    "cat ${HOME}/.aws/credentials",
    "cat ~/.aws/credentials",
    "grep aws_secret ~/.aws/credentials",
    "cat ~/.netrc",
    "ls ~/.gnupg",
    "cat ~/.config/gh/hosts.yml",
    "cat ~/.docker/config.json",
    "cat ~/.kube/config",
    "cat /etc/shadow",
    "cat /etc/gshadow",
    "cat /etc/sudoers",
    "cat /root/.ssh/authorized_keys",
    "cat /home/*/.ssh/id_rsa",
    "cat ~/.s*/id*",
    "cat ~/.{ssh,aws}/*",
    "cat ~/.ssh/*",
    "cat server.pem",
    "cat certs/server.key",
    "cat *.pem",
    "cat .env",
    "cat .env.production",
    "grep -r SECRET .env",
    "cat id_rsa",
    "cat < ~/.netrc",
    "while read l; do echo $l; done < ~/.aws/credentials",
    "f=~/.ssh/id_rsa; cat $f",
    "d=.ssh; cat ~/$d/id_rsa",
    "grep -r password ~",
    "grep -r password $HOME",
    "grep -ri token ~/",
    "find ~ -name '*.pem'",
    "rg -uu token ~",
    "cat /proc/self/environ",
    "cat /proc/1/environ",
    "strings /proc/$$/environ",
    "xargs -0 -n1 < /proc/self/environ",
    "env",
    "env -0",
    "printenv",
    "printenv AWS_SECRET_ACCESS_KEY",
    "set",
    "declare -p",
    "declare -x",
    "typeset -p",
    "export -p",
    "export",
    "jq -n env",
    "jq -n '$ENV'",
    "compgen -v",
    "compgen -e",
    "compgen -A variable",
    "awk 'BEGIN { for (k in ENVIRON) print k, ENVIRON[k] }'",
    "ps eww",
    "ps auxe",
    "getent shadow",
    "sh -c 'cat ~/.ssh/id_rsa'",
    "echo ~/.ssh/id_rsa | xargs cat",
    "cat $(ls ~/.ssh/id_*)",
]

# Class 4: set-id bits and owners are privileged; git pointed outside writes outside.
PRIVILEGE_AND_OUTSIDE: list[str] = [
    "chmod u+s x",
    "chmod 4755 x",
    "chmod g+s x",
    "chmod 2755 x",
    "chmod 04755 x",
    "chmod 6755 x",
    "chmod +s x",
    "chmod =s x",
    "chmod u=rwxs x",
    "chmod a+rx,u+s x",
    "chmod ug+xs x",
    "chmod -- u+s x",
    "chmod -R g+s src",
    "env chmod u+s x",
    "find . -exec chmod u+s {} +",
    "chmod --reference=/usr/bin/passwd x",
    "chmod $M x",
    "chown me x",
    "chown -R me src",
    "chown me: x",
    "chgrp staff x",
    "install -m 4755 a x",
    "install --mode=u+s a x",
    "install -Dm2755 a bin/x",
    "install -o root a x",
    "install -g wheel a x",
    "install -m $M a x",
    "git init ../x",
    "git init /tmp/outside-repo",
    "git init -b main ../x",
    "git init --separate-git-dir ../g",
    "git init --separate-git-dir=../g",
    "git -C src init ../../x",
    "git -C ../x init",
    "git clone https://example.com/r.git ../x",
    "git -C .. clone https://example.com/r.git",
    "git -C ../x status",
    "git -C ../x log",
    "git -C ../x diff",
    "git -C ../x commit -m x",
    "git -C /tmp/outside-repo add .",
    "cd .. && git status",
    'git -C "$D" status',
    "git -C ~/other log",
]

ATTACKS: list[str] = [*EVALUATING_BUILTINS, *SIGNALS, *SECRET_READS, *PRIVILEGE_AND_OUTSIDE]

PLAIN: list[str] = [
    "ls",
    "ls -la",
    "cat README.md",
    "cat notes.txt",
    "grep -rn foo src",
    "find . -name '*.py'",
    "find . -type f | wc -l",
    "wc -l notes.txt",
    "wc -l *",
    "head -n 5 notes.txt",
    "tail -n 20 notes.txt",
    "git status",
    "git log --oneline -5",
    "git diff",
    "du -sh .",
    "df -h",
    "ps aux",
    "ps -ef",
    "echo hi",
    "echo $HOME",
    "printf '%s\\n' x",
    "test -f x",
    "[ -d x ]",
    "[[ -v x ]]",
    "test -v 'a[0]'",
    "[ -v 'arr[@]' ]",
    "read x < f",
    "read -r line < notes.txt",
    "read -ra parts <<< 'a b'",
    "mapfile -t lines < notes.txt",
    "printf -v out '%s' x",
    "printf -v 'a[1]' '%s' x",
    "unset x",
    "unset 'a[i]'",
    "declare -a arr",
    "declare -A map=([k]=v)",
    "declare -i n=5",
    "local -",
    "let 'x=1+2'",
    "let x++",
    "(( x = 1 + 2 ))",
    "echo $(( 1 + 2 ))",
    'for i in 1 2 3; do echo "${arr[$i]}"; done',
    "echo ${x@Q}",
    "compgen -c git",
    "compgen -W 'start stop' st",
    "jobs -l",
    "kill -l",
    "kill -L",
    "kill -l 9",
    "kill -l TERM",
    "killall -l",
    "set -e",
    "set -- a b",
    "jq '.name' package.json",
    "env -S 'ls'",
    "cat /etc/passwd",
    "cat /etc/hosts",
    "ls /home",
    "cd ~",
    "cd ~ && pwd",
    "cat ~/.bashrc",
    "basename /a/b.txt .txt",
    "for f in *.txt; do cat $f; done",
    'cat "$x.txt"',
    "for (( i=0; i<3; i++ )); do echo $i; done",
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("attacks")
    ws = (root / "ws").resolve()
    (ws / "src").mkdir(parents=True)
    (ws / "notes.txt").write_text("notes\n")
    return ws


def _shell(command: str) -> Action:
    return Action(
        thought="", tool="shell", args={"command": command}, status="continue", plan_update=None
    )


def test_the_tables_are_large_enough() -> None:
    assert len(ATTACKS) >= 80
    assert len(PLAIN) >= 40
    assert len(set(ATTACKS)) == len(ATTACKS), "duplicate attacks"
    assert len(set(PLAIN)) == len(PLAIN), "duplicate plain commands"


@pytest.mark.parametrize("command", ATTACKS, ids=[repr(c)[:60] for c in ATTACKS])
def test_attack_is_never_read_only_or_auto(command: str, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk != "read_only", result.to_dict()
    for mode in ("readonly", "workspace"):
        verdict = assess(_shell(command), Policy(mode), workspace).verdict
        assert verdict != "auto", (mode, result.to_dict())


@pytest.mark.parametrize("command", PLAIN, ids=[repr(c)[:60] for c in PLAIN])
def test_plain_command_stays_read_only(command: str, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == "read_only", result.to_dict()
    assert assess(_shell(command), Policy("readonly"), workspace).verdict == "auto"


@pytest.mark.parametrize("command", SIGNALS)
def test_sending_a_signal_is_destructive(command: str, workspace: Path) -> None:
    assert classify_command(command, workspace).risk == "destructive"


@pytest.mark.parametrize(
    "command",
    ["cat ~/.ssh/id_rsa", "cp ~/.ssh/id_rsa ./key", "env", "printenv HOME", "declare -p"],
)
def test_secret_reads_are_their_own_class(command: str, workspace: Path) -> None:
    assert classify_command(command, workspace).risk == "sensitive_read"
    assert assess(_shell(command), Policy("auto"), workspace).verdict == "auto"


@pytest.mark.parametrize(
    "command", [c for c in PRIVILEGE_AND_OUTSIDE if c.startswith(("ch", "install"))]
)
def test_set_id_bits_and_owners_are_not_workspace_writes(command: str, workspace: Path) -> None:
    risk = classify_command(command, workspace).risk
    assert risk in ("privileged", "unknown"), command
    assert assess(_shell(command), Policy("workspace"), workspace).verdict == "ask"


@pytest.mark.parametrize(
    "command", ["chmod +x x", "chmod 755 x", "chmod u-s x", "chmod 1777 x", "install -m 755 a x"]
)
def test_plain_chmod_stays_a_workspace_write(command: str, workspace: Path) -> None:
    assert classify_command(command, workspace).risk == "workspace_write"


@pytest.mark.parametrize("command", [c for c in PRIVILEGE_AND_OUTSIDE if "git" in c])
def test_git_pointed_outside_writes_outside(command: str, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk in ("outside_write", "network"), result.to_dict()
    inside = [p for p in result.writes if p == str(workspace) or p.startswith(f"{workspace}/")]
    assert len(inside) < len(result.writes), result.writes  # the outside place is a target


def test_git_inside_the_workspace_is_unchanged(workspace: Path) -> None:
    for command in ("git init", "git init sub", "git -C src status", "git -C . diff"):
        result = classify_command(command, workspace)
        assert result.risk in ("read_only", "workspace_write"), command


def test_env_as_a_wrapper_is_not_a_dump(workspace: Path) -> None:
    assert classify_command("env FOO=1 ls", workspace).risk == "read_only"
    assert classify_command("env -i A=1 rm x", workspace).risk == "destructive"


def test_lamtui_data_and_config_are_secret(workspace: Path) -> None:
    paths = get_paths()
    for folder in (paths.data_dir, paths.config_dir):
        for command in (f"cat {folder}/secrets.json", f"grep -r token {folder}"):
            assert classify_command(command, workspace).risk == "sensitive_read", command


def test_a_symlink_to_a_key_is_the_key(workspace: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys" / ".ssh"
    keys.mkdir(parents=True)
    (keys / "id_rsa").write_text("secret\n")
    link = workspace / "innocent.txt"
    link.symlink_to(keys / "id_rsa")
    try:
        assert classify_command("cat innocent.txt", workspace).risk == "sensitive_read"
        read = Action(
            thought="", tool="read_file", args={"path": ".env"}, status="continue", plan_update=None
        )
        assert assess(read, Policy("readonly"), workspace).verdict != "auto"
    finally:
        os.unlink(link)
