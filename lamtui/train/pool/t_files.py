"""Templates that organise files: move, rename, delete by pattern, make folders, change
permissions, pack an archive, flatten a tree, and back up before an edit (copy → edit)."""

from __future__ import annotations

import random

from lamtui.train.pool import words as w
from lamtui.train.pool.base import Draft, edit, phrase, shell, template

EXTS = ("md", "csv", "json", "log", "txt", "yaml", "png", "pdf", "html")


def _binaryish(r: random.Random, name: str) -> str:
    """Text stands in for images and documents: only names matter to these tasks."""
    return w.content_for(r, name) if not name.endswith((".png", ".pdf")) else w.sentence(r) + "\n"


@template("move-by-extension", "organise")
def move_by_extension(r: random.Random) -> Draft:
    d = w.folder(r)
    ext, other = r.sample(EXTS, 2)
    sub = r.choice([f for f in w.SUBFOLDERS if f not in d.split("/")])
    moving = w.stem_names(r, r.randint(2, 5), ext)
    staying = w.stem_names(r, r.randint(1, 4), other)
    files = {f"{d}/{n}": _binaryish(r, n) for n in moving + staying}
    request = phrase(
        r,
        "Move every .{ext} file in {d}/ into {d}/{sub}/ (create it); leave the other files where "
        "they are.",
        "Gather the {ext} files of {d}/ in a subfolder {d}/{sub}/. Nothing else moves.",
        ext=ext,
        d=d,
        sub=sub,
    )
    command = f"mkdir -p {d}/{sub} && mv {d}/*.{ext} {d}/{sub}/"
    return Draft(
        request,
        [command],
        [shell(command)],
        {
            "exists": [f"{d}/{sub}/{n}" for n in moving] + [f"{d}/{n}" for n in staying],
            "absent": [f"{d}/{n}" for n in moving],
        },
        files=files,
    )


@template("lowercase-names", "organise")
def lowercase_names(r: random.Random) -> Draft:
    d = w.folder(r)
    lower = w.stem_names(r, r.randint(3, 6), r.choice(EXTS))
    shouting = r.sample(lower, r.randint(1, len(lower)))
    names = {
        n: (n.title() if r.random() < 0.5 else n.upper()) if n in shouting else n for n in lower
    }
    files = {f"{d}/{shown}": _binaryish(r, n) for n, shown in names.items()}
    request = phrase(
        r,
        "Rename the files in {d}/ so their names are all lower case.",
        "Some file names in {d}/ have capitals. Make every name there lowercase.",
        d=d,
    )
    command = (
        f'for f in {d}/*; do b=$(basename "$f"); l=$(echo "$b" | tr A-Z a-z); '
        f'[ "$b" = "$l" ] || mv "$f" "{d}/$l"; done'
    )
    return Draft(
        request,
        [command],
        [shell(command)],
        {
            "exists": [f"{d}/{n}" for n in lower],
            "absent": [f"{d}/{s}" for n, s in names.items() if s != n],
        },
        files=files,
    )


@template("delete-by-pattern", "organise")
def delete_by_pattern(r: random.Random) -> Draft:
    top = w.folder(r, r.randint(1, 2))
    junk_ext = r.choice(("tmp", "bak", "swp", "orig", "old"))
    keep = w.stem_names(r, r.randint(2, 5), r.choice(EXTS))
    junk = [f"{n}.{junk_ext}" for n in w.stem_names(r, r.randint(1, 4), r.choice(EXTS))]
    decoy = f"{r.choice(w.STEMS)}.{junk_ext}.txt"  # ends in .txt: it stays
    paths = {n: w.place(r, n, r.randint(0, 2)) for n in [*keep, *junk, decoy]}
    files = {f"{top}/{p}": w.prose(r, 1) for p in paths.values()}
    request = phrase(
        r,
        "Clean up {top}/: delete every file whose name ends in .{ext}, at any depth, and nothing "
        "else.",
        "Remove the leftover .{ext} files anywhere under {top}/. Keep all other files.",
        top=top,
        ext=junk_ext,
    )
    command = f"find {top} -type f -name '*.{junk_ext}' -delete"
    return Draft(
        request,
        [command],
        [shell(command)],
        {
            "absent": [f"{top}/{paths[n]}" for n in junk],
            "exists": [f"{top}/{paths[n]}" for n in [*keep, decoy]],
        },
        files=files,
    )


@template("make-folders", "organise")
def make_folders(r: random.Random) -> Draft:
    base = r.choice(w.PROJECTS)
    wanted: list[str] = []
    size = r.randint(2, 4)
    while len(wanted) < size:
        path = f"{base}/{w.folder(r, r.randint(1, 3))}"
        if path not in wanted:
            wanted.append(path)
    request = phrase(
        r,
        "Create the folders {paths}, with any parent folders they need.",
        "Set up this directory layout: {paths}.",
        paths=", ".join(f"{p}/" for p in wanted),
    )
    test = " && ".join(f"test -d {p}" for p in wanted)
    command = "mkdir -p " + " ".join(wanted)
    return Draft(
        request,
        [command],
        [shell(command)],
        {"exists": wanted, "run": [{"command": test}]},
        files={f"{base}/README.md": f"# {base}\n"},
    )


@template("chmod-by-extension", "permissions")
def chmod_by_extension(r: random.Random) -> Draft:
    d = w.folder(r)
    scripts = w.stem_names(r, r.randint(1, 4), "sh")
    others = w.stem_names(r, r.randint(1, 4), r.choice(("md", "txt", "conf", "py")))
    files = {f"{d}/{n}": w.content_for(r, n) for n in scripts + others}
    request = phrase(
        r,
        "Make the .sh files in {d}/ executable, but not the other files there.",
        "Give the shell scripts in {d}/ the execute bit; the rest of {d}/ stays non-executable.",
        d=d,
    )
    command = f"chmod +x {d}/*.sh"
    return Draft(
        request,
        [command],
        [shell(command)],
        {
            "executable": [f"{d}/{n}" for n in scripts],
            "not_executable": [f"{d}/{n}" for n in others],
        },
        files=files,
        modes={p: "644" for p in files},
    )


@template("chmod-private", "permissions")
def chmod_private(r: random.Random) -> Draft:
    stem = r.choice(("password", "token", "credentials", "wallet", "api_key"))
    suffix = r.choice(("", "_prod", "_old", "_" + r.choice(w.PROJECTS)))
    name = f"{stem}{suffix}.{r.choice(('txt', 'key', 'secret'))}"
    path = w.place(r, name, r.randint(0, 2))
    mode = r.choice(("600", "400"))
    wording = "read and write" if mode == "600" else "read, not even write"
    request = phrase(
        r,
        "{path} holds a secret. Set its permissions so that its owner may {wording} it and nobody "
        "else has any access (mode {mode}).",
        "Lock down {path}: mode {mode}, owner {wording} only, no rights for group or others.",
        path=path,
        wording=wording,
        mode=mode,
    )
    return Draft(
        request,
        [f"chmod {mode} {path}"],
        [shell(f"chmod {mode} {path}")],
        {"modes": {path: mode}},
        files={path: f"{r.choice(w.PROJECTS)}-{r.randint(1000, 9999)}\n"},
        modes={path: "644"},
    )


@template("archive-folder", "organise")
def archive_folder(r: random.Random) -> Draft:
    d = w.folder(r, r.randint(1, 2))
    names = w.stem_names(r, r.randint(2, 5), r.choice(EXTS))
    files = {f"{d}/{w.place(r, n, r.randint(0, 1))}": _binaryish(r, n) for n in names}
    archive = f"{d.replace('/', '-')}-{r.choice(('backup', 'snapshot', 'export'))}.tar.gz"
    request = phrase(
        r,
        "Pack {d}/ into a gzipped tarball called {archive}, in the current folder.",
        "Make a .tar.gz of the {d} folder named {archive}.",
        d=d,
        archive=archive,
    )
    command = f"tar -czf {archive} {d}"
    return Draft(
        request,
        [command],
        [shell(command)],
        {
            "exists": [archive],
            "run": [{"command": f"tar -tzf {archive}", "output_contains": list(files)}],
        },
        files=files,
    )


@template("backup-then-edit", "multi")
def backup_then_edit(r: random.Random) -> Draft:
    path = w.place(r, f"{r.choice(w.PROJECTS)}.{r.choice(('ini', 'conf'))}", r.randint(0, 2))
    sections = w.ini_sections(r, r.randint(1, 3))
    section = r.choice(list(sections))
    key = r.choice(list(sections[section]))
    new = str(r.randint(10000, 99999))
    text = w.ini_text(sections)
    old_block = w.ini_text({section: sections[section]})
    new_block = w.ini_text({section: {**sections[section], key: new}})
    request = phrase(
        r,
        "Before changing anything, keep a copy of {path} as {path}.bak; then set {key} in "
        "[{section}] to {new} in the original.",
        "Save {path} as {path}.bak first, then change the {section} {key} in {path} to {new}.",
        path=path,
        key=key,
        section=section,
        new=new,
    )
    sed = f"sed -i '/^\\[{section}\\]/,/^\\[/ s/^{key} = .*/{key} = {new}/' {path}"
    return Draft(
        request,
        [f"cp {path} {path}.bak", sed],
        [shell(f"cp {path} {path}.bak"), edit(path, old_block, new_block)],
        {
            "file_equals": {f"{path}.bak": text},
            "config": [{"path": path, "key": f"{section}.{key}", "value": new}],
        },
        files={path: text},
    )


@template("flatten-folder", "organise")
def flatten_folder(r: random.Random) -> Draft:
    d = w.folder(r, r.randint(1, 2))
    subs = w.distinct(r, [f for f in w.SUBFOLDERS if f not in d.split("/")], r.randint(1, 3))
    names = w.stem_names(r, r.randint(2, 6), r.choice(EXTS))
    where = {n: r.choice(subs) for n in names}
    files = {f"{d}/{where[n]}/{n}": _binaryish(r, n) for n in names}
    request = phrase(
        r,
        "Move every file from the subfolders of {d}/ up into {d}/ itself, then remove the emptied "
        "subfolders.",
        "Flatten {d}/: all files directly in it, no subdirectories left.",
        d=d,
    )
    command = (
        f"find {d} -mindepth 2 -type f -exec mv {{}} {d}/ \\; && "
        f"find {d} -mindepth 1 -type d -empty -delete"
    )
    return Draft(
        request,
        [command],
        [shell(command)],
        {"exists": [f"{d}/{n}" for n in names], "absent": [f"{d}/{s}" for s in subs]},
        files=files,
    )


RENAMES = (("txt", "md"), ("jpeg", "jpg"), ("htm", "html"), ("yml", "yaml"), ("text", "txt"))


@template("change-extension", "organise")
def change_extension(r: random.Random) -> Draft:
    d = w.folder(r)
    old, new = r.choice(RENAMES)
    renamed = w.stem_names(r, r.randint(2, 5), old)
    others = w.stem_names(r, r.randint(0, 3), r.choice(("csv", "log", "pdf")))
    files = {f"{d}/{n}": w.prose(r, 1) for n in renamed + others}
    request = phrase(
        r,
        "Change the extension of every .{old} file in {d}/ to .{new}.",
        "Rename the {d}/*.{old} files so they end in .{new} instead.",
        old=old,
        new=new,
        d=d,
    )
    command = f'for f in {d}/*.{old}; do mv "$f" "${{f%.{old}}}.{new}"; done'
    stems = [n[: -len(old) - 1] for n in renamed]
    return Draft(
        request,
        [command],
        [shell(command)],
        {
            "exists": [f"{d}/{s}.{new}" for s in stems] + [f"{d}/{n}" for n in others],
            "absent": [f"{d}/{n}" for n in renamed],
        },
        files=files,
    )
