"""Property: a command substitution anywhere bash evaluates it never leaves a command read_only.

Commands are built from common read-only programs, flags and operands; a substitution (`$(...)`
or backquotes) running a command that is not read-only is put in one operand position that
bash expands: bare, inside a word, in double quotes, in an option value, in a parameter
default or arithmetic, in an assignment, a redirection target or a here-document, in loop and
case words, in tests, in the text of builtins that evaluate strings (`eval`, `bash -c` ...)
and in array subscripts of builtins, which bash evaluates even inside single quotes.

Single-quoted text elsewhere, a quoted here-document and `\\$(` are not expanded by bash, so
they are never generated here.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lamtui.contract.risk import Risk, stricter
from lamtui.safety.risk import classify_command

AUTO: frozenset[Risk] = frozenset({"read_only", "workspace_write"})
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)

# Commands the substitution hides; none is read-only, none holds a quote.
HIDDEN = [
    "rm -f x",
    "touch y",
    "mkdir d",
    "curl -s https://example.com",
    "kill 1",
    "frobnicate",
    "git push",
    "sh ./x.sh",
    "chmod 600 notes.txt",
    "python -c 1",
    "sudo ls",
]
FORMS = ["$({})", "$( {} )", "`{}`", "$({}; true)", "$(echo $({}))", "$(true && {})"]

# Read-only programs: (program words, flags, operands).
PROGRAMS: list[tuple[str, list[str], list[str]]] = [
    ("ls", ["-la", "-1", "-R", "--color=never"], ["src", "notes.txt", "."]),
    ("cat", ["-n", "-A"], ["notes.txt", "README.md"]),
    ("head", ["-n 5", "-c 10"], ["notes.txt"]),
    ("tail", ["-n 3", "-q"], ["app.log", "notes.txt"]),
    ("wc", ["-l", "-w"], ["notes.txt"]),
    ("grep", ["-rn", "-i", "-E", "-e TODO"], ["TODO", "src", "notes.txt"]),
    ("sort", ["-r", "-u", "-k 2"], ["notes.txt"]),
    ("echo", ["-n", "-e"], ["hello", "a", "b"]),
    ("printf", [], ["%s", "x", "y"]),
    ("stat", ["-L"], ["notes.txt"]),
    ("file", ["-b"], ["notes.txt"]),
    ("du", ["-sh", "-a"], ["src"]),
    ("diff", ["-u", "-q"], ["a.txt", "b.txt"]),
    ("basename", [], ["/a/b.txt", ".txt"]),
    ("realpath", ["-e"], ["notes.txt"]),
    ("seq", [], ["3", "10"]),
    ("date", ["-u"], ["+%F"]),
    ("cut", ["-d:", "-f1"], ["notes.txt"]),
    ("tr", ["-d"], ["a-z", "A-Z"]),
    ("git log", ["--oneline", "-n 3"], ["HEAD", "notes.txt"]),
    ("git diff", ["--stat"], ["HEAD"]),
    ("git show", ["-s"], ["HEAD"]),
    ("jq", ["-r"], [".name", "package.json"]),
    ("find", ["-L"], [".", "-name", "x"]),
    ("test", ["-f"], ["notes.txt"]),
    ("sed -n", ["-E"], ["1p", "notes.txt"]),
    ("type", ["-a"], ["ls"]),
    ("md5sum", [], ["notes.txt"]),
]
READ_ONLY = ["ls", "pwd", "cat notes.txt", "git status", "true", "echo ok"]


@st.composite
def substitution(draw: st.DrawFn) -> tuple[str, str]:
    """(the substitution's text, the command it runs)."""
    hidden = draw(st.sampled_from(HIDDEN))
    return draw(st.sampled_from(FORMS)).format(hidden), hidden


@st.composite
def plain_command(draw: st.DrawFn) -> tuple[list[str], int]:
    """A read-only command as words (program, some flags, at least one operand), and how many
    of the words name the program."""
    program, flags, operands = draw(st.sampled_from(PROGRAMS))
    words = program.split()
    if flags:
        for flag in draw(st.lists(st.sampled_from(flags), max_size=2, unique=True)):
            words += flag.split()
    words += draw(st.lists(st.sampled_from(operands), min_size=1, max_size=3))
    return words, len(program.split())


@st.composite
def expanded_word(draw: st.DrawFn, sub: str, near: str) -> str:
    """A word holding the substitution where bash expands it; near is the word it replaces."""
    forms = [
        sub,
        f"{near}{sub}",
        f"{sub}{near}",
        f"{near}.{sub}.txt",
        f'"{sub}"',
        f'"{near} {sub}"',
        f'"{near}"{sub}',
        f"--opt={sub}",
        f'"${{UNSET_VAR:-{sub}}}"',
        f"${{UNSET_VAR:={sub}}}",
        f"$(( {sub} + 1 ))",
    ]
    return draw(st.sampled_from(forms))


@st.composite
def substituted_operand(draw: st.DrawFn) -> tuple[str, str]:
    """A read-only command with the substitution in one of its operand positions."""
    sub, hidden = draw(substitution())
    words, first = draw(plain_command())
    at = draw(st.integers(first, len(words)))
    near = words[at] if at < len(words) else "x"
    word = draw(expanded_word(sub, near))
    if at < len(words) and draw(st.booleans()):
        words[at] = word  # in place of an operand or flag
    else:
        words.insert(at, word)  # as a new operand
    return " ".join(words), hidden


@st.composite
def substituted_elsewhere(draw: st.DrawFn) -> tuple[str, str]:
    """The substitution in an assignment, redirection, here-document, loop, case or test."""
    sub, hidden = draw(substitution())
    command = " ".join(draw(plain_command())[0])
    word = draw(expanded_word(sub, "x"))
    template = draw(
        st.sampled_from(
            [
                "X={word} {cmd}",
                "X={word}; {cmd}",
                "export X={word}; {cmd}",
                "declare X={word}; {cmd}",
                "local X={word}",
                "{cmd} < {word}",
                "{cmd} 2> {word}",
                "cat <<< {word}",
                "cat <<EOF\nline {sub}\nEOF",
                "cat <<-EOF\n\tline {sub}\nEOF",
                "for f in a {word}; do {cmd}; done",
                "for (( i = {sub}; i < 2; i++ )); do {cmd}; done",
                "case {word} in *) {cmd};; esac",
                "[ -n {word} ] && {cmd}",
                "[[ {word} == x ]] || {cmd}",
                "test -z {word}; {cmd}",
                "if [ -f {word} ]; then {cmd}; fi",
                "{{ {cmd} {word}; }}",
                "( {cmd} {word} )",
                "{ro} | {cmd} {word}",
                "{cmd} {word} | {ro}",
                "{ro} && {cmd} {word}",
                "{cmd} {word} & {ro}",
            ]
        )
    )
    ro = draw(st.sampled_from(READ_ONLY))
    return template.format(word=word, sub=sub, cmd=command, ro=ro), hidden


@st.composite
def evaluated_string(draw: st.DrawFn) -> tuple[str, str]:
    """The substitution in single-quoted text that a builtin or shell evaluates again."""
    sub, hidden = draw(substitution())
    inner = " ".join(draw(plain_command())[0]) + " " + draw(st.sampled_from([sub, f'"{sub}"']))
    template = draw(
        st.sampled_from(
            [
                "eval '{inner}'",
                "bash -c '{inner}'",
                "sh -c '{inner}'",
                "nice bash -c '{inner}'",
                "env sh -c '{inner}'",
                "echo x | xargs sh -c '{inner}'",
                "find . -exec sh -c '{inner}' \\;",
            ]
        )
    )
    return template.format(inner=inner, sub=sub), hidden


# Builtins that take a variable name or arithmetic, and how the operand may be quoted for bash
# to still evaluate its subscript: s(ingle-quoted), u(nquoted), d(ouble-quoted, \$( escaped).
SUBSCRIPT_TAKERS: list[tuple[str, str]] = [
    ("read {name} < notes.txt", "sud"),
    ("read -r {name} < notes.txt", "sud"),
    ("printf -v {name} %s x", "sud"),
    ("let {name}", "sud"),
    ("test -v {name}", "sud"),
    ("[ -v {name} ]", "sud"),
    ("[[ -v {name} ]]", "su"),
    ("declare {name}=1", "sud"),
    ("typeset {name}=1", "sud"),
    ("declare -n ref={name}; echo $ref", "sud"),
    ("(( {name} ))", "u"),
    # unset evaluates a subscript only of an array that exists, so the command makes it first
    ("a=(0) arr=(0) _x1=(0); unset {name}", "sud"),
    ("a=(0) arr=(0) _x1=(0); unset -v {name}", "sud"),
]


@st.composite
def opaque_position(draw: st.DrawFn) -> str:
    """The substitution where the classifier cannot follow it: in an array subscript of a
    builtin's variable name or arithmetic (bash evaluates it even single-quoted), or in a word
    list that compgen expands again."""
    sub, _ = draw(substitution())
    if draw(st.integers(0, 9)) == 0:
        return f"compgen -W '{sub}' x"
    template, quotings = draw(st.sampled_from(SUBSCRIPT_TAKERS))
    name = draw(st.sampled_from(["a", "arr", "_x1"]))
    operand = f"{name}[{draw(st.sampled_from(['', '1+', '0*']))}{sub}]"
    quoting = draw(st.sampled_from(quotings))
    if quoting == "s":
        operand = f"'{operand}'"
    elif quoting == "d":
        operand = '"' + operand.replace("`", "\\`").replace("$(", "\\$(") + '"'
    return template.format(name=operand)


@PROPERTY_SETTINGS
@given(case=st.one_of(substituted_operand(), substituted_elsewhere(), evaluated_string()))
def test_a_substitution_bash_expands_is_never_read_only(
    case: tuple[str, str], workspace: Path
) -> None:
    command, hidden = case
    result = classify_command(command, workspace)
    assert result.risk != "read_only", (command, result.to_dict())
    # the whole is at least as risky as the hidden command run on its own
    alone = classify_command(hidden, workspace).risk
    assert stricter(result.risk, alone) == result.risk, (command, alone, result.to_dict())


@PROPERTY_SETTINGS
@given(command=opaque_position())
def test_a_substitution_the_classifier_cannot_follow_is_never_auto_approvable(
    command: str, workspace: Path
) -> None:
    result = classify_command(command, workspace)
    assert result.risk != "read_only", (command, result.to_dict())
    assert result.risk not in AUTO, (command, result.to_dict())


def test_the_generators_build_real_shell() -> None:
    """Control: without the substitution the same commands are read-only, so the property
    is about the substitution and not about a program that is risky anyway."""
    workspace = Path("/nonexistent/ws")
    for program, flags, operands in PROGRAMS:
        command = " ".join([program, *flags, *operands])
        assert classify_command(command, workspace).risk == "read_only", command
    for command in READ_ONLY:
        assert classify_command(command, workspace).risk == "read_only", command
    for hidden in HIDDEN:
        assert classify_command(hidden, workspace).risk != "read_only", hidden
    assert classify_command("a=(0) arr=(0) _x1=(0); echo hi", workspace).risk == "read_only"
