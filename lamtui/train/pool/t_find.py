"""Templates that ask where things are: by extension at any depth, by content, by size,
age, emptiness, duplicate content, definition, setting, permission; and what a folder
holds (list_dir)."""

from __future__ import annotations

import random

from lamtui.train.pool import words as w
from lamtui.train.pool.base import Draft, joined, listing, phrase, shell, template

EXTS = ("md", "csv", "json", "log", "ini", "py", "txt", "yaml", "conf", "sh")


def _scatter(r: random.Random, top: str, names: list[str], flat: float = 0.25) -> list[str]:
    """Paths for `names` under `top`, at depths from 0 to 3 below it."""
    return [
        f"{top}/{name}" if r.random() < flat else f"{top}/{w.folder(r, r.randint(1, 3))}/{name}"
        for name in names
    ]


@template("find-ext-anywhere", "find")
def find_ext_anywhere(r: random.Random) -> Draft:
    top = r.choice(w.PROJECTS)
    ext, other = r.sample(EXTS, 2)
    wanted = _scatter(r, top, w.stem_names(r, r.randint(2, 5), ext))
    decoys = _scatter(r, top, w.stem_names(r, r.randint(2, 4), other))
    files = {p: w.content_for(r, p) for p in wanted + decoys}
    request = phrase(
        r,
        "Track down every .{ext} file under {top}/, however deep it sits, and list their paths.",
        "I need the paths of all the {ext} files inside {top}/ and its subfolders.",
        "Somewhere in {top}/ there are .{ext} files spread over nested folders. Where exactly?",
        ext=ext,
        top=top,
    )
    command = f"find {top} -type f -name '*.{ext}' | sort"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer_all": wanted, "answer_none": [p.rsplit("/", 1)[1] for p in decoys]},
        summary=joined(sorted(wanted)),
        files=files,
    )


@template("find-word-in-files", "find")
def find_word_in_files(r: random.Random) -> Draft:
    d = w.folder(r)
    word = r.choice(w.WORDS)
    names = w.stem_names(r, r.randint(4, 7), r.choice(("txt", "md", "notes")))
    hits = r.sample(names, r.randint(1, len(names) - 2))
    files: dict[str, str] = {}
    for name in names:
        text = w.prose(r, r.randint(2, 6), avoid=[word])
        if name in hits:
            lines = text.splitlines()
            at = r.randrange(len(lines))
            lines[at] = f"{lines[at]} {word} {w.sentence(r, 2)}"
            text = "\n".join(lines) + "\n"
        files[f"{d}/{name}"] = text
    request = phrase(
        r,
        "Which of the files in {d}/ contain the word {word}? Name them.",
        "Tell me which documents in {d}/ say {word} somewhere in their text.",
        "I wrote {word} into a few of the files in {d}/ and forgot which. Find them.",
        d=d,
        word=word,
    )
    command = f"grep -rlw {word} {d} | sort"
    misses = [n for n in names if n not in hits]
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer_all": sorted(hits), "answer_none": misses},
        summary=joined(sorted(hits)),
        files=files,
    )


@template("find-largest", "find")
def find_largest(r: random.Random) -> Draft:
    d = w.folder(r)
    names = w.stem_names(r, r.randint(3, 6), r.choice(EXTS))
    files: dict[str, str] = {}
    sizes: set[int] = set()
    for name in names:
        text = w.prose(r, r.randint(1, 30))
        while len(text) in sizes:
            text += "x\n"
        sizes.add(len(text))
        files[f"{d}/{name}"] = text
    biggest = max(names, key=lambda n: len(files[f"{d}/{n}"]))
    request = phrase(
        r,
        "Which file in {d}/ takes up the most space?",
        "My disk is filling up. What is the biggest file in {d}/?",
        "Look in {d}/ and tell me which file is largest in bytes.",
        d=d,
    )
    return Draft(
        request,
        [f"ls -S {d} | head -n 1"],
        [listing(d)],
        {"answer": biggest, "answer_none": [n for n in names if n != biggest]},
        summary=f"The largest file in {d}/ is {biggest}.",
        files=files,
    )


@template("find-newest", "find")
def find_newest(r: random.Random) -> Draft:
    d = w.folder(r)
    names = w.stem_names(r, r.randint(3, 6), r.choice(EXTS))
    ages = r.sample(range(1, 90), len(names))
    files = {f"{d}/{n}": w.content_for(r, n) for n in names}
    newest = names[ages.index(min(ages))]
    request = phrase(
        r,
        "Which file in {d}/ did someone change most recently?",
        "In {d}/, which file has the latest modification time?",
        "What was the last file edited in {d}/?",
        d=d,
    )
    command = f"ls -t {d} | head -n 1"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer": newest, "answer_none": [n for n in names if n != newest]},
        summary=f"{newest} was modified last.",
        files=files,
        mtimes={f"{d}/{n}": float(age) for n, age in zip(names, ages, strict=True)},
    )


@template("find-empty-files", "find")
def find_empty_files(r: random.Random) -> Draft:
    top = w.folder(r, r.randint(1, 2))
    names = w.stem_names(r, r.randint(4, 7), r.choice(EXTS))
    empty = r.sample(names, r.randint(1, len(names) - 2))
    paths = _scatter(r, top, names, flat=0.5)
    files = {p: "" if p.rsplit("/", 1)[1] in empty else w.content_for(r, p) for p in paths}
    request = phrase(
        r,
        "Some files under {top}/ are empty, zero bytes. Which ones?",
        "List the files below {top}/ (at any depth) that have no content at all.",
        "Which files in the {top}/ tree are 0 bytes long?",
        top=top,
    )
    command = f"find {top} -type f -empty | sort"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer_all": sorted(empty), "answer_none": [n for n in names if n not in empty]},
        summary=joined(sorted(empty)),
        files=files,
    )


@template("find-duplicate-content", "find")
def find_duplicate_content(r: random.Random) -> Draft:
    d = w.folder(r)
    names = w.stem_names(r, r.randint(4, 6), r.choice(EXTS))
    twins = r.sample(names, 2)
    texts: list[str] = []
    files: dict[str, str] = {}
    for name in names:
        text = w.prose(r, r.randint(2, 5))
        while text in texts:
            text += w.sentence(r) + "\n"
        texts.append(text)
        files[f"{d}/{name}"] = text
    files[f"{d}/{twins[1]}"] = files[f"{d}/{twins[0]}"]
    request = phrase(
        r,
        "Two of the files in {d}/ have exactly the same contents. Which two?",
        "There is a duplicated file in {d}/ under a different name. Which files are identical?",
        d=d,
    )
    command = f"md5sum {d}/* | sort | uniq -w32 -D"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer_all": sorted(twins), "answer_none": [n for n in names if n not in twins]},
        summary=f"{joined(sorted(twins))} are identical.",
        files=files,
    )


MODULES = ("utils", "helpers", "core", "models", "views", "cli", "tasks", "api", "db", "io")


@template("find-definition", "find")
def find_definition(r: random.Random) -> Draft:
    pkg = f"{r.choice(w.PROJECTS)}/{r.choice(('src', 'lib', 'app', 'pkg'))}"
    modules = [f"{m}.py" for m in r.sample(MODULES, r.randint(3, 5))]
    fn = r.choice(w.FUNCTIONS)
    home, *others = modules
    callers = others[: r.randint(1, len(others))]
    files: dict[str, str] = {}
    for module in modules:
        extra = [f for f in w.distinct(r, w.FUNCTIONS, 2) if f != fn][:1]
        if module == home:
            files[f"{pkg}/{module}"] = w.py_module(r, [fn, *extra])
        elif module in callers:
            head = f"from .{home[:-3]} import {fn}\n"
            files[f"{pkg}/{module}"] = head + w.py_module(r, extra, calls=[fn])
        else:
            files[f"{pkg}/{module}"] = w.py_module(r, extra)
    request = phrase(
        r,
        "In which module under {pkg}/ is {fn} defined? I don't mean the places that call it.",
        "Where does the def of {fn} live in {pkg}/? Only the file that defines it.",
        pkg=pkg,
        fn=fn,
    )
    command = f"grep -rl 'def {fn}(' {pkg}"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer": f"{pkg}/{home}", "answer_none": [f"{pkg}/{m}" for m in callers]},
        summary=f"{fn} is defined in {pkg}/{home}.",
        files=files,
    )


NUMERIC = (("server", "port"), ("worker", "threads"), ("cache", "ttl"), ("auth", "timeout"))


@template("find-config-setting", "find")
def find_config_setting(r: random.Random) -> Draft:
    d = w.folder(r)
    section, key = r.choice(NUMERIC)
    names = [f"{p}.ini" for p in w.distinct(r, w.PROJECTS, r.randint(3, 5))]
    values = [str(v) for v in r.sample(range(10000, 60000), len(names))]
    target = r.randrange(len(names))
    files: dict[str, str] = {}
    for name, value in zip(names, values, strict=True):
        sections = w.ini_sections(r, 1)
        sections.pop(section, None)
        files[f"{d}/{name}"] = w.ini_text({section: {key: value}, **sections})
    request = phrase(
        r,
        "Which service config in {d}/ has {key} = {value} in its [{section}] block?",
        "One of the .ini files in {d}/ sets {section} {key} to {value}. Which one?",
        d=d,
        key=key,
        value=values[target],
        section=section,
    )
    command = f"grep -l '^{key} = {values[target]}$' {d}/*.ini"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer": names[target], "answer_none": [n for n in names if n != names[target]]},
        summary=f"{names[target]} sets it.",
        files=files,
    )


@template("list-subfolders", "list")
def list_subfolders(r: random.Random) -> Draft:
    d = w.folder(r)
    subs = w.distinct(r, [f for f in w.SUBFOLDERS if f not in d.split("/")], r.randint(2, 5))
    names = w.stem_names(r, r.randint(1, 4), r.choice(EXTS))
    files = {f"{d}/{n}": w.content_for(r, n) for n in names}
    dirs: list[str] = []
    for sub in subs:
        if r.random() < 0.7:
            inner = w.stem_names(r, 1, r.choice(EXTS))[0]
            files[f"{d}/{sub}/{inner}"] = w.content_for(r, inner)
        else:
            dirs.append(f"{d}/{sub}")
    request = phrase(
        r,
        "What folders are directly inside {d}/? Only the folders, not the files.",
        "Name the subdirectories of {d}/ (just the first level).",
        "Which directories does {d}/ contain at its top level?",
        d=d,
    )
    return Draft(
        request,
        [f"find {d} -mindepth 1 -maxdepth 1 -type d | sort"],
        [listing(d)],
        {"answer_all": subs, "answer_none": names},
        summary=f"{d}/ holds the folders {joined(sorted(subs))}.",
        files=files,
        dirs=dirs,
    )


@template("list-count-entries", "list")
def list_count_entries(r: random.Random) -> Draft:
    d = w.folder(r)
    names = w.stem_names(r, r.randint(1, 9), r.choice(EXTS))
    subs = w.distinct(r, [f for f in w.SUBFOLDERS if f not in d.split("/")], r.randint(0, 3))
    files = {f"{d}/{n}": w.content_for(r, n) for n in names}
    for sub in subs:  # what is inside a subfolder does not count
        for inner in w.stem_names(r, r.randint(1, 3), "txt"):
            files[f"{d}/{sub}/{inner}"] = w.prose(r, 1)
    count = str(len(names) + len(subs))
    request = phrase(
        r,
        "How many entries, files and folders together, sit directly in {d}/?",
        "Count what is at the top level of {d}/: every file and every folder, not what is inside "
        "those folders.",
        d=d,
    )
    return Draft(
        request,
        [f"ls -A {d} | wc -l"],
        [listing(d)],
        {"answer": count},
        summary=f"{d}/ has {count} entries.",
        files=files,
    )


@template("find-executables", "find")
def find_executables(r: random.Random) -> Draft:
    d = w.folder(r)
    names = [*w.stem_names(r, r.randint(2, 3), "sh"), *w.stem_names(r, r.randint(2, 3), "py")]
    runnable = r.sample(names, r.randint(1, len(names) - 1))
    files = {f"{d}/{n}": w.content_for(r, n) for n in names}
    modes = {f"{d}/{n}": ("755" if n in runnable else "644") for n in names}
    request = phrase(
        r,
        "Which files in {d}/ have the execute permission set?",
        "Which of the scripts in {d}/ can I run directly, i.e. are marked executable?",
        d=d,
    )
    command = f"find {d} -type f -perm -u+x | sort"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer_all": sorted(runnable), "answer_none": [n for n in names if n not in runnable]},
        summary=joined(sorted(runnable)),
        files=files,
        modes=modes,
    )
