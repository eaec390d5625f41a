"""Templates that ask for a number or a value: counts in logs, tables, trees and texts;
sums, maxima; values read from INI, JSON, Markdown and a given line (read_file); and one
that writes its count into a file (count → write)."""

from __future__ import annotations

import random
from collections import Counter

from lamtui.train.pool import words as w
from lamtui.train.pool.base import Draft, phrase, read, shell, template, write

# Components whose name is no word of any message: counting them by word is exact.
QUIET_COMPONENTS = tuple(
    c for c in w.COMPONENTS if not any(c in m.split() for ms in w.MESSAGES.values() for m in ms)
)


def _log(
    r: random.Random, levels: tuple[str, ...] = w.LEVELS
) -> tuple[str, list[tuple[str, str, str, str]], str]:
    """A log's path, its records and its text."""
    name = f"{r.choice(w.COMPONENTS)}{r.choice(('', '-1', '.old', '_2024'))}.log"
    records = w.log_records(r, r.randint(6, 30), levels)
    return w.place(r, name), records, w.log_text(records, w.log_style(r))


def _csv(
    r: random.Random, rows: tuple[int, int] = (4, 12), groups: int = 3
) -> tuple[str, str, tuple[str, ...], list[list[str]]]:
    """A table's path, kind, header and rows."""
    kind = r.choice(tuple(w.TABLES))
    header, body = w.table(r, kind, r.randint(*rows), groups)
    return w.place(r, f"{kind}_{r.choice(w.PROJECTS)}.csv", r.randint(0, 2)), kind, header, body


@template("count-log-level", "count")
def count_log_level(r: random.Random) -> Draft:
    path, records, text = _log(r)
    level = r.choice(sorted({rec[1] for rec in records}))
    count = str(sum(rec[1] == level for rec in records))
    request = phrase(
        r,
        "How many {level} lines are there in {path}?",
        "Count the {level}-level entries in {path} for me.",
        "What number of {level} messages did {path} record?",
        level=level,
        path=path,
    )
    command = f"grep -cw {level} {path}"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer": count},
        summary=f"{path} has {count} {level} lines.",
        files={path: text},
    )


@template("count-csv-matches", "count")
def count_csv_matches(r: random.Random) -> Draft:
    path, _, header, rows = _csv(r)
    value = r.choice(rows)[1]
    count = str(sum(row[1] == value for row in rows))
    request = phrase(
        r,
        "In {path}, how many rows have {col} equal to {value}?",
        "How many records of {path} list {value} as their {col}?",
        path=path,
        col=header[1],
        value=value,
    )
    command = f"awk -F, 'NR > 1 && $2 == \"{value}\"' {path} | wc -l"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer": count},
        summary=f"{count} rows.",
        files={path: w.csv_text(header, rows)},
    )


@template("count-ext-in-tree", "count")
def count_ext_in_tree(r: random.Random) -> Draft:
    top = w.folder(r, r.randint(1, 2))
    ext, other = r.sample(("md", "csv", "json", "log", "py", "txt", "yaml", "sh"), 2)
    files: dict[str, str] = {}
    for name in w.stem_names(r, r.randint(1, 9), ext):
        files[f"{top}/{w.folder(r, r.randint(1, 3))}/{name}"] = w.prose(r, 1)
    count = str(len(files))
    for name in w.stem_names(r, r.randint(1, 4), other):
        files[f"{top}/{w.folder(r, r.randint(1, 2))}/{name}"] = w.prose(r, 1)
    files[f"{top}/{r.choice(w.STEMS)}.{ext}.bak"] = w.prose(r, 1)
    request = phrase(
        r,
        "How many .{ext} files does {top}/ hold, counting all its subfolders?",
        "Give me the number of {ext} files anywhere inside {top}/.",
        ext=ext,
        top=top,
    )
    command = f"find {top} -type f -name '*.{ext}' | wc -l"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer": count},
        summary=f"{count} .{ext} files.",
        files=files,
    )


@template("count-distinct-values", "count")
def count_distinct_values(r: random.Random) -> Draft:
    path, _, header, rows = _csv(r, (5, 14), r.randint(2, 6))
    groups = {row[1] for row in rows}
    count = str(len(groups))
    request = phrase(
        r,
        "How many different {col} values appear in {path}?",
        "Across all rows of {path}, how many distinct {col}s are there?",
        col=header[1],
        path=path,
    )
    command = f"tail -n +2 {path} | cut -d, -f2 | sort -u | wc -l"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer": count},
        summary=f"{count} distinct values.",
        files={path: w.csv_text(header, rows)},
    )


@template("count-word-occurrences", "count")
def count_word_occurrences(r: random.Random) -> Draft:
    path = w.place(r, w.stem_names(r, 1, r.choice(("txt", "md")))[0], r.randint(0, 2))
    word = r.choice(w.WORDS)
    lines = w.prose(r, r.randint(4, 12), avoid=[word]).splitlines()
    total, with_word = 0, 0
    for i in r.sample(range(len(lines)), r.randint(1, len(lines) - 1)):
        times = r.choice((1, 1, 2, 3))
        lines[i] = " ".join([lines[i], *([word] * times)])
        total, with_word = total + times, with_word + 1
    request = phrase(
        r,
        "How many times does the word {word} occur in {path}? Count every occurrence, even "
        "several on one line.",
        "Count each use of {word} in {path}, including repeats within a line.",
        word=word,
        path=path,
    )
    command = f"grep -ow {word} {path} | wc -l"
    check: dict[str, object] = {"answer": str(total)}
    if with_word != total:
        check["answer_none"] = [str(with_word)]
    return Draft(
        request,
        [command],
        [shell(command)],
        check,
        summary=f"{word} occurs {total} times.",
        files={path: "\n".join(lines) + "\n"},
    )


@template("sum-column", "count")
def sum_column(r: random.Random) -> Draft:
    path, _, header, rows = _csv(r)
    total = str(sum(int(row[2]) for row in rows))
    request = phrase(
        r,
        "What do the {col} values in {path} add up to?",
        "Give me the total of the {col} column of {path}.",
        col=header[2],
        path=path,
    )
    command = f"awk -F, 'NR > 1 {{ s += $3 }} END {{ print s }}' {path}"
    return Draft(
        request,
        [command],
        [read(path)],
        {"answer": total},
        summary=f"The {header[2]} column sums to {total}.",
        files={path: w.csv_text(header, rows)},
    )


@template("max-row", "count")
def max_row(r: random.Random) -> Draft:
    path, _, header, rows = _csv(r)
    values = r.sample(range(1, 900), len(rows))
    for row, value in zip(rows, values, strict=True):
        row[2] = str(value)
    best = max(rows, key=lambda row: int(row[2]))[0]
    request = phrase(
        r,
        "Which {name} in {path} has the highest {col}?",
        "Looking at {path}, whose {col} is the largest?",
        name=header[0],
        path=path,
        col=header[2],
    )
    command = f"tail -n +2 {path} | sort -t, -k3,3 -nr | head -n 1 | cut -d, -f1"
    others = [row[0] for row in rows if row[0] != best]
    return Draft(
        request,
        [command],
        [read(path)],
        {"answer": best, "answer_none": others},
        summary=f"{best} has the highest {header[2]}.",
        files={path: w.csv_text(header, rows)},
    )


LIST_KEYS = ("members", "tags", "plugins", "mirrors", "owners", "targets", "regions", "hosts")


@template("count-json-list", "count")
def count_json_list(r: random.Random) -> Draft:
    path = w.place(r, f"{r.choice(w.PROJECTS)}.json", r.randint(0, 2))
    key, other = r.sample(LIST_KEYS, 2)
    items = w.distinct(r, w.PEOPLE + w.CITIES, r.randint(1, 12))
    extra = w.distinct(r, w.ITEMS, r.randint(1, 6))
    data = {"name": r.choice(w.PROJECTS), key: items, other: extra, "version": r.randint(1, 9)}
    request = phrase(
        r,
        "How many entries are in the {key} list of {path}?",
        "{path} has a {key} array. How long is it?",
        key=key,
        path=path,
    )
    command = f"python3 -c \"import json; print(len(json.load(open('{path}'))['{key}']))\""
    check: dict[str, object] = {"answer": str(len(items))}
    if len(extra) != len(items):
        check["answer_none"] = [str(len(extra))]
    return Draft(
        request,
        [command],
        [read(path)],
        check,
        summary=f"The {key} list has {len(items)} entries.",
        files={path: w.json_text(data)},
    )


@template("count-nonblank-lines", "count")
def count_nonblank_lines(r: random.Random) -> Draft:
    path = w.place(r, w.stem_names(r, 1, r.choice(("txt", "md", "cfg")))[0], r.randint(0, 2))
    lines = w.prose(r, r.randint(3, 15)).splitlines()
    for _ in range(r.randint(1, 6)):
        lines.insert(r.randrange(len(lines) + 1), "")
    request = phrase(
        r,
        "How many lines of {path} have text on them? Blank lines don't count.",
        "Ignoring empty lines, how many lines long is {path}?",
        path=path,
    )
    filled = str(sum(bool(line) for line in lines))
    return Draft(
        request,
        [f"grep -c . {path}"],
        [shell(f"grep -c . {path}")],
        {"answer": filled, "answer_none": [str(len(lines))]},
        summary=f"{filled} non-empty lines.",
        files={path: "\n".join(lines) + "\n"},
    )


SHARED_KEYS = {"port": ("server", "database", "mail"), "timeout": ("auth", "worker")}


@template("read-ini-value", "read")
def read_ini_value(r: random.Random) -> Draft:
    key = r.choice(tuple(SHARED_KEYS))
    owners = SHARED_KEYS[key]
    path = w.place(r, f"{r.choice(w.PROJECTS)}.{r.choice(('ini', 'cfg', 'conf'))}", r.randint(0, 2))
    values = [str(v) for v in r.sample(range(20, 9999), len(owners))]
    sections = {
        s: {key: v, "enabled": r.choice(("yes", "no"))} for s, v in zip(owners, values, strict=True)
    }
    section = r.choice(owners)
    value = sections[section][key]
    request = phrase(
        r,
        "What {key} does the [{section}] section of {path} use?",
        "Look up the {section} {key} in {path}.",
        key=key,
        section=section,
        path=path,
    )
    command = f"sed -n '/^\\[{section}\\]/,/^\\[/p' {path} | grep '^{key}'"
    return Draft(
        request,
        [command],
        [read(path)],
        {"answer": value, "answer_none": [v for v in values if v != value]},
        summary=f"The [{section}] {key} is {value}.",
        read_off=True,
        files={path: w.ini_text(sections)},
    )


@template("read-json-nested", "read")
def read_json_nested(r: random.Random) -> Draft:
    path = w.place(r, f"{r.choice(('settings', 'config', 'app', 'service'))}.json", r.randint(0, 2))
    blocks = w.distinct(r, w.SECTIONS, r.randint(2, 4))
    key = r.choice(("port", "retries", "limit", "timeout"))
    values = r.sample(range(2, 9000), len(blocks))
    data = {
        b: {key: v, "name": f"{b}-{r.choice(w.PROJECTS)}"}
        for b, v in zip(blocks, values, strict=True)
    }
    block = r.choice(blocks)
    value = str(data[block][key])
    request = phrase(
        r,
        "In {path}, what is {block}.{key} set to?",
        "What {key} has the {block} entry in {path}?",
        path=path,
        block=block,
        key=key,
    )
    command = f"python3 -c \"import json; print(json.load(open('{path}'))['{block}']['{key}'])\""
    return Draft(
        request,
        [command],
        [read(path)],
        {"answer": value, "answer_none": [str(v) for v in values if str(v) != value]},
        summary=f"{block}.{key} is {value}.",
        read_off=True,
        files={path: w.json_text(data)},
    )


@template("read-line-n", "read")
def read_line_n(r: random.Random) -> Draft:
    path = w.place(r, w.stem_names(r, 1, r.choice(("txt", "md", "log")))[0], r.randint(0, 2))
    lines: list[str] = []
    size = r.randint(4, 14)
    while len(lines) < size:
        line = f"{w.sentence(r, r.randint(3, 6))} {r.choice(w.PEOPLE)} {r.randint(1, 999)}"
        if not any(line in other or other in line for other in lines):
            lines.append(line)
    n = r.randint(2, len(lines) - 1)
    request = phrase(
        r,
        "What is written on line {n} of {path}?",
        "Show me line number {n} of {path}, exactly as it is.",
        n=n,
        path=path,
    )
    command = f"sed -n '{n}p' {path}"
    return Draft(
        request,
        [command],
        [read(path)],
        {"answer": lines[n - 1], "answer_none": [lines[n - 2], lines[n]]},
        summary=f"Line {n} says: {lines[n - 1]}",
        files={path: "\n".join(lines) + "\n"},
    )


@template("read-md-owner", "read")
def read_md_owner(r: random.Random) -> Draft:
    path = w.place(r, f"{r.choice(('PLAN', 'roadmap', 'owners', 'projects'))}.md", r.randint(0, 2))
    projects = w.distinct(r, w.PROJECTS, r.randint(3, 6))
    people = w.distinct(r, w.PEOPLE, len(projects))
    text = "# Workstreams\n\n" + "\n".join(
        f"## {p.title()}\n\nOwner: {o}\nDue: 2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}\n"
        for p, o in zip(projects, people, strict=True)
    )
    i = r.randrange(len(projects))
    request = phrase(
        r,
        "According to {path}, who owns the {project} workstream?",
        "Who is named as the owner of {project} in {path}?",
        path=path,
        project=projects[i].title(),
    )
    command = f"grep -A2 '^## {projects[i].title()}$' {path} | grep Owner"
    return Draft(
        request,
        [command],
        [read(path)],
        {"answer": people[i], "answer_none": [p for p in people if p != people[i]]},
        summary=f"{people[i]} owns {projects[i].title()}.",
        files={path: text},
    )


@template("last-log-time", "read")
def last_log_time(r: random.Random) -> Draft:
    path, records, text = _log(r)
    counts = Counter(rec[1] for rec in records)
    level = r.choice(sorted(lvl for lvl, n in counts.items() if n >= 2))  # one is earlier
    times = [rec[0] for rec in records if rec[1] == level]
    request = phrase(
        r,
        "When was the last {level} entry written to {path}? Give its timestamp.",
        "At what time did {path} log its most recent {level} line?",
        level=level,
        path=path,
    )
    command = f"grep -w {level} {path} | tail -n 1"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"answer": times[-1], "answer_none": times[:-1]},
        summary=f"The last {level} line is from {times[-1]}.",
        files={path: text},
    )


@template("count-to-file", "multi")
def count_to_file(r: random.Random) -> Draft:
    path, records, text = _log(r)
    component = r.choice(QUIET_COMPONENTS)
    at = r.randrange(len(records))  # it shows up at least once
    records[at] = (records[at][0], records[at][1], component, records[at][3])
    text = w.log_text(records, w.log_style(r))
    count = str(sum(rec[2] == component for rec in records))
    what = r.choice(("count", "lines", "total"))
    out = f"{r.choice(('counts', 'out', 'report', 'tmp'))}/{component}_{what}.txt"
    request = phrase(
        r,
        "Count how many lines of {path} come from the {component} component and write only that "
        "number into {out}.",
        "Store the number of {component} entries in {path} in a new file {out} (just the number).",
        path=path,
        component=component,
        out=out,
    )
    folder = out.rsplit("/", 1)[0]
    command = f"mkdir -p {folder} && grep -cw {component} {path} > {out}"
    return Draft(
        request,
        [command],
        [shell(f"grep -cw {component} {path}"), write(out, count + "\n")],
        {"file_equals": {out: count + "\n"}},
        files={path: text},
    )
