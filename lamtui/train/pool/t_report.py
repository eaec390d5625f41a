"""Templates that transform data into a new file: columns, distinct values, filtered and
trimmed logs, CSV from JSON, joined files, per-level counts, per-group splits, a JSON of
extremes; and a replacement across a tree that is then verified (find → transform →
verify)."""

from __future__ import annotations

import json
import random

from lamtui.train.pool import words as w
from lamtui.train.pool.base import Draft, phrase, read, shell, template, write
from lamtui.train.pool.t_count import QUIET_COMPONENTS

OUT_DIRS = ("out", "reports", "build", "export", "results")


def _out(r: random.Random, stem: str, ext: str) -> str:
    return (
        w.place(r, f"{stem}.{ext}", r.randint(0, 1))
        if r.random() < 0.5
        else f"{r.choice(OUT_DIRS)}/{stem}.{ext}"
    )


def _mkdir(path: str) -> str:
    return f"mkdir -p {path.rsplit('/', 1)[0]} && " if "/" in path else ""


def _table(r: random.Random, groups: int = 3) -> tuple[str, tuple[str, ...], list[list[str]]]:
    kind = r.choice(tuple(w.TABLES))
    header, rows = w.table(r, kind, r.randint(3, 12), groups)
    return w.place(r, f"{kind}_{r.choice(w.PROJECTS)}.csv", r.randint(0, 2)), header, rows


@template("distinct-sorted", "report")
def distinct_sorted(r: random.Random) -> Draft:
    path, header, rows = _table(r, r.randint(2, 5))
    out = _out(r, f"{header[1]}s", "txt")
    want = "".join(f"{g}\n" for g in sorted({row[1] for row in rows}))
    request = phrase(
        r,
        "Write the different {col} values of {path} into {out}, sorted A to Z, one per line, each "
        "once.",
        "List each {col} that occurs in {path} exactly once, alphabetically, in {out}.",
        col=header[1],
        path=path,
        out=out,
    )
    command = f"{_mkdir(out)}tail -n +2 {path} | cut -d, -f2 | sort -u > {out}"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"file_equals": {out: want}},
        files={path: w.csv_text(header, rows)},
    )


@template("extract-column", "report")
def extract_column(r: random.Random) -> Draft:
    path, header, rows = _table(r)
    i = r.choice((0, 2))
    out = _out(r, header[i], "txt")
    want = "".join(row[i] + "\n" for row in rows)
    request = phrase(
        r,
        "Copy the {col} column of {path} into {out}, one value per line, without the header, in "
        "the file's order.",
        "Extract just the {col} values from {path} (no header) and save them to {out}.",
        col=header[i],
        path=path,
        out=out,
    )
    command = f"{_mkdir(out)}tail -n +2 {path} | cut -d, -f{i + 1} > {out}"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"file_equals": {out: want}},
        files={path: w.csv_text(header, rows)},
    )


def _log(r: random.Random) -> tuple[str, list[tuple[str, str, str, str]], str]:
    records = w.log_records(r, r.randint(8, 30))
    style = w.log_style(r)
    path = w.place(
        r, f"{r.choice(('app', 'service', 'server', 'daemon'))}{r.choice(('', '-2', '.1'))}.log"
    )
    return path, records, style


@template("filter-log", "report")
def filter_log(r: random.Random) -> Draft:
    path, records, style = _log(r)
    component = r.choice(QUIET_COMPONENTS)
    at = r.randrange(len(records))
    records[at] = (records[at][0], records[at][1], component, records[at][3])
    out = _out(r, f"{component}_only", "log")
    want = "".join(w.log_line(rec, style) + "\n" for rec in records if rec[2] == component)
    request = phrase(
        r,
        "Put all the lines of {path} that come from the {component} component into {out}, "
        "unchanged and in order.",
        "I only care about {component}: save its lines from {path} to {out}.",
        path=path,
        component=component,
        out=out,
    )
    command = f"{_mkdir(out)}grep -w {component} {path} > {out}"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"file_equals": {out: want}},
        files={path: w.log_text(records, style)},
    )


@template("json-to-csv", "report")
def json_to_csv(r: random.Random) -> Draft:
    src = w.place(
        r, f"{r.choice(('stock', 'order', 'parts'))}_{r.choice(w.PROJECTS)}.json", r.randint(0, 2)
    )
    out = src[: -len(".json")] + ".csv" if r.random() < 0.5 else _out(r, "table", "csv")
    entries = [
        {"name": n, "qty": r.randint(0, 300)} for n in w.distinct(r, w.ITEMS, r.randint(2, 8))
    ]
    want = "name,qty\n" + "".join(f"{e['name']},{e['qty']}\n" for e in entries)
    request = phrase(
        r,
        "Turn {src} into {out}: a header line name,qty and then one line per entry, in the same "
        "order.",
        "Convert the list in {src} to CSV at {out} with the columns name and qty (header first).",
        src=src,
        out=out,
    )
    command = (
        f"{_mkdir(out)}python3 -c \"import json; rows = json.load(open('{src}')); "
        f"print('name,qty'); [print(f\\\"{{e['name']}},{{e['qty']}}\\\") for e in rows]\" > {out}"
    )
    return Draft(
        request,
        [command],
        [read(src), write(out, want)],
        {"file_equals": {out: want}},
        files={src: json.dumps(entries, indent=2) + "\n"},
    )


@template("concat-files", "report")
def concat_files(r: random.Random) -> Draft:
    d = w.folder(r)
    stems = sorted(w.distinct(r, w.STEMS, r.randint(2, 5)))
    texts = {s: w.prose(r, r.randint(1, 3)) for s in stems}
    files = {f"{d}/{s}.txt": texts[s] for s in stems}
    files[f"{d}/{r.choice(w.STEMS)}.csv"] = "a,b\n1,2\n"  # not a .txt: not joined
    out = f"{r.choice(('all', 'joined', 'combined', 'merged'))}_{r.choice(w.PROJECTS)}.txt"
    request = phrase(
        r,
        "Join all the .txt files in {d}/ into {out}, taking them in alphabetical order of their "
        "names.",
        "Concatenate {d}/*.txt, alphabetically by file name, into one file {out}.",
        d=d,
        out=out,
    )
    command = f"cat $(ls {d}/*.txt | LC_ALL=C sort) > {out}"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"file_equals": {out: "".join(texts[s] for s in stems)}},
        files=files,
    )


@template("tail-to-file", "report")
def tail_to_file(r: random.Random) -> Draft:
    path, records, style = _log(r)
    n = r.randint(2, min(12, len(records) - 1))
    out = _out(r, f"last_{n}", "log")
    want = "".join(w.log_line(rec, style) + "\n" for rec in records[-n:])
    request = phrase(
        r,
        "Save the last {n} lines of {path} as {out}.",
        "Keep only the final {n} entries of {path}, in a new file {out}.",
        n=n,
        path=path,
        out=out,
    )
    command = f"{_mkdir(out)}tail -n {n} {path} > {out}"
    return Draft(
        request,
        [command],
        [shell(command)],
        {"file_equals": {out: want}},
        files={path: w.log_text(records, style)},
    )


@template("level-report", "multi")
def level_report(r: random.Random) -> Draft:
    path, records, style = _log(r)
    counts: dict[str, int] = {}
    for rec in records:
        counts[rec[1]] = counts.get(rec[1], 0) + 1
    out = _out(r, "levels", "txt")
    want = "".join(f"{lvl} {counts[lvl]}\n" for lvl in sorted(counts))
    request = phrase(
        r,
        "Write {out} with one line per log level found in {path}, in the form '<LEVEL> <count>', "
        "sorted by level name.",
        "Tally {path} by level: {out} gets lines like 'ERROR 3', one per level, levels in "
        "alphabetical order.",
        out=out,
        path=path,
    )
    command = (
        f"{_mkdir(out)}grep -owE 'INFO|WARN|ERROR|DEBUG' {path} | sort | uniq -c "
        f"| awk '{{print $2, $1}}' > {out}"
    )
    return Draft(
        request,
        [command],
        [shell(f"grep -owE 'INFO|WARN|ERROR|DEBUG' {path} | sort | uniq -c"), write(out, want)],
        {"file_equals": {out: want}},
        files={path: w.log_text(records, style)},
    )


@template("replace-in-tree", "multi")
def replace_in_tree(r: random.Random) -> Draft:
    top = w.folder(r, r.randint(1, 2))
    p1, p2 = r.sample(w.PROJECTS, 2)
    old, new = f"{p1}-db", f"{p2}-db"
    ext, other = r.sample(("conf", "ini", "yaml", "env", "txt"), 2)
    targets = [
        f"{top}/{w.place(r, n, r.randint(0, 2))}" for n in w.stem_names(r, r.randint(2, 4), ext)
    ]
    decoys = [
        f"{top}/{w.place(r, n, r.randint(0, 1))}" for n in w.stem_names(r, r.randint(1, 2), other)
    ]
    files = {
        p: f"host: {old}\n# primary is {old}\nport: {r.randint(1000, 9999)}\n" for p in targets
    }
    files.update({p: f"mirror of {old}\n" for p in decoys})
    plain = f"{top}/{r.choice(w.STEMS)}_plain.{ext}"
    files[plain] = w.prose(r, 2)  # no match: untouched
    request = phrase(
        r,
        "Replace {old} with {new} in every .{ext} file under {top}/ (subfolders too). Files of "
        "other types must not change.",
        "We renamed the database host {old} to {new}. Update all the {ext} files in the {top} "
        "tree, and only those.",
        old=old,
        new=new,
        ext=ext,
        top=top,
    )
    find = f"grep -rl --include='*.{ext}' {old} {top}"
    return Draft(
        request,
        [f"{find} | xargs sed -i 's/{old}/{new}/g'", f"grep -rc {new} {top}"],
        [
            shell(find),
            shell(f"{find} | xargs sed -i 's/{old}/{new}/g'"),
            shell(f"grep -rn {old} {top} || echo 'no {old} left'"),
        ],
        {
            "file_lacks": {p: [old] for p in targets},
            "file_contains": {p: [f"host: {new}", f"primary is {new}"] for p in targets},
            "unchanged": [*decoys, plain],
        },
        files=files,
    )


@template("split-by-group", "report")
def split_by_group(r: random.Random) -> Draft:
    path, header, rows = _table(r, r.randint(2, 4))
    outdir = f"{r.choice(OUT_DIRS)}/by_{header[1]}"
    groups = sorted({row[1] for row in rows})
    head = ",".join(header) + "\n"
    want = {
        f"{outdir}/{g}.csv": head + "".join(",".join(x) + "\n" for x in rows if x[1] == g)
        for g in groups
    }
    request = phrase(
        r,
        "Split {path} into one file per {col} in {outdir}/, named <{col}>.csv, each starting with "
        "the header line.",
        "For every {col} in {path}, write {outdir}/<{col}>.csv holding the header and that "
        "{col}'s rows.",
        path=path,
        col=header[1],
        outdir=outdir,
    )
    command = (
        f"mkdir -p {outdir} && awk -F, -v dir={outdir} 'NR == 1 {{ h = $0; next }} "
        f'{{ f = dir "/" $2 ".csv"; if (!(f in seen)) {{ print h > f; seen[f] = 1 }} '
        f"print > f }}' {path}"
    )
    return Draft(
        request,
        [command],
        [shell(command)],
        {"file_equals": want},
        files={path: w.csv_text(header, rows)},
    )


@template("extremes-json", "multi")
def extremes_json(r: random.Random) -> Draft:
    path, header, rows = _table(r)
    values = r.sample(range(1, 999), len(rows))
    for row, value in zip(rows, values, strict=True):
        row[2] = str(value)
    out = _out(r, f"{header[2]}_range", "json")
    request = phrase(
        r,
        'Write {out} as a JSON object with the keys "smallest" and "largest": the lowest and '
        "highest {col} in {path}, as numbers.",
        'From {path}, save the minimum and maximum {col} to {out} under "smallest" and "largest".',
        out=out,
        col=header[2],
        path=path,
    )
    command = (
        f"{_mkdir(out)}python3 -c \"import csv, json; v = [int(x['{header[2]}']) for x in "
        f"csv.DictReader(open('{path}'))]; "
        f"print(json.dumps({{'smallest': min(v), 'largest': max(v)}}))\" > {out}"
    )
    config = [
        {"path": out, "key": "smallest", "value": min(values)},
        {"path": out, "key": "largest", "value": max(values)},
    ]
    content = w.json_text({"smallest": min(values), "largest": max(values)})
    return Draft(
        request,
        [command],
        [read(path), write(out, content)],
        {"config": config},
        files={path: w.csv_text(header, rows)},
    )
