"""The template tasks' builders: each makes a scratch workspace with varied names and
contents and returns (request, [(step title, thought, tool, args)]). templates.py runs
them for real; the explore pool reuses them."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

from lamtui.train.grounding import _content

# Names are drawn from many stems and extensions: the LAM must learn to carry whatever
# name the request says into the command, not to recall a favourite few.
_STEMS = (
    "notes",
    "todo",
    "report",
    "data",
    "app",
    "main",
    "run",
    "config",
    "users",
    "server",
    "summary",
    "list",
    "index",
    "draft",
    "script",
    "results",
    "errors",
    "hello",
    "input",
    "test",
    "a",
    "b",
    "output",
    "readme",
    "invoice",
    "budget",
    "plan",
    "log1",
    "items",
    "contacts",
    "letter",
    "setup",
    "build",
    "query",
    "sample",
    "backup_2024",
    "page",
    "chapter1",
    "old_notes",
    "my_file",
    "final",
    "v2",
    "temp",
    "words",
)
_EXTS = (".txt", ".md", ".csv", ".log", ".py", ".sh", ".ini", ".json", ".html", ".cfg", ".yaml")
FILES = tuple(stem + ext for stem in _STEMS for ext in _EXTS)
DIRS = (
    "dir1",
    "dir2",
    "docs",
    "src",
    "backup",
    "logs",
    "data",
    "old",
    "out",
    "work",
    "tmp2",
    "archive",
    "notes",
    "reports",
    "build",
    "dist",
    "lib",
    "bin",
    "assets",
    "images",
    "inbox",
    "projects",
    "final",
    "drafts",
    "test",
    "config",
    "scripts",
    "a",
    "b",
    "export",
    "web",
)
WORDS = ("error", "todo", "alice", "timeout", "warning", "done", "admin", "retry")
KEYS = (
    ("port", "80", "8080"),
    ("host", "localhost", "0.0.0.0"),
    ("debug", "false", "true"),
    ("workers", "2", "4"),
    ("level", "info", "debug"),
)

Build = Callable[[random.Random, Path], tuple[str, list[tuple[str, str, str, dict[str, str]]]]]


def _write(root: Path, name: str, text: str | None = None) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else _content(name, len(name)), encoding="utf-8")


def _two(r: random.Random, pool: tuple[str, ...]) -> tuple[str, str]:
    a, b = r.sample(pool, 2)
    return a, b


# Each builder makes the workspace and returns (request, [(title, thought, tool, args)]).
def copy_between(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice(FILES)
    d1, d2 = _two(r, DIRS)
    _write(root, f"{d1}/{f}")
    (root / d2).mkdir(exist_ok=True)
    verb = r.choice(("copy", "Copy", "please copy", "duplicate"))
    req = f"{verb} {f} from {d1} to {d2}"
    return req, [
        (f"Copy {f} into {d2}", "cp copies the file.", "shell", {"command": f"cp {d1}/{f} {d2}/"})
    ]


def move_file(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice(FILES)
    d = r.choice(DIRS)
    _write(root, f)
    (root / d).mkdir(exist_ok=True)
    req = r.choice((f"move {f} into {d}", f"put {f} in the {d} folder", f"Move {f} to {d}/"))
    return req, [(f"Move {f} into {d}", "mv moves the file.", "shell", {"command": f"mv {f} {d}/"})]


def rename_file(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f, g = _two(r, FILES)
    _write(root, f)
    req = r.choice((f"rename {f} to {g}", f"Rename the file {f} as {g}"))
    return req, [(f"Rename {f}", "mv renames the file.", "shell", {"command": f"mv {f} {g}"})]


def make_executable(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice([n for n in FILES if n.endswith((".py", ".sh"))])
    _write(root, f)
    req = r.choice((f"make {f} executable", f"Make {f} runnable", f"give {f} execute permission"))
    return req, [
        (
            f"Make {f} executable",
            "chmod +x adds execute permission.",
            "shell",
            {"command": f"chmod +x {f}"},
        )
    ]


def count_lines(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice(FILES)
    _write(root, f, "".join(f"row {i}\n" for i in range(r.randint(2, 40))))
    req = r.choice(
        (f"count the lines in {f}", f"how many lines does {f} have?", f"How many lines are in {f}")
    )
    return req, [
        (f"Count the lines of {f}", "wc -l counts lines.", "shell", {"command": f"wc -l < {f}"})
    ]


def count_matches(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice(("app.log", "server.log", "errors.log", "notes.txt", "todo.txt"))
    w = r.choice(WORDS)
    lines = [f"{r.choice(WORDS)} line {i}" for i in range(r.randint(3, 25))]
    _write(root, f, "\n".join(lines) + "\n")
    req = r.choice((f"how many lines in {f} contain {w}?", f"count the {w} lines in {f}"))
    return req, [
        (
            f"Count lines with {w}",
            "grep -c counts matching lines.",
            "shell",
            {"command": f"grep -c '{w}' {f}"},
        )
    ]


def count_files(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    d = r.choice(DIRS)
    ext = r.choice(("txt", "py", "log", "csv", "md"))
    for i in range(r.randint(1, 7)):
        _write(root, f"{d}/file{i}.{ext}")
    _write(root, f"{d}/other.dat", "x\n")
    req = r.choice((f"how many .{ext} files are in {d}?", f"count the {ext} files under {d}"))
    cmd = f"find {d} -type f -name '*.{ext}' | wc -l"
    return req, [
        (
            f"Count .{ext} files in {d}",
            "find lists them and wc -l counts.",
            "shell",
            {"command": cmd},
        )
    ]


def find_by_name(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    d1, d2 = _two(r, DIRS)
    f = r.choice(FILES)
    _write(root, f"{d1}/{d2}/{f}")
    _write(root, f"{d1}/other.txt")
    req = r.choice((f"where is {f}?", f"find the file {f}", f"locate {f} in this folder"))
    return req, [
        (f"Find {f}", "find searches by name.", "shell", {"command": f"find . -name '{f}'"})
    ]


def grep_files(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    d = r.choice(DIRS)
    w = r.choice(WORDS)
    for i in range(r.randint(2, 5)):
        _write(root, f"{d}/part{i}.txt", f"{r.choice(WORDS)} here\nplain line\n")
    req = r.choice(
        (f"which files in {d} mention {w}?", f"list the files under {d} that contain {w}")
    )
    return req, [
        (
            f"Search {d} for {w}",
            "grep -rl lists matching files.",
            "shell",
            {"command": f"grep -rl '{w}' {d}"},
        )
    ]


def head_file(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice(FILES)
    n = r.randint(2, 10)
    _write(root, f, "".join(f"entry {i}\n" for i in range(1, 30)))
    which = r.choice(("first", "last"))
    tool = "head" if which == "first" else "tail"
    req = f"show the {which} {n} lines of {f}"
    return req, [
        (
            f"Show {which} {n} lines",
            f"{tool} prints them.",
            "shell",
            {"command": f"{tool} -n {n} {f}"},
        )
    ]


def make_dir(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    d1, d2 = _two(r, DIRS)
    req = r.choice((f"create a folder called {d1}", f"make a directory {d1}/{d2}"))
    path = d1 if "called" in req else f"{d1}/{d2}"
    return req, [
        (f"Create {path}", "mkdir -p creates it.", "shell", {"command": f"mkdir -p {path}"})
    ]


def delete_file(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice(FILES)
    _write(root, f)
    req = r.choice((f"delete {f}", f"remove the file {f}"))
    return req, [(f"Delete {f}", "rm removes the file.", "shell", {"command": f"rm {f}"})]


def archive_dir(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    d = r.choice(DIRS)
    _write(root, f"{d}/a.txt")
    req = r.choice((f"compress {d} into {d}.tar.gz", f"make a tar.gz archive of the {d} folder"))
    return req, [
        (
            f"Archive {d}",
            "tar -czf makes a gzipped archive.",
            "shell",
            {"command": f"tar -czf {d}.tar.gz {d}"},
        )
    ]


def read_file(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice(FILES)
    _write(root, f)
    req = r.choice((f"show me {f}", f"what is in {f}?", f"print the contents of {f}", f"read {f}"))
    return req, [(f"Read {f}", "read_file shows the file.", "read_file", {"path": f})]


def list_folder(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    d = r.choice(DIRS)
    for f in r.sample(FILES, r.randint(1, 4)):
        _write(root, f"{d}/{f}")
    req = r.choice((f"what files are in {d}?", f"list the {d} folder", f"show what {d} contains"))
    return req, [(f"List {d}", "list_dir lists the folder.", "list_dir", {"path": d})]


def write_new(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice(FILES)
    text = r.choice(("hello world", "buy milk", "meeting at 10", "version 2", "TODO: tests"))
    req = r.choice((f"create {f} containing '{text}'", f"write '{text}' into a new file {f}"))
    return req, [
        (
            f"Write {f}",
            "write_file creates the file.",
            "write_file",
            {"path": f, "content": text + "\n"},
        )
    ]


def edit_setting(
    r: random.Random, root: Path
) -> tuple[str, list[tuple[str, str, str, dict[str, str]]]]:
    f = r.choice(("config.ini", "settings.ini", "app.conf", "server.cfg"))
    key, old, new = r.choice(KEYS)
    others = [k for k in KEYS if k[0] != key][:2]
    body = "[main]\n" + "".join(f"{k} = {v}\n" for k, v, _ in others) + f"{key} = {old}\n"
    _write(root, f, body)
    req = r.choice((f"set {key} to {new} in {f}", f"change the {key} in {f} to {new}"))
    return req, [
        (f"Read {f}", "I need the current line.", "read_file", {"path": f}),
        (
            f"Set {key} = {new}",
            "Replace only that line.",
            "edit_file",
            {"path": f, "search": f"{key} = {old}", "replace": f"{key} = {new}"},
        ),
    ]


Steps = list[tuple[str, str, str, dict[str, str]]]


def copy_as(r: random.Random, root: Path) -> tuple[str, Steps]:
    f, g = _two(r, FILES)
    _write(root, f)
    req = r.choice((f"copy {f} to {g}", f"make a copy of {f} called {g}", f"duplicate {f} as {g}"))
    return req, [(f"Copy {f} to {g}", "cp copies the file.", "shell", {"command": f"cp {f} {g}"})]


def move_by_extension(r: random.Random, root: Path) -> tuple[str, Steps]:
    ext = r.choice(("txt", "log", "csv", "md", "py", "json"))
    d = r.choice(DIRS)
    for stem in r.sample(_STEMS, r.randint(2, 4)):
        _write(root, f"{stem}.{ext}")
    (root / d).mkdir(exist_ok=True)
    req = r.choice((f"move all the .{ext} files into {d}", f"put every {ext} file in {d}/"))
    cmd = f"mv *.{ext} {d}/"
    return req, [
        (f"Move the .{ext} files", "mv with a glob moves them.", "shell", {"command": cmd})
    ]


def count_words(r: random.Random, root: Path) -> tuple[str, Steps]:
    f = r.choice(FILES)
    words = " ".join(r.choice(WORDS) for _ in range(r.randint(3, 30)))
    _write(root, f, words + "\n")
    req = r.choice((f"how many words are in {f}?", f"count the words in {f}"))
    return req, [
        (f"Count words in {f}", "wc -w counts words.", "shell", {"command": f"wc -w < {f}"})
    ]


def show_matching(r: random.Random, root: Path) -> tuple[str, Steps]:
    f = r.choice(FILES)
    w = r.choice(WORDS)
    lines = [f"{r.choice(WORDS)} item {i}" for i in range(r.randint(3, 12))] + [f"{w} last"]
    _write(root, f, "\n".join(lines) + "\n")
    req = r.choice((f"show the lines of {f} that contain {w}", f"which lines in {f} mention {w}?"))
    cmd = f"grep '{w}' {f}"
    return req, [(f"Lines with {w}", "grep prints matching lines.", "shell", {"command": cmd})]


def replace_word(r: random.Random, root: Path) -> tuple[str, Steps]:
    f = r.choice(FILES)
    old, new = _two(r, WORDS)
    _write(root, f, f"{old} one\nplain\n{old} two\n")
    req = r.choice((f"replace {old} with {new} in {f}", f"change every {old} to {new} in {f}"))
    cmd = f"sed -i 's/{old}/{new}/g' {f}"
    return req, [(f"Replace {old}", "sed -i edits in place.", "shell", {"command": cmd})]


def sort_file(r: random.Random, root: Path) -> tuple[str, Steps]:
    f = r.choice(FILES)
    _write(root, f, "".join(f"{r.choice(WORDS)}\n" for _ in range(r.randint(3, 9))))
    unique = r.random() < 0.5
    req = f"show the unique lines of {f} sorted" if unique else f"sort the lines of {f}"
    cmd = f"sort -u {f}" if unique else f"sort {f}"
    return req, [(f"Sort {f}", "sort orders the lines.", "shell", {"command": cmd})]


def size_of(r: random.Random, root: Path) -> tuple[str, Steps]:
    d = r.choice(DIRS)
    for stem in r.sample(_STEMS, 2):
        _write(root, f"{d}/{stem}.txt")
    req = r.choice((f"how big is the {d} folder?", f"show the disk usage of {d}"))
    return req, [(f"Size of {d}", "du -sh sums it up.", "shell", {"command": f"du -sh {d}"})]


def extract_archive(r: random.Random, root: Path) -> tuple[str, Steps]:
    import tarfile

    d = r.choice(DIRS)
    _write(root, f"src_{d}/a.txt")
    with tarfile.open(root / f"{d}.tar.gz", "w:gz") as tar:
        tar.add(root / f"src_{d}", arcname=d)
    shutil.rmtree(root / f"src_{d}")
    req = r.choice((f"extract {d}.tar.gz", f"unpack the archive {d}.tar.gz here"))
    return req, [
        (
            f"Extract {d}.tar.gz",
            "tar -xzf unpacks it.",
            "shell",
            {"command": f"tar -xzf {d}.tar.gz"},
        )
    ]


BUILDERS: tuple[Build, ...] = (
    copy_between,
    move_file,
    rename_file,
    make_executable,
    count_lines,
    count_matches,
    count_files,
    find_by_name,
    grep_files,
    head_file,
    make_dir,
    delete_file,
    archive_dir,
    read_file,
    list_folder,
    write_new,
    edit_setting,
    copy_as,
    move_by_extension,
    count_words,
    show_matching,
    replace_word,
    sort_file,
    size_of,
    extract_archive,
)
