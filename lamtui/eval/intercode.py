"""InterCode-Bash (NL2Bash subset): 200 requests with gold bash commands over small fixtures.

The benchmark runs in a container with its fixtures at the file system root (/testbed,
/system, ...). Here each task gets a sandbox directory instead: the fixture is extracted
into it and every absolute fixture root in the query and the gold command is rewritten to
live under it. Tasks whose gold command cannot run in such a sandbox (missing program,
network, root, writes outside the sandbox, output that no second run can reproduce) are
marked skipped at load, with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import tarfile
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from lamtui.errors import LamtuiError
from lamtui.eval.scoring import three_part_score
from lamtui.eval.suite import EvalTask, Evidence, Verdict

SPLITS = ("fs_1", "fs_2", "fs_3", "fs_4")
FIXTURES = {"fs_1": "fs_1.tar.gz", "fs_2": "fs_2.tar.gz", "fs_3": "fs_3.tar.gz"}
FIXTURE_ROOTS = ("testbed", "system", "workspace", "backup", "index.html")

# A fixture root only where it starts a path: not after a word character, '/', '.', '~',
# '-' or a shell expansion ("/foo/system", "http://x/system", "~/system"), and not when
# the name goes on ("/testbedx", "/backup1.tar"; a sentence's final '.' is fine).
_ROOT_RE = re.compile(
    r"(?<![\w/.~$}-])/(" + "|".join(re.escape(r) for r in FIXTURE_ROOTS) + r")(?![\w-]|\.\w)"
)
# Roots a gold command can use unquoted; anything else would need quoting we cannot add.
_SAFE_ROOT = re.compile(r"[\w./+@%,:=-]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NETWORK = _words(
    "dig host nslookup ping ping6 curl wget ssh scp sftp ftp telnet nc ncat netcat whois "
    "traceroute tracepath mtr rsync lynx links w3m"
)
NEEDS_ROOT = _words("sudo su doas")
BUILTINS = _words(
    "alias bg bind break builtin caller cd command compgen complete continue declare dirs "
    "disown echo enable eval exec exit export false fc fg getopts hash help history jobs "
    "kill let local logout mapfile popd printf pushd pwd read readarray readonly return "
    "set shift shopt source suspend test times trap true type typeset ulimit umask unalias "
    "unset wait . : [ [[ ]] { } ! if then else elif fi for while until do done case esac "
    "in function time select"
)
_WRAPPERS = _words("nohup nice time command exec")  # they run the next word
_SEPARATORS = _words("| || & && ; ;; ( ) $( <( >( |&")
_REDIRECTS = _words("< > >> >& &> <& <<< << >| 2> 2>>")
_XARGS_ARG_OPTIONS = _words("-I -n -P -d -E -L -s -a")
_FIND_EXEC = _words("-exec -execdir -ok -okdir")

# Gold commands that pass the automatic checks but still cannot be judged in a sandbox
# here; found by running every gold command twice in twin sandboxes (see the tests).
_OUTSIDE = "writes outside the sandbox"
_PATH_IN_RESULT = "embeds the sandbox path in {} (twin sandboxes sit at different paths)"
_FIXTURE_LIST = "reads absolute paths listed in {} (fixture content, which is not rewritten)"
CURATED_SKIPS: dict[str, str] = {
    "fs_1-02": _PATH_IN_RESULT.format("an md5 sum of its file list"),
    "fs_1-07": "searches the whole file system (find /): its output depends on this machine",
    "fs_1-12": "compresses in the background with 10 parallel jobs: the result depends on timing",
    "fs_2-11": "counts in a process substitution (tee >(wc -l)) that may print after the "
    "command has ended: the output depends on timing",
    "fs_2-45": _PATH_IN_RESULT.format("the folders it creates (cpio copies absolute paths)"),
    "fs_1-46": f"{_OUTSIDE} (/backup1.tar)",
    "fs_1-58": f"{_OUTSIDE} (a symlink in /)",
    "fs_2-37": "prints the host's free disk space, which changes between runs",
    "fs_2-40": _PATH_IN_RESULT.format("the member names of a compressed archive"),
    "fs_2-41": f"{_OUTSIDE} (a symlink in /)",
    "fs_2-43": "its output and file content hold the current date and time",
    "fs_2-49": _PATH_IN_RESULT.format("the member names of a compressed archive"),
    "fs_3-12": f"{_OUTSIDE} (moves files to /)",
    "fs_3-13": f"{_OUTSIDE} (moves files to /)",
    "fs_3-33": f"{_OUTSIDE} (creates directories under /usr)",
    "fs_3-37": _FIXTURE_LIST.format("workspace/files.txt"),
    "fs_3-38": _FIXTURE_LIST.format("workspace/files.txt"),
    "fs_3-43": _FIXTURE_LIST.format("workspace/results.txt") + f"; {_OUTSIDE} (~/newlinks)",
    "fs_3-45": "prints the host's used and free disk blocks, which change between runs",
    "fs_3-54": f"{_OUTSIDE} (a symlink in /)",
    "fs_4-26": "prints the system load average, which changes from moment to moment",
}


def rewrite(text: str, root: Path) -> str:
    """`text` with every absolute fixture root that starts a path moved under `root`."""
    base = str(root).rstrip("/")
    if not _SAFE_ROOT.fullmatch(base):
        raise LamtuiError(
            f"sandbox path {base!r} has characters a shell command would need quoted",
            "use a sandbox directory whose path has only letters, digits and ./_-",
        )
    return _ROOT_RE.sub(lambda m: f"{base}/{m.group(1)}", text)


# find's escaped \( \) \; are find syntax, not shell grouping: hide them from shlex.
_ESCAPED = {"\\(": " \x01open ", "\\)": " \x01close ", "\\;": " \x01end "}
_OPENERS = _words("( $( <( >(")


def _tokens(command: str) -> list[str]:
    for escaped, hidden in _ESCAPED.items():
        command = command.replace(escaped, hidden)
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    out: list[str] = []
    for token in lexer:
        # `cmd` substitutions: shlex keeps the backticks on the words; make them groups.
        opens, closes = token.startswith("`"), token.endswith("`") and len(token) > 1
        word = token.strip("`")
        if opens:
            out.append("(")
        if word:
            out.append(word)
        if closes or token == "`":
            out.append(")")
    return out


def _segments(tokens: list[str]) -> list[list[str]]:
    """Simple commands: split at | ; && etc.; a ( or $( opens a nested command and its )
    returns to the enclosing one, whose later words are arguments again."""
    segments: list[list[str]] = [[]]
    stack: list[int] = []  # enclosing segment of each open group
    current = 0
    for i, token in enumerate(tokens):
        opener = token in _OPENERS or (token.endswith("$") and tokens[i + 1 : i + 2] == ["("])
        if token.endswith("$") and opener:
            if token != "$":
                segments[current].append(token[:-1])  # "a=$(": keep the assignment
            continue  # the "(" that follows opens the group
        if opener:
            stack.append(current)
        if opener or (token in _SEPARATORS and token != ")"):
            segments.append([])
            current = len(segments) - 1
        elif token == ")":
            current = stack.pop() if stack else current
        else:
            segments[current].append(token)
    return [s for s in segments if s]


def _is_word(token: str) -> bool:
    # Words that cannot be a program: options, find's {} and +, assignments, expansions.
    return not (
        token.startswith(("-", "$", "{}", "+", "\x01")) or re.match(r"\w+=", token) or token == "!"
    )


def command_words(command: str) -> list[str]:
    """Every program a shell command would run (best effort): first word of each pipeline
    segment and substitution, what xargs / find -exec / sh -c run, and the word after a
    wrapper like nohup or sudo."""
    try:
        tokens = _tokens(command)
    except ValueError as exc:  # unbalanced quotes
        raise LamtuiError(f"cannot parse the command {command!r}: {exc}") from exc
    words: list[str] = []
    for segment in _segments(tokens):
        words += _segment_words(segment)
    return words


def _segment_words(segment: list[str]) -> list[str]:
    words: list[str] = []
    i = 0
    while i < len(segment) and (not _is_word(segment[i]) or segment[i] in _REDIRECTS):
        i += 2 if segment[i] in _REDIRECTS else 1
    if i >= len(segment):
        return words
    word, rest = segment[i], segment[i + 1 :]
    words.append(word)
    name = os.path.basename(word)
    if name in _WRAPPERS or name in NEEDS_ROOT:
        words += _segment_words(rest)
    elif name == "xargs":
        j = 0
        while j < len(rest) and rest[j].startswith("-"):
            j += 2 if rest[j] in _XARGS_ARG_OPTIONS else 1
        words += _segment_words(rest[j:]) if j < len(rest) else ["echo"]
    elif name in ("sh", "bash") and "-c" in rest and rest.index("-c") + 1 < len(rest):
        words += command_words(rest[rest.index("-c") + 1])
    if name == "find":
        for k, token in enumerate(rest[:-1]):
            if token in _FIND_EXEC:
                words += _segment_words(rest[k + 1 :])
    return words


def _installed(word: str) -> bool:
    if word in BUILTINS:
        return True
    if "/" in word:
        return os.access(word, os.X_OK) and os.path.isfile(word)
    return shutil.which(word) is not None


def skip_reason(gold: str) -> str:
    """Why `gold` cannot run in a sandbox here (no network, no root, read-only system,
    only the programs installed here), or "" when it can."""
    for word in command_words(gold):
        name = os.path.basename(word)
        if name in NETWORK:
            return f"needs the network ({name})"
        if name in NEEDS_ROOT:
            return f"needs root ({name})"
    for word in command_words(gold):
        if _ROOT_RE.match(word):
            continue  # a fixture path run as a program: the gold itself gets an error
        if not _installed(word):
            return f"needs `{word}`, which is not installed here"
    return ""


def _data_dir() -> Traversable:
    return files("lamtui.eval") / "data" / "intercode_bash"


def _load_split(split: str) -> list[EvalTask]:
    source = _data_dir() / f"nl2bash_{split}.json"
    try:
        items = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LamtuiError(f"cannot read InterCode data {source}: {exc}") from exc
    if not isinstance(items, list):
        raise LamtuiError(f"InterCode data {source} is not a list of tasks")
    tasks: list[EvalTask] = []
    for n, item in enumerate(items, 1):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("query"), str)
            and isinstance(item.get("gold"), str)
        ):
            raise LamtuiError(f"InterCode task {n} in {source} needs string query and gold")
        task_id = f"{split}-{n:02d}"
        skip = CURATED_SKIPS.get(task_id) or skip_reason(item["gold"])
        tasks.append(EvalTask(task_id, "intercode-bash", split, item["query"], item["gold"], skip))
    return tasks


def _check_member(member: tarfile.TarInfo, root: str) -> None:
    def inside(path: str) -> bool:
        return os.path.commonpath([root, os.path.normpath(path)]) == root

    if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
        raise LamtuiError(f"fixture member {member.name!r} is not a file, directory or link")
    target = os.path.join(root, member.name)
    if os.path.isabs(member.name) or not inside(target):
        raise LamtuiError(f"fixture member {member.name!r} would land outside the sandbox")
    if member.issym():
        link = os.path.join(os.path.dirname(target), member.linkname)
    elif member.islnk():
        link = os.path.join(root, member.linkname)
    else:
        return
    if os.path.isabs(member.linkname) or not inside(link):
        raise LamtuiError(f"fixture link {member.name!r} points outside the sandbox")


class InterCodeSuite:
    """The InterCode-Bash suite: splits fs_1..fs_4, ids "fs_1-01" in file order."""

    name = "intercode-bash"
    splits = SPLITS
    judged_by_gold = True

    def __init__(self) -> None:
        self._tasks = {split: _load_split(split) for split in SPLITS}

    def tasks(self, split: str | None = None) -> list[EvalTask]:
        if split is None:
            return [task for s in SPLITS for task in self._tasks[s]]
        if split not in self._tasks:
            raise LamtuiError(
                f"unknown InterCode split {split!r}", f"choose one of {', '.join(SPLITS)}"
            )
        return list(self._tasks[split])

    def setup(self, task: EvalTask, root: Path) -> None:
        """Extract the split's fixture into `root`, keeping mtimes and permissions (the
        tasks ask about both). fs_4 has no fixture."""
        archive = FIXTURES.get(task.split)
        if archive is None:
            return
        base = os.path.realpath(root)
        with (
            (_data_dir() / archive).open("rb") as raw,
            tarfile.open(fileobj=raw, mode="r:gz") as tar,
        ):
            members = tar.getmembers()
            for member in members:
                _check_member(member, base)
            # "fully_trusted": the "tar" filter would drop group/other write bits (and the
            # benchmark asks about a 0777 file); members were checked above.
            tar.extractall(base, members=members, filter="fully_trusted")

    def request(self, task: EvalTask, root: Path) -> str:
        return rewrite(task.query, root)

    def gold_command(self, task: EvalTask, root: Path) -> str | None:
        return rewrite(task.gold, root) if task.gold is not None else None

    def judge(self, task: EvalTask, agent: Evidence, gold: Evidence | None) -> Verdict:
        if gold is None:
            return Verdict(False, {}, [f"{task.id} has no gold evidence to compare with"])
        return three_part_score(agent, gold)
