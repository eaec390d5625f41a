"""Secrets: reading credentials or the environment is sensitive_read, whatever the command."""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import os
import re
from pathlib import Path

from lamtui.safety.shell.accumulator import Acc, short
from lamtui.safety.shell.options import given, is_cluster, operands_in
from lamtui.safety.shell.parser import Simple
from lamtui.safety.shell.targets import BRACE, PROC_VIEW, is_within, lit
from lamtui.safety.shell.tokens import Word

# Credential stores under a home directory, as path components. They are matched anywhere in a
# path (`/home/bob/.ssh/id_rsa`, `$HOME/.aws/credentials`, `.ssh/id_rsa` under an unknown cwd).
_SECRET_LOCATIONS: tuple[tuple[str, ...], ...] = (
    (".ssh",), (".gnupg",), (".aws",), (".netrc",), (".git-credentials",), (".pgpass",),
    (".docker", "config.json"), (".kube", "config"), (".config", "gh", "hosts.yml"),
    (".password-store",), (".vault-token",), (".bash_history",), (".zsh_history",),
)  # fmt: skip
# File names that hold keys or secrets wherever they are.
_SECRET_NAMES: tuple[str, ...] = (
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "*.pem", "*.key", "*.p12", "*.pfx",
    ".env", ".env.*", "ssh_host_*key",
)  # fmt: skip
# Names that a pattern must not be able to match (`*.pe?`, `id_*`, `$name.key`).
_SECRET_SAMPLES: tuple[str, ...] = (
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "server.pem", "server.key", "cert.p12",
    "cert.pfx", ".env", ".env.local", "ssh_host_rsa_key",
)  # fmt: skip
_SECRET_SYSTEM_FILES: tuple[str, ...] = (
    "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers",
    "/etc/sudoers.d", "/etc/security/opasswd",
)  # fmt: skip
_PROC_ENVIRON = re.compile(r"/proc/[^/]+(?:/task/[^/]+)?/environ")
_PROC_PROCESS = re.compile(r"/proc/[^/]+(?:/task(?:/[^/]+)?)?")
_HOME_DIR = re.compile(r"/root|/home/[^/]+|/Users/[^/]+")
_HOME_PREFIX = re.compile(r"\$HOME(?=/|$)|\$\{HOME\}(?=/|$)")
_EXPANSION_TEXT = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_][A-Za-z0-9_]*|\$.")
_ANY = "\x01"  # stands for an expansion: any text, a leading dot included
_MAX_ALTERNATIVES = 64


def _environment_key() -> tuple[str | None, ...]:
    """What the home folder and lamtui's folders are computed from."""
    names = ("HOME", "LAMTUI_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")
    return tuple(os.environ.get(name) for name in names)


def _home() -> str:
    return _places(_environment_key())[0]


def _lamtui_dirs() -> tuple[str, ...]:
    """lamtui's own config and data (secret names and values, memory, logs, trajectories)."""
    return _places(_environment_key())[1]


@functools.lru_cache(maxsize=8)
def _places(key: tuple[str | None, ...]) -> tuple[str, tuple[str, ...]]:
    """(home, lamtui's folders), resolved once per environment: a long command checks
    thousands of words against them."""
    from lamtui.paths import get_paths  # here: the classifier must not need it to import

    paths = get_paths()
    lamtui = tuple(os.path.realpath(path) for path in (paths.config_dir, paths.data_dir))
    return os.path.realpath(os.path.expanduser("~")), lamtui


def _secret_samples(home: str) -> list[str]:
    """Concrete secret paths a pattern or expansion is tried against."""
    samples = [os.path.join(home, *location, "x") for location in _SECRET_LOCATIONS]
    samples += [os.path.join(home, *location) for location in _SECRET_LOCATIONS]
    samples += [os.path.join(home, ".ssh", name) for name in _SECRET_SAMPLES]
    samples += [*_SECRET_SYSTEM_FILES, "/proc/self/environ", "/proc/1/environ"]
    samples += [os.path.join(directory, "x") for directory in _lamtui_dirs()]
    return samples


def _path_candidates(word: Word) -> list[str]:
    """The paths a word may name: itself, an option's attached value, each brace alternative."""
    value = word.value
    texts = [value]
    if value.startswith("--") and "=" in value:
        texts.append(value.partition("=")[2])
    elif is_cluster(value) and len(value) > 2:
        texts.append(value[2:])
    elif "=" in value:  # NAME=VALUE, dd if=FILE
        texts.append(value.partition("=")[2])
    out: list[str] = []
    for text in texts:
        out.extend(_brace_alternatives(text) if word.glob else [text])
    return out


def _brace_alternatives(text: str) -> list[str]:
    """Expand `{a,b}` (and nothing fancier) so each alternative is checked."""
    found: list[str] = []
    todo = [text]
    while todo and len(found) + len(todo) <= _MAX_ALTERNATIVES:
        item = todo.pop()
        match = BRACE.search(item)
        if match is None or "," not in match.group(1):
            found.append(item)
            continue
        for alternative in match.group(1).split(","):
            todo.append(item[: match.start()] + alternative + item[match.end() :])
    return found + todo


def _pattern_regex(text: str, glob: bool) -> re.Pattern[str]:
    """A regex for what a path with globs and expansions (marked _ANY) may turn into."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        at_start = i == 0 or text[i - 1] == "/"
        if char == _ANY:
            out.append(".*")
        elif glob and char in "*?[":
            if at_start:
                out.append(r"(?!\.)")  # a glob matches a leading dot only when it is written
            close = text.find("]", i + 2) if char == "[" else -1
            out.append("[^/]*" if char == "*" else "[^/]")
            i = close if close > 0 else i
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def _has_literal(text: str, glob: bool) -> bool:
    """Does the pattern pin down anything beyond slashes and dots?"""
    wild = "*?[]" if glob else ""
    return any(char.isalnum() or char in "_-~" for char in text if char not in wild + _ANY)


def _secret_reason(word: Word, cwd: str | None, *, home_ok: bool = False) -> str | None:
    """Why what the word names may hold secrets, or None."""
    for text in _path_candidates(word):
        if not text or "\x00" in text:
            continue
        reason = _secret_text_reason(text, word, cwd, home_ok)
        if reason:
            return reason
    return None


def _secret_text_reason(text: str, word: Word, cwd: str | None, home_ok: bool) -> str | None:
    home = _home()
    if text == "~" or text.startswith("~/"):
        text = home + text[1:]
    elif text.startswith("~"):
        text = os.path.expanduser(text)
    if word.expands:
        text = _HOME_PREFIX.sub(lambda _: home, text, count=1)
        text = _EXPANSION_TEXT.sub(_ANY, text)
    if not os.path.isabs(text) and cwd is not None:
        text = os.path.join(cwd, text)
    pattern = _ANY in text or (word.glob and bool(set(text) & set("*?[")))
    if pattern:
        return _secret_pattern_reason(text, word.glob, home)
    normal = os.path.normpath(text)
    candidates = [normal]
    if os.path.isabs(normal):
        with contextlib.suppress(OSError, ValueError):
            candidates.append(os.path.realpath(normal))  # a symlink to a key is the key
    key = _environment_key()
    for path in candidates:
        reason = _secret_path_reason(path, home, home_ok, key)
        if reason:
            return reason
    return None


@functools.lru_cache(maxsize=4096)
def _secret_path_reason(
    path: str, home: str, home_ok: bool, key: tuple[str | None, ...]
) -> str | None:
    """Why path holds secrets (a pure function of its arguments; key is the environment
    lamtui's folders are computed from, so a change of it is a new entry)."""
    parts = path.split("/")
    for location in _SECRET_LOCATIONS:
        for i in range(len(parts) - len(location) + 1):
            if tuple(parts[i : i + len(location)]) == location:
                return f"{'/'.join(location)} holds credentials"
    name = parts[-1]
    if any(fnmatch.fnmatchcase(name, secret) for secret in _SECRET_NAMES):
        return f"files named {name} hold keys or secrets"
    if any(is_within(path, system) for system in _SECRET_SYSTEM_FILES):
        return f"{path} holds password hashes or sudo rules"
    if _PROC_ENVIRON.fullmatch(path):
        return f"{path} holds a process's environment"
    if PROC_VIEW.fullmatch(path):
        return f"{path} shows a process's memory, files or folders, which can be anything"
    if not os.path.isabs(path):
        return None
    if path == home or _HOME_DIR.fullmatch(path):
        return None if home_ok else "a home directory holds credentials and private files"
    lamtui = _lamtui_dirs()
    if any(is_within(path, directory) for directory in lamtui):
        return "lamtui's own data holds secrets, memory and logs"
    if not home_ok and is_within(path, home):  # a folder of home that holds a credential store
        inside = [os.path.join(home, *location) for location in _SECRET_LOCATIONS]
        if any(is_within(held, path) for held in [*inside, *lamtui]):
            return f"{path} holds credential files or lamtui's data"
    return None


def _secret_pattern_reason(text: str, glob: bool, home: str) -> str | None:
    if not _has_literal(text, glob):
        return None  # `$f`, `*`: could be anything, as any operand could
    last = text.rsplit("/", 1)[-1]
    if _has_literal(last, glob):
        name_regex = _pattern_regex(last, glob)
        if any(name_regex.fullmatch(name) for name in _SECRET_SAMPLES):
            return f"{last} may name a file holding keys or secrets"
    while text.startswith("./"):
        text = text[2:]
    regex = _pattern_regex(text, glob).pattern
    full = re.compile(regex if os.path.isabs(text) else r"(?:.*/)?" + regex)
    for sample in _secret_samples(home):
        if full.fullmatch(sample):
            return f"{text.replace(_ANY, '$…')} may name {sample}, which holds secrets"
    return None


# Commands that never open their operands: naming the home folder is no read of it there.
_NAMES_ONLY = frozenset(
    {"cd", "pushd", "echo", "printf", "test", "[", "[[", "export", "declare", "local",
     "typeset", "readonly", "basename", "dirname", "realpath", "readlink"}
)  # fmt: skip


def secret_path_reason(path: str, cwd: Path | None = None) -> str | None:
    """Why reading path (a file tool's argument) may expose secrets, or None."""
    try:
        return _secret_reason(lit(path), os.path.realpath(cwd) if cwd else None)
    except Exception:  # fail closed, as classify_command does
        return "the path could not be checked for secrets"


# Commands that read every file under a folder operand, and the options that make them do so
# (None: they always do). Given a folder that holds a credential store, they read it.
_RECURSIVE_READERS: dict[str, tuple[str, ...] | None] = {
    "grep": ("-r", "-R", "--recursive", "--dereference-recursive", "-d", "--directories"),
    "egrep": ("-r", "-R", "--recursive", "--dereference-recursive", "-d", "--directories"),
    "fgrep": ("-r", "-R", "--recursive", "--dereference-recursive", "-d", "--directories"),
    "rg": None, "ag": None, "ack": None, "tar": None,
    "cp": ("-r", "-R", "-a", "--recursive", "--archive"),
    "rsync": ("-r", "-a", "--recursive", "--archive"),
    "zip": ("-r", "-R", "--recurse-paths", "--recurse-patterns"),
    "diff": ("-r", "--recursive"),
}  # fmt: skip
_PATTERN_FIRST = frozenset({"grep", "egrep", "fgrep", "rg", "ag", "ack"})
_FIND_READS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


def _holds_secrets(path: str, home: str) -> bool:
    """Is path a folder above a credential store, lamtui's data, another home or /proc?"""
    if path in ("/", "/home", "/Users", "/proc") or _HOME_DIR.fullmatch(path):
        return True
    if _PROC_PROCESS.fullmatch(path):  # a process's folder holds its environ
        return True
    anchors = [os.path.join(home, *location) for location in _SECRET_LOCATIONS]
    anchors += [*_lamtui_dirs(), *_SECRET_SYSTEM_FILES]
    return any(is_within(anchor, path) for anchor in anchors)


def _swept_root(word: Word, cwd: str | None) -> str | None:
    """The folder a recursive read of word starts from, as far as it can be told."""
    home = _home()
    text = word.value
    if text == "~" or text.startswith("~/"):
        text = home + text[1:]
    elif word.tilde:
        text = os.path.expanduser(text)
    if word.expands:
        text = _HOME_PREFIX.sub(lambda _: home, text, count=1)
        if _EXPANSION_TEXT.search(text):
            return None  # could be anything, as any operand could
    if word.glob:  # the literal folder the pattern lists
        text = re.split(r"[*?\[{]", text, maxsplit=1)[0].rpartition("/")[0] or "/"
    if not os.path.isabs(text):
        if cwd is None:
            return None
        text = os.path.join(cwd, text)
    with contextlib.suppress(OSError, ValueError):
        return os.path.realpath(text)
    return os.path.normpath(text)


def _recursive_roots(acc: Acc) -> list[Word]:
    """The folder operands a recursive reader (grep -r, cp -a, tar, find -exec ...) reads."""
    name, args = (acc.words[0].value, acc.words[1:]) if acc.words else ("", [])
    if name == "find":
        if not _FIND_READS & {word.value for word in args}:
            return []
        return [w for w in args if not w.value.startswith(("-", "(", "!"))][:1] or [lit(".")]
    if name not in _RECURSIVE_READERS:
        return []
    options = _RECURSIVE_READERS[name]
    if options is not None and not given(args, *options):
        return []
    operands = operands_in(args)
    if name in _PATTERN_FIRST and not given(args, "-e", "-f", "--regexp", "--file"):
        operands = operands[1:]
    if name in _PATTERN_FIRST and not operands:
        return [lit(".")]  # searches the current folder
    return operands


def secret_reads(acc: Acc, cmd: Simple) -> None:
    """Flag any word or input redirection that names a credential store, a key, the home folder
    itself or lamtui's own data, whatever the command: cat, base64, cp, tar, grep -r ..."""
    names_only = bool(acc.argv) and acc.argv[0] in _NAMES_ONLY
    checks = [(word, True) for word in cmd.assigns]
    checks += [(word, names_only) for word in cmd.words[1:]]
    checks += [(r.target, False) for r in cmd.redirs if r.target and r.op in ("<", "<>")]
    for word, home_ok in checks:
        reason = _secret_reason(word, acc.cwd, home_ok=home_ok)
        if reason:
            acc.flag("sensitive_read", f"reads {short(word.value, 50)}: {reason}")
    home = _home()
    for word in _recursive_roots(acc):
        root = _swept_root(word, acc.cwd)
        if root is not None and _holds_secrets(root, home):
            acc.flag("sensitive_read", f"reads every file under {short(word.value, 50)}, which "
                                       "holds credential stores or lamtui's data")  # fmt: skip


def flag_secret_path(acc: Acc, path: str, what: str) -> None:
    """A program's own text names a file it reads (sed `r FILE`, awk `getline < FILE`)."""
    reason = _secret_reason(lit(path), acc.cwd)
    if reason:
        acc.flag("sensitive_read", f"{what} {short(path, 50)}: {reason}")
