"""Templates that create files (write_file) and change them in place (edit_file): plain
lists, INI, JSON, Markdown, scripts that must run; settings changed or removed, Python
constants and names changed (read → edit, read → write), checklists ticked, rows fixed."""

from __future__ import annotations

import random
import re

from lamtui.train.pool import words as w
from lamtui.train.pool.base import Draft, edit, phrase, read, shell, template, write


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _printf(path: str, content: str) -> str:
    """A shell command that writes `content` to `path`, making its folder."""
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    make = f"mkdir -p {folder} && " if folder else ""
    return f"{make}printf '%s' {_quote(content)} > {path}"


@template("write-lines", "write")
def write_lines(r: random.Random) -> Draft:
    pool = r.choice((w.PEOPLE, w.ITEMS, w.CITIES))
    lines = w.distinct(r, pool, r.randint(2, 6))
    path = w.place(r, w.stem_names(r, 1, r.choice(("txt", "list", "md")))[0])
    content = "\n".join(lines) + "\n"
    request = phrase(
        r,
        "Create {path} with these lines, in this order: {items}.",
        "Make a new file {path} holding {items}, one per line.",
        path=path,
        items=", ".join(lines),
    )
    return Draft(
        request,
        [_printf(path, content)],
        [write(path, content)],
        {"file_equals": {path: content}},
    )


@template("write-ini", "write")
def write_ini(r: random.Random) -> Draft:
    section = r.choice(w.SECTIONS)
    (k1, values1), (k2, values2) = w.SETTINGS[section]
    v1, v2 = r.choice(values1), r.choice(values2)
    path = w.place(r, f"{r.choice(w.PROJECTS)}.{r.choice(('ini', 'cfg', 'conf'))}")
    content = w.ini_text({section: {k1: v1, k2: v2}})
    request = phrase(
        r,
        "Create {path} with a [{section}] section in which {k1} is {v1} and {k2} is {v2}.",
        "I need a new INI file {path}: section {section}, {k1} = {v1}, {k2} = {v2}.",
        path=path,
        section=section,
        k1=k1,
        v1=v1,
        k2=k2,
        v2=v2,
    )
    config = [
        {"path": path, "key": f"{section}.{k1}", "value": v1},
        {"path": path, "key": f"{section}.{k2}", "value": v2},
    ]
    return Draft(request, [_printf(path, content)], [write(path, content)], {"config": config})


@template("write-json", "write")
def write_json(r: random.Random) -> Draft:
    path = w.place(r, f"{r.choice(('meta', 'package', 'manifest', 'service'))}.json")
    name, number, tags = r.choice(w.PROJECTS), r.randint(2, 9000), w.distinct(r, w.WORDS, 2)
    key = r.choice(("port", "replicas", "retries", "version"))
    content = w.json_text({"name": name, key: number, "tags": tags})
    request = phrase(
        r,
        'Write {path}: a JSON object whose "name" is the string "{name}", whose "{key}" is the '
        'number {number}, and whose "tags" is a list of {t0} and {t1}.',
        'Create the JSON file {path} with name "{name}", {key} {number} (a number, not a string) '
        'and tags ["{t0}", "{t1}"].',
        path=path,
        name=name,
        key=key,
        number=number,
        t0=tags[0],
        t1=tags[1],
    )
    config = [
        {"path": path, "key": "name", "value": name},
        {"path": path, "key": key, "value": number},
        {"path": path, "key": "tags", "includes": tags[0]},
        {"path": path, "key": "tags", "includes": tags[1]},
    ]
    return Draft(request, [_printf(path, content)], [write(path, content)], {"config": config})


@template("write-script", "multi")
def write_script(r: random.Random) -> Draft:
    path = w.place(
        r,
        f"{r.choice(('hello', 'greet', 'announce', 'notify', 'status'))}_{r.choice(w.PROJECTS)}.sh",
        r.randint(0, 2),
    )
    job = r.choice(("backup", "deploy", "sync", "build"))
    message = f"{r.choice(w.PROJECTS)} {job} {r.choice(('done', 'started', 'ok', 'finished'))}"
    content = f"#!/bin/bash\necho '{message}'\n"
    request = phrase(
        r,
        "Write a bash script {path} that prints '{message}', and make it executable.",
        "Create {path}, a script printing the line '{message}', that I can run as ./{path}.",
        path=path,
        message=message,
    )
    return Draft(
        request,
        [_printf(path, content), f"chmod +x {path}"],
        [write(path, content), shell(f"chmod +x {path}")],
        {
            "executable": [path],
            "run": [{"command": f"./{path}", "output_contains": [message]}],
        },
    )


@template("write-readme", "write")
def write_readme(r: random.Random) -> Draft:
    folder = w.folder(r, r.randint(1, 2))
    kind = r.choice(("Exporter", "Service", "Toolkit", "Dashboard", "Importer"))
    title = f"{r.choice(w.PROJECTS).title()} {kind}"
    person = r.choice(w.PEOPLE)
    path = f"{folder}/README.md"
    content = f"# {title}\n\nMaintainer: {person}\n"
    request = phrase(
        r,
        "Start a {path} whose first line is the heading '# {title}' and that has a line "
        "'Maintainer: {person}'.",
        "Add {path}: title '# {title}' on the first line, and a 'Maintainer: {person}' line below "
        "it.",
        path=path,
        title=title,
        person=person,
    )
    matches = [rf"\A# {re.escape(title)}\s*$", rf"^Maintainer: {re.escape(person)}\s*$"]
    return Draft(
        request,
        [_printf(path, content)],
        [write(path, content)],
        {"file_matches": {path: matches}},
    )


def _ini_with_twin(r: random.Random) -> tuple[str, dict[str, dict[str, str]], str, str, str]:
    """An INI file where `key` is set in two sections to different values: path,
    sections, the section to change, the key and a new value."""
    key, owners = r.choice(
        (("port", ("server", "database", "mail")), ("timeout", ("auth", "worker")))
    )
    chosen = r.sample(owners, 2)
    values = [str(v) for v in r.sample(range(20, 9999), 3)]
    sections = {
        s: {key: v, "name": r.choice(w.PROJECTS)} for s, v in zip(chosen, values, strict=False)
    }
    path = w.place(r, f"{r.choice(w.PROJECTS)}.{r.choice(('ini', 'cfg', 'conf'))}", r.randint(0, 2))
    return path, sections, chosen[0], key, values[2]


@template("edit-ini-key", "edit")
def edit_ini_key(r: random.Random) -> Draft:
    path, sections, section, key, new = _ini_with_twin(r)
    other = next(s for s in sections if s != section)
    old_block = w.ini_text({section: sections[section]})
    new_block = w.ini_text({section: {**sections[section], key: new}})
    request = phrase(
        r,
        "In {path}, change {key} in the [{section}] section to {new}; everything else stays as it "
        "is.",
        "Set the {section} {key} in {path} to {new}. Leave the [{other}] section alone.",
        path=path,
        key=key,
        section=section,
        new=new,
        other=other,
    )
    command = f"sed -i '/^\\[{section}\\]/,/^\\[/ s/^{key} = .*/{key} = {new}/' {path}"
    config = [
        {"path": path, "key": f"{section}.{key}", "value": new},
        {"path": path, "key": f"{other}.{key}", "value": sections[other][key]},
    ]
    return Draft(
        request,
        [command],
        [read(path), edit(path, old_block, new_block)],
        {"config": config},
        files={path: w.ini_text(sections)},
    )


@template("edit-json-key", "edit")
def edit_json_key(r: random.Random) -> Draft:
    path = w.place(r, f"{r.choice(('settings', 'app', 'options', 'flags'))}.json", r.randint(0, 2))
    data: dict[str, object] = {
        "name": r.choice(w.PROJECTS),
        "workers": r.randint(1, 16),
        "debug": r.choice((True, False)),
        "region": r.choice(w.REGIONS),
        "retries": r.randint(0, 9),
    }
    key = r.choice(("workers", "debug", "region", "retries"))
    old = data[key]
    new: object
    if isinstance(old, bool):
        new = not old
    elif isinstance(old, int):
        new = r.choice([n for n in range(0, 40) if n != old])
    else:
        new = r.choice([g for g in w.REGIONS if g != old])
    shown = "true" if new is True else "false" if new is False else str(new)
    request = phrase(
        r,
        "Set {key} to {shown} in {path}.",
        "{path} should have {key} = {shown}. Change it, keeping the other keys.",
        key=key,
        shown=shown,
        path=path,
    )
    as_json = w.json_text({key: old}).splitlines()[1].strip()
    new_json = w.json_text({key: new}).splitlines()[1].strip()
    command = (
        f"python3 -c \"import json; p = '{path}'; d = json.load(open(p)); "
        f"d['{key}'] = {new!r}; json.dump(d, open(p, 'w'), indent=2)\""
    )
    config = [{"path": path, "key": key, "value": new}] + [
        {"path": path, "key": k, "value": v} for k, v in data.items() if k != key
    ]
    return Draft(
        request,
        [command],
        [edit(path, as_json, new_json)],
        {"config": config},
        files={path: w.json_text(data)},
    )


@template("edit-py-constant", "edit")
def edit_py_constant(r: random.Random) -> Draft:
    path = w.place(
        r, f"{r.choice(('settings', 'limits', 'defaults', 'constants'))}.py", r.randint(0, 2)
    )
    names = w.distinct(r, w.CONSTANTS, r.randint(2, 4))
    values = {n: r.randint(1, 500) for n in names}
    name = r.choice(names)
    new = r.choice([v for v in range(1, 1000) if v != values[name]])
    text = '"""Tunables."""\n\n' + "".join(f"{n} = {v}\n" for n, v in values.items())
    request = phrase(
        r,
        "In {path}, change {name} from {old} to {new}.",
        "Set the constant {name} in {path} to {new}.",
        path=path,
        name=name,
        old=values[name],
        new=new,
    )
    keep = [rf"^{n} = {v}$" for n, v in values.items() if n != name]
    run = (
        f"python3 -c \"import runpy, sys; v = runpy.run_path('{path}'); "
        f"sys.exit(v['{name}'] != {new})\""
    )
    return Draft(
        request,
        [f"sed -i 's/^{name} = .*/{name} = {new}/' {path}"],
        [read(path), edit(path, f"\n{name} = {values[name]}\n", f"\n{name} = {new}\n")],
        {"file_matches": {path: [rf"^{name} = {new}$", *keep]}, "run": [{"command": run}]},
        files={path: text},
    )


VERBS = ("load", "fetch", "build", "render", "parse", "check", "send", "store")
NOUNS = ("records", "report", "page", "entries", "batch", "profile", "invoice", "digest")


def _steps_module(helper: str, name: str, calls: int) -> str:
    lines = ['"""Steps."""', "", "", f"def {helper}(value):", "    return value", "", ""]
    lines += [f"def {name}(value):", f"    return {helper}(value)", ""]
    lines += [f"print({name}({n}))" for n in range(calls)]
    return "\n".join(lines) + "\n"


@template("rename-function", "edit")
def rename_function(r: random.Random) -> Draft:
    path = w.place(r, f"{r.choice(('tasks', 'jobs', 'pipeline', 'steps'))}.py", r.randint(0, 2))
    old = f"{r.choice(VERBS)}_{r.choice(NOUNS)}"
    verb = r.choice([v for v in VERBS if v not in old])
    new = f"{verb}_{r.choice([n for n in NOUNS if n not in old])}"
    helper = r.choice([f for f in w.FUNCTIONS if old not in f and new not in f])
    calls = r.randint(1, 3)
    request = phrase(
        r,
        "Rename the function {old} to {new} in {path}, including the places in that file that "
        "call it.",
        "In {path}, {old} should be called {new}: rename it and update its calls there.",
        old=old,
        new=new,
        path=path,
    )
    return Draft(
        request,
        [f"sed -i 's/\\b{old}\\b/{new}/g' {path}"],
        [read(path), write(path, _steps_module(helper, new, calls))],
        {
            "file_contains": {path: [f"def {new}(value):"]},
            "file_lacks": {path: [old]},
            "run": [{"command": f"python3 {path}"}],
        },
        files={path: _steps_module(helper, old, calls)},
    )


@template("tick-checklist", "edit")
def tick_checklist(r: random.Random) -> Draft:
    path = w.place(r, f"{r.choice(('TODO', 'checklist', 'tasks', 'release'))}.md", r.randint(0, 2))
    items: list[str] = []
    size = r.randint(3, 7)
    while len(items) < size:
        verb = r.choice(("email", "call", "pay", "review", "ship", "order", "update"))
        item = f"{verb} {r.choice(w.PEOPLE + w.ITEMS)}"
        if item not in items:
            items.append(item)
    target = r.choice(items)
    text = f"# {r.choice(w.PROJECTS).title()}\n\n" + "".join(f"- [ ] {i}\n" for i in items)
    request = phrase(
        r,
        "Mark '{item}' as done in {path} (turn its [ ] into [x]).",
        "I finished '{item}'. Tick it off in {path}.",
        item=target,
        path=path,
    )
    return Draft(
        request,
        [f"sed -i 's/^- \\[ \\] {target}$/- [x] {target}/' {path}"],
        [edit(path, f"- [ ] {target}\n", f"- [x] {target}\n")],
        {
            "file_matches": {path: [rf"^- \[x\] {re.escape(target)}$"]},
            "file_contains": {path: [f"- [ ] {i}\n" for i in items if i != target]},
        },
        files={path: text},
    )


ENV_KEYS = ("API_URL", "CACHE_DIR", "SMTP_PORT", "LOG_FORMAT", "QUEUE_NAME", "REGION", "BUCKET")


@template("remove-env-setting", "edit")
def remove_env_setting(r: random.Random) -> Draft:
    path = w.place(r, f"{r.choice(w.PROJECTS)}.env", r.randint(1, 2))
    keys = w.distinct(r, ENV_KEYS, r.randint(3, 6))
    values = {k: f"{r.choice(w.PROJECTS)}-{r.randint(1, 99)}" for k in keys}
    key = r.choice(keys)
    request = phrase(
        r,
        "Drop the {key} line from {path}; the other variables stay.",
        "{path} should no longer define {key}. Take it out and keep the rest.",
        key=key,
        path=path,
    )
    config = [{"path": path, "key": key, "missing": True}] + [
        {"path": path, "key": k, "value": v} for k, v in values.items() if k != key
    ]
    return Draft(
        request,
        [f"sed -i '/^{key}=/d' {path}"],
        [edit(path, f"{key}={values[key]}\n", "")],
        {"config": config},
        files={path: "".join(f"{k}={v}\n" for k, v in values.items())},
    )


@template("append-line", "edit")
def append_line(r: random.Random) -> Draft:
    kind = r.choice(("hosts", "packages", "names"))
    if kind == "hosts":
        lines = [
            f"{c}-{r.randint(1, 20):02d}.internal" for c in w.distinct(r, w.CITIES, r.randint(2, 6))
        ]
        new = f"{r.choice(w.PROJECTS)}-{r.randint(21, 99)}.internal"
    elif kind == "packages":
        lines = [
            f"{p}=={r.randint(0, 5)}.{r.randint(0, 20)}"
            for p in w.distinct(r, w.ITEMS, r.randint(2, 6))
        ]
        new = f"{r.choice(w.PROJECTS)}=={r.randint(1, 9)}.0"
    else:
        lines = w.distinct(r, w.PEOPLE, r.randint(2, 6))
        new = r.choice(w.PROJECTS)
    path = w.place(r, f"{kind}{r.choice(('', '_list', '_allow'))}.txt", r.randint(0, 2))
    request = phrase(
        r,
        "Add {new} as a new last line of {path}.",
        "Append the line {new} to the end of {path}, keeping what is there.",
        new=new,
        path=path,
    )
    return Draft(
        request,
        [f"echo {_quote(new)} >> {path}"],
        [shell(f"echo {_quote(new)} >> {path}")],
        {
            "file_matches": {path: [rf"{re.escape(new)}\n?\Z"]},
            "file_contains": {path: [line + "\n" for line in lines]},
        },
        files={path: "\n".join(lines) + "\n"},
    )


@template("fix-csv-cell", "edit")
def fix_csv_cell(r: random.Random) -> Draft:
    kind = r.choice(tuple(w.TABLES))
    header, rows = w.table(r, kind, r.randint(3, 9))
    path = w.place(r, f"{kind}.csv", r.randint(0, 2))
    row = r.choice(rows)
    old, new = row[2], str(r.choice([v for v in range(1, 500) if str(v) != row[2]]))
    request = phrase(
        r,
        "In {path}, the {col} of {name} should be {new}, not {old}. Fix that row.",
        "Correct {path}: {name} has {new} {col}, the file says {old}.",
        path=path,
        col=header[2],
        name=row[0],
        new=new,
        old=old,
    )
    text = w.csv_text(header, rows)
    others = [",".join(x) + "\n" for x in rows if x is not row]
    return Draft(
        request,
        [f"sed -i 's/^{row[0]},{row[1]},{old}$/{row[0]},{row[1]},{new}/' {path}"],
        [edit(path, f"\n{row[0]},{row[1]},{old}\n", f"\n{row[0]},{row[1]},{new}\n")],
        {
            "file_matches": {path: [rf"^{row[0]},{row[1]},{new}$"]},
            "file_lacks": {path: [f"\n{row[0]},{row[1]},{old}\n"]},
            "file_contains": {path: others},
        },
        files={path: text},
    )
