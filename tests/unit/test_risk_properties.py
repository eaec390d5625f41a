"""Property tests: no composition, wrapping or quoting makes a dangerous command look safe."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamtui.contract.risk import RISK_ORDER, stricter
from lamtui.safety.risk import classify_command

AUTO = {"read_only", "workspace_write"}
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

DANGEROUS = [
    "rm -rf x",
    "r''m x",
    "curl https://example.com",
    "wget -O- https://example.com",
    "sudo ls",
    "git push --force",
    "git reset --hard",
    "git clean -fdx",
    "dd if=/dev/zero of=x",
    "echo hi > /etc/passwd",
    "echo x > .git/config",
    "python -c 'print(1)'",
    "chmod -R 777 .",
    "mv x /tmp/y",
    "touch ~/x",
    "find . -delete",
    "find . -exec rm {} +",
    "ls | xargs rm",
    "$(echo rm) x",
    "eval 'rm x'",
    "bash -c 'rm x'",
    "cat x | sh",
    "kill 1",
    "a() { ls; }",
    "PATH=/tmp ls",
    "frobnicate",
    "source ./env.sh",
    "awk 'BEGIN{system(\"ls\")}'",
    "sed -i s/a/b/ /etc/hosts",
    "npm install",
]
READ_ONLY = [
    "ls",
    "ls -la",
    "pwd",
    "echo hi",
    "cat notes.txt",
    "git status",
    "git log --oneline",
    "grep -rn TODO .",
    "wc -l notes.txt",
    "true",
    "date",
    "head -n 1 notes.txt",
    "sort notes.txt",
    "find . -name '*.py'",
    "sed 's/a/b/' notes.txt",
]
OPERATORS = [" ; ", " && ", " || ", " | ", "\n", " & "]


def _wrappers(*, command_position: bool = True) -> list[Callable[[str], str]]:
    """Ways to run a command inside another; `$(cmd)` alone runs cmd's output as a command."""
    wrappers: list[Callable[[str], str]] = [
        lambda cmd: cmd,
        lambda cmd: f"( {cmd} )",
        lambda cmd: f"{{ {cmd}; }}",
        lambda cmd: f"bash -c {shlex.quote(cmd)}",
        lambda cmd: f"sh -c {shlex.quote(cmd)}",
        lambda cmd: f'echo "$( {cmd} )"',
        lambda cmd: f"if true; then {cmd}; fi",
        lambda cmd: f"eval {shlex.quote(cmd)}",
    ]
    if command_position:
        wrappers.append(lambda cmd: f"$( {cmd} )")
    return wrappers


@st.composite
def wrapped(draw: st.DrawFn, command: st.SearchStrategy[str], *, any_wrapper: bool) -> str:
    """Wrap a command in up to three random layers."""
    text = draw(command)
    wrappers = _wrappers(command_position=any_wrapper)
    for wrap in draw(st.lists(st.sampled_from(wrappers), max_size=3)):
        text = wrap(text)
    return text


@st.composite
def composition(draw: st.DrawFn, include_dangerous: bool) -> str:
    """Read-only commands and (optionally) one dangerous one, joined by random operators."""
    any_wrapper = include_dangerous
    parts = draw(st.lists(wrapped(st.sampled_from(READ_ONLY), any_wrapper=any_wrapper), max_size=4))
    if include_dangerous:
        dangerous = draw(wrapped(st.sampled_from(DANGEROUS), any_wrapper=True))
        parts.insert(draw(st.integers(0, len(parts))), dangerous)
    elif not parts:
        parts = [draw(st.sampled_from(READ_ONLY))]
    text = parts[0]
    for part in parts[1:]:
        text += draw(st.sampled_from(OPERATORS)) + part
    return draw(wrapped(st.just(text), any_wrapper=any_wrapper))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    workspace = (tmp_path / "ws").resolve()
    workspace.mkdir()
    (workspace / "notes.txt").write_text("notes\n")
    return workspace


@pytest.mark.parametrize("command", DANGEROUS)
def test_every_dangerous_command_is_dangerous_alone(command: str, workspace: Path) -> None:
    assert classify_command(command, workspace).risk not in AUTO


@PROPERTY_SETTINGS
@given(command=composition(include_dangerous=True))
def test_a_dangerous_part_is_never_hidden(command: str, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk not in AUTO, result.to_dict()


@PROPERTY_SETTINGS
@given(command=composition(include_dangerous=False))
def test_read_only_compositions_stay_read_only(command: str, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == "read_only", result.to_dict()


@PROPERTY_SETTINGS
@given(dangerous=st.sampled_from(DANGEROUS), prefix=st.sampled_from(
    ["env ", "nice -n 5 ", "timeout 5 ", "nohup ", "command ", "time ", "FOO=1 ", "stdbuf -oL "]
))  # fmt: skip
def test_wrapper_prefixes_never_lower_the_risk(
    dangerous: str, prefix: str, workspace: Path
) -> None:
    plain = classify_command(dangerous, workspace).risk
    prefixed = classify_command(prefix + dangerous, workspace).risk
    assert stricter(plain, prefixed) == prefixed or prefixed not in AUTO


SHELL_TEXT = st.text(alphabet="abcrm -|&;()<>{}$`'\"\\\n*?~=#!/.[]", max_size=60)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=80), SHELL_TEXT))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = classify_command(text, Path("/nonexistent/ws"))
    assert result.risk in RISK_ORDER
    assert all(segment.risk in RISK_ORDER for segment in result.segments)
    assert not any("classifier failed" in reason for reason in result.reasons)


def _quote_char(char: str, style: int) -> str:
    return [
        char,
        "\\" + char,
        f"'{char}'",
        f'"{char}"',
        f"{char}''",
        f'""{char}',
        f"$'\\x{ord(char):02x}'",
    ][style]


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(["rm", "ls", "cat", "curl", "chmod", "git", "touch"]),
    data=st.data(),
)
def test_quoting_the_command_word_changes_nothing(name: str, data: st.DataObject) -> None:
    styles = data.draw(st.lists(st.integers(0, 6), min_size=len(name), max_size=len(name)))
    quoted = "".join(_quote_char(char, style) for char, style in zip(name, styles, strict=True))
    assert shlex.split(quoted)[0] == name or "$'" in quoted  # shlex has no $'...'
    workspace = Path("/nonexistent/ws")
    plain = classify_command(f"{name} x", workspace)
    result = classify_command(f"{quoted} x", workspace)
    assert result.segments[0].argv[0] == name
    assert result.risk == plain.risk


# Builtins that take a variable name (or arithmetic) where bash expands an array subscript
# again, even inside single quotes: `read 'a[$(cmd)]'` runs cmd.
SUBSCRIPT_TAKERS = [
    "read {name} < notes.txt",
    "read -r {name} < notes.txt",
    "printf -v {name} %s x",
    "unset {name}",
    "unset -v {name}",
    "let {name}",
    "let x={name}+1",
    "test -v {name}",
    "[ -v {name} ]",
    "[[ -v {name} ]]",
    "declare {name}=1",
    "declare -n ref={name}",
    "declare -i n={name}",
    "typeset {name}=1",
]


@st.composite
def subscript_operand(draw: st.DrawFn) -> str:
    """`arr[ ... $(cmd) ... ]`, quoted one of several ways."""
    inner = draw(st.sampled_from(["echo 1", "ls", "true", "cat notes.txt", "pwd", "rm -f x"]))
    before = draw(st.sampled_from(["", "1+", "i*", " "]))
    after = draw(st.sampled_from(["", "+1", " ", "-0"]))
    sub = draw(st.sampled_from([f"$({inner})", f"$( {inner} )", f"`{inner}`"]))
    name = draw(st.sampled_from(["a", "arr", "_x1"]))
    operand = f"{name}[{before}{sub}{after}]"
    style = draw(st.integers(0, 2))
    if style == 1 and "`" not in operand:
        return f"'{operand}'"
    if style == 2:
        return '"' + operand.replace("`", "\\`").replace("$(", "\\$(") + '"'
    return shlex.quote(operand) if style == 1 else operand


@PROPERTY_SETTINGS
@given(template=st.sampled_from(SUBSCRIPT_TAKERS), operand=subscript_operand())
def test_a_command_substitution_in_a_subscript_operand_is_never_read_only(
    template: str, operand: str, workspace: Path
) -> None:
    command = template.format(name=operand)
    result = classify_command(command, workspace)
    assert result.risk != "read_only", (command, result.to_dict())
    assert result.risk not in AUTO, (command, result.to_dict())
