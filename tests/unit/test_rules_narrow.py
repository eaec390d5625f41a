"""An "always allow" rule never approves more than the class the user approved.

Each row approves a command with "always allow" (the rules are saved to rules.toml and
read back, as the agent does), then asks the gate about a riskier variant that the saved
pattern also matches by its words: the variant must still ask.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.errors import ConfigError
from lamtui.safety.policy import Policy, assess, suggest_rule_drafts
from lamtui.safety.rules import (
    forget_rule,
    load_saved_rules,
    rules_file,
    rules_from_lists,
    save_rule,
)

ABOVE_READ_ONLY = {
    "workspace_write",
    "sensitive_read",
    "unknown",
    "outside_write",
    "network",
    "destructive",
    "privileged",
}


def _shell(command: str) -> Action:
    return Action(
        thought="", tool="shell", args={"command": command}, status="continue", plan_update=None
    )


def _file(tool: str, **args: str) -> Action:
    return Action(thought="", tool=tool, args=args, status="continue", plan_update=None)  # type: ignore[arg-type]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.md").write_text("b\na\n")
    (ws / "a.log").write_text("log\n")
    return ws


def _always_allow(action: Action, ws: Path) -> tuple[Assessment, Policy]:
    """What the agent does on "a": save suggest_rule_drafts, then load rules.toml."""
    approved = assess(action, Policy("ask"), ws)
    for draft in suggest_rule_drafts(approved, action):
        save_rule("allow", draft.pattern, risk=draft.risk, match=draft.match)
    return approved, Policy("ask", rules=tuple(load_saved_rules()))


# (approved with "always allow", a variant its saved pattern matches by its words)
NARROWING = [
    ("grep -n a notes.md | sort", "sort -o /etc/passwd notes.md"),
    ("grep -n a notes.md | sort", "sort -o notes.md notes.md"),
    ("grep -n a notes.md | sort", "grep -r password ~"),
    ("find . -name '*.md'", "find . -delete"),
    ("find . -name '*.md'", "find . -name x -exec rm {} ;"),
    ("find . -name '*.md'", "find . -name x -exec sh -c 'curl evil.example' ;"),
    ("sed -n 1p notes.md", "sed -i s/a/b/ /etc/hosts"),
    ("sed -n 1p notes.md", "sed -i s/a/b/ notes.md"),
    ("tar -tf a.tar", "tar -xf a.tar -C /"),
    ("tar -tf a.tar", "tar -xf a.tar"),
    ("ls -la", "ls > /etc/x"),
    ("ls -la", "ls $(rm -rf ~)"),
    ("cat notes.md", "cat notes.md ~/.ssh/id_rsa"),
    ("head -n 1 notes.md", "head -n 1 ~/.aws/credentials"),
    ("echo hi", "echo hi > ../outside.txt"),
    ("awk -F: '{print $1}' notes.md", "awk 'BEGIN{system(\"rm notes.md\")}'"),
    ("date", "date -s 2020-01-01"),
    ("git log -n 1", "git log --output=../x"),
    ("git remote -v", "git remote update"),
    ("pip --version", "pip download requests"),
    ("git config --list", "git config core.fsmonitor 'rm -rf ~'"),
    ("python3 --version", "python3 -c 'print(1)'"),
    ("git branch", "git branch -D main"),
    ("xargs --version", "xargs rm"),
    ("tee --version", "tee /etc/passwd"),
    ("kill -l", "kill -KILL 1"),
    ("wc -l notes.md", "wc -l notes.md > /etc/motd"),
]


@pytest.mark.parametrize(("approved", "variant"), NARROWING)
def test_a_read_only_rule_never_approves_a_riskier_variant(
    ws: Path, approved: str, variant: str
) -> None:
    first, policy = _always_allow(_shell(approved), ws)
    assert first.risk == "read_only"
    assert all(r.risk == "read_only" for r in policy.rules)
    # The rule does what the user asked: the approved command runs unasked from now on ...
    assert assess(_shell(approved), policy, ws).verdict == "auto"
    # ... and nothing riskier does.
    result = assess(_shell(variant), policy, ws)
    assert result.risk in ABOVE_READ_ONLY, result
    assert result.verdict == "ask", result.reasons


def test_same_class_variants_still_run_under_the_rule(ws: Path) -> None:
    _, policy = _always_allow(_shell("grep -n a notes.md | sort"), ws)
    for same in ("sort notes.md", "grep -c b notes.md", "sort -r notes.md | grep a"):
        assert assess(_shell(same), policy, ws).verdict == "auto", same


def test_a_riskier_approval_saves_its_exact_words_only(ws: Path) -> None:
    first, policy = _always_allow(_shell("rm -v -- a.log"), ws)
    assert first.risk == "destructive"
    [rule] = policy.rules
    assert (rule.pattern, rule.risk, rule.match) == ("rm -v -- a.log", "destructive", "exact")
    assert assess(_shell("rm -v -- a.log"), policy, ws).verdict == "auto"
    for wider in ("rm -v -- a.log ~/b", "rm -v -- a.log /etc/passwd", "sudo rm -v -- a.log"):
        assert assess(_shell(wider), policy, ws).verdict == "ask", wider


def test_saved_words_are_literal_not_globs(ws: Path) -> None:
    _, policy = _always_allow(_shell("ls 'n*'"), ws)
    assert [r.glob for r in policy.rules] == [False]
    assert assess(_shell("ls 'n*'"), policy, ws).verdict == "auto"
    assert assess(_shell("ls notes.md"), policy, ws).verdict == "ask"


def test_a_workspace_write_rule_does_not_reach_outside(ws: Path) -> None:
    first, policy = _always_allow(_shell("sort -o sorted.md notes.md"), ws)
    assert first.risk == "workspace_write"
    assert [(r.pattern, r.risk) for r in policy.rules] == [("sort", "workspace_write")]
    assert assess(_shell("sort -o other.md notes.md"), policy, ws).verdict == "auto"
    for riskier in ("sort -o /etc/passwd notes.md", "sort -o ../x notes.md", "sort ~/.netrc"):
        assert assess(_shell(riskier), policy, ws).verdict == "ask", riskier


def test_file_tool_rules_keep_their_class(ws: Path) -> None:
    (ws / ".env").write_text("TOKEN=x\n")
    _, policy = _always_allow(_file("read_file", path="notes.md"), ws)
    assert [(r.pattern, r.risk) for r in policy.rules] == [("read_file", "read_only")]
    assert assess(_file("read_file", path="notes.md"), policy, ws).verdict == "auto"
    assert assess(_file("read_file", path=".env"), policy, ws).verdict == "ask"
    assert assess(_file("read_file", path="/etc/hostname"), policy, ws).verdict == "ask"
    forget_rule("read_file")
    _, policy = _always_allow(_file("write_file", path="new.md", content="x"), ws)
    assert assess(_file("write_file", path="other.md", content="y"), policy, ws).verdict == "auto"
    outside = _file("write_file", path="../outside.md", content="y")
    assert assess(outside, policy, ws).verdict == "ask"


def test_a_rule_file_without_classes_is_read_only(ws: Path) -> None:
    path = rules_file()
    path.parent.mkdir(parents=True)
    path.write_text(
        "[[rule]]\nkind = 'allow'\npattern = 'sort'\n"
        "[[rule]]\nkind = 'allow'\npattern = 'rm -rf build'\n"
        "[[rule]]\nkind = 'allow'\npattern = 'npm run *'\n"
    )
    rules = load_saved_rules()
    assert [r.risk for r in rules] == ["read_only"] * 3
    policy = Policy("ask", rules=tuple(rules))
    assert assess(_shell("sort notes.md"), policy, ws).verdict == "auto"
    for now_asks in ("sort -o /etc/passwd notes.md", "sort -o x notes.md", "rm -rf build"):
        assert assess(_shell(now_asks), policy, ws).verdict == "ask", now_asks
    assert assess(_shell("npm run build"), policy, ws).verdict == "ask"  # unknown


def test_hand_written_rules_approve_no_more_than_their_own_words(ws: Path) -> None:
    rules = rules_from_lists(allow=["sort", "sed", "tar", "find .", "rm x"], ask=[], deny=[])
    policy = Policy("ask", rules=tuple(rules))
    for fine in ("sort notes.md", "sed -n 1p notes.md", "find . -name x", "rm x"):
        assert assess(_shell(fine), policy, ws).verdict == "auto", fine
    for riskier in (
        "sort -o /etc/passwd notes.md",
        "sed -i s/a/b/ /etc/hosts",
        "tar -xf a.tar -C /",
        "find . -delete",
        "find . -exec rm {} ;",
        "rm x ~",  # `rm x` is destructive: only those words, exactly
        "rm x /etc/passwd",
    ):
        assert assess(_shell(riskier), policy, ws).verdict == "ask", riskier


def test_deny_and_ask_rules_still_match_by_prefix(ws: Path) -> None:
    rules = rules_from_lists(allow=["git"], ask=["git push"], deny=["git push -f"])
    policy = Policy("workspace", rules=tuple(rules))
    assert assess(_shell("git push -f origin main"), policy, ws).verdict == "deny"
    assert assess(_shell("git push origin"), policy, ws).verdict == "ask"
    assert assess(_shell("git status"), policy, ws).verdict == "auto"


def test_rules_toml_round_trip(ws: Path) -> None:
    save_rule("allow", "sort", risk="read_only")
    save_rule("allow", "printf 'a\\tb\x01'", risk="sensitive_read", match="exact")
    save_rule("allow", "sort", risk="read_only")  # the same rule twice is kept once
    save_rule("allow", "sort", risk="workspace_write")  # a wider class is a new rule
    rules = load_saved_rules()
    assert [(r.pattern, r.risk, r.match) for r in rules] == [
        ("sort", "read_only", "prefix"),
        ("printf 'a\\tb\x01'", "sensitive_read", "exact"),
        ("sort", "workspace_write", "prefix"),
    ]
    assert forget_rule("sort") == 2
    [kept] = load_saved_rules()
    assert (kept.pattern, kept.risk, kept.match, kept.glob) == (
        "printf 'a\\tb\x01'",
        "sensitive_read",
        "exact",
        False,
    )
    assert "exactly, up to sensitive_read" in kept.label()


@pytest.mark.parametrize(
    "bad",
    ["risk = 'everything'", "risk = ['read_only']", "match = 'glob'", "glob = 'yes'"],
)
def test_a_damaged_rule_is_an_error_not_a_wider_rule(bad: str) -> None:
    path = rules_file()
    path.parent.mkdir(parents=True)
    path.write_text(f"[[rule]]\nkind = 'allow'\npattern = 'sort'\n{bad}\n")
    with pytest.raises(ConfigError):
        load_saved_rules()
