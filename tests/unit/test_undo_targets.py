"""Shell write targets expanded as bash would, before the undo snapshot: a superset of
what bash can name, whatever shell options the command sets."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lamtui.actions.undo.targets import expand_braces, expand_target, glob_options_may_change
from lamtui.safety.risk import classify_command


def _touch(ws: Path, *names: str) -> None:
    for name in names:
        path = ws / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def _bash_names(ws: Path, word: str, options: str = "") -> set[str]:
    """What bash itself expands `word` to (unquoted), one name per line."""
    script = f"{options}\nfor f in {word}; do printf '%s\\n' \"$f\"; done"
    out = subprocess.run(["bash", "-c", script], cwd=ws, capture_output=True, text=True)
    return {
        str(ws / line) if not line.startswith("/") else line
        for line in out.stdout.split("\n")
        if line
    }


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("a{b,c}d", ["abd", "acd"]),
        ("{a,b{c,d}}e", ["ae", "bce", "bde"]),
        ("x{1..3}", ["x1", "x2", "x3"]),
        ("{01..03}", ["01", "02", "03"]),
        ("{3..1}", ["3", "2", "1"]),
        ("{1..7..3}", ["1", "4", "7"]),
        ("{a..e..2}", ["a", "c", "e"]),
        ("{-1..1}", ["-1", "0", "1"]),
        ("{a}", ["{a}"]),
        ("a{b", ["a{b"]),
        ("{}", ["{}"]),
        ("{a,b}{1,2}", ["a1", "a2", "b1", "b2"]),
    ],
)
def test_brace_expansion_matches_bash(word: str, expected: list[str]) -> None:
    assert expand_braces(word) == expected
    out = subprocess.run(["bash", "-c", f"printf '%s\\n' {word}"], capture_output=True, text=True)
    assert out.stdout.split() == expected


@pytest.mark.parametrize(
    ("word", "options"),
    [
        ("src/*.py", ""),
        ("src/[ab].py", ""),
        ("src/[!a].py", ""),
        ("src/[^a].py", ""),
        ("src/[[:upper:]]*", ""),
        ("*/*.py", ""),
        ("src/?.py", ""),
        ("src/*.py", "shopt -s dotglob"),
        ("src/*.py", "shopt -s nocaseglob"),
        ("src/**/*.py", "shopt -s globstar"),
        ("**", "shopt -s globstar"),
        ("src/@(a|b).py", "shopt -s extglob"),
        ("src/!(a).py", "shopt -s extglob"),
        ("src/{a,b}.py", ""),
        (".*", "shopt -u globskipdots"),
    ],
)
def test_globs_cover_what_bash_names(tmp_path: Path, word: str, options: str) -> None:
    ws = tmp_path / "ws"
    _touch(ws, "src/a.py", "src/b.py", "src/B.PY", "src/.hidden.py", "src/deep/x/c.py",
           "top.py", ".dot")  # fmt: skip
    names = _bash_names(ws, word, options)
    names.discard(str(ws / word))  # nothing matched: bash keeps the word (so do we)
    # Loose whenever options change; with bash's defaults the strict expansion must do.
    for loose in (True, False) if not options.startswith("shopt -s") else (True,):
        paths = expand_target(word, str(ws), loose=loose).paths
        assert paths[0] == str(ws / word)  # the word itself is always kept
        resolved = {str(Path(p).resolve()) for p in paths}
        missing = {n for n in names if str(Path(n).resolve()) not in resolved}
        assert not missing, (word, options, loose, missing)


def test_strict_expansion_leaves_dot_files_and_case_alone(tmp_path: Path) -> None:
    _touch(tmp_path, "a.txt", "A.TXT", ".git/HEAD", "d/e/f.txt")
    strict = expand_target("*", str(tmp_path), loose=False).paths
    assert sorted(strict) == sorted(str(tmp_path / n) for n in ("*", "a.txt", "A.TXT", "d"))
    assert str(tmp_path / "A.TXT") not in expand_target("*.txt", str(tmp_path), loose=False).paths
    assert str(tmp_path / ".git") in expand_target("*", str(tmp_path)).paths
    deep = expand_target("**/*.txt", str(tmp_path), loose=False).paths
    assert str(tmp_path / "d/e/f.txt") not in deep  # `**` is `*` without globstar
    assert str(tmp_path / "d/e/f.txt") in expand_target("**/*.txt", str(tmp_path)).paths


@pytest.mark.parametrize(
    ("command", "may_change"),
    [
        ("sed -i s/a/b/ *", False),
        ("x=1; sed -i s/a/b/ *.py", False),
        ("sort x > out.txt", False),
        ("shopt -s dotglob; sed -i s/a/b/ *", True),
        ("eval 'sh''opt -s dotglob'; sed -i s/a/b/ *", True),
        ("$'\\x73hopt' -s nocaseglob; sed -i s/a/b/ *", True),
        ("GLOBIGNORE=x; sed -i s/a/b/ *", True),
        ("declare GLOB''IGNORE=x; sed -i s/a/b/ *", True),
        ("printf -v GLOBIGNORE x; sed -i s/a/b/ *", True),
        ("bash -O dotglob -c 'sed -i s/a/b/ *'", True),
        ('v=GLOB; w=IGNORE; declare "$v$w=x"; sed -i s/a/b/ *', True),  # not understood
        ("trap 'shopt -s dotglob' DEBUG; sed -i s/a/b/ *", True),
    ],
)
def test_glob_options_may_change(tmp_path: Path, command: str, may_change: bool) -> None:
    segments = classify_command(command, tmp_path).to_dict()["segments"]
    assert glob_options_may_change(segments) is may_change


def test_glob_options_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    segments = classify_command("sed -i s/a/b/ *", tmp_path).to_dict()["segments"]
    monkeypatch.setenv("BASH_ENV", str(tmp_path / "rc"))
    assert glob_options_may_change(segments)


def test_an_absolute_glob_outside_the_workspace(tmp_path: Path) -> None:
    _touch(tmp_path, "other/a.log", "other/b.log")
    paths = expand_target(f"{tmp_path}/other/*.log", str(tmp_path / "ws")).paths
    assert set(paths) >= {f"{tmp_path}/other/a.log", f"{tmp_path}/other/b.log"}


def test_the_workspace_path_itself_is_not_expanded(tmp_path: Path) -> None:
    ws = tmp_path / "proj{1,2}$x"
    _touch(ws, "a.py")
    _touch(tmp_path, "proj1/a.py")
    found = expand_target(f"{ws}/*.py", str(ws))
    assert found.problem == "" and found.paths == [f"{ws}/*.py", f"{ws}/a.py"]


@pytest.mark.parametrize("word", ["$f", "out/$(date)", "`x`", "{}", "./{}", "<input>"])
def test_a_word_that_cannot_be_placed_is_a_problem(tmp_path: Path, word: str) -> None:
    assert expand_target(word, str(tmp_path)).problem


def test_limits(tmp_path: Path) -> None:
    _touch(tmp_path, *(f"{i}.txt" for i in range(20)))
    assert expand_target("*.txt", str(tmp_path), limit=10).problem == "names more than 10 files"
    assert not expand_target("*.txt", str(tmp_path), limit=30).problem
    assert expand_target("{1..100000}", str(tmp_path)).problem
