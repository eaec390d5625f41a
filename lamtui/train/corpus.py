"""The public NL → command corpora shipped as package data (NL2Bash, MIT; tldr-pages,
CC-BY 4.0), made concrete: tldr's placeholders become real names, and the request says
which names it is about. Each pair keeps its source for the data card and attribution."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

SOURCES = ("nl2bash", "tldr")
LICENCES = {"nl2bash": "MIT", "tldr": "CC-BY-4.0"}

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
_OPTION_ALTERNATIVES = re.compile(r"^\[(-[^|\]]*)\|[^\]]*\]$")
_WORD_ALTERNATIVES = re.compile(r"^\[([\w-]+)\|[^\]]*\]$")

FILE_NAMES = (
    "notes.txt",
    "report.csv",
    "data.json",
    "app.log",
    "main.py",
    "readme.md",
    "todo.txt",
    "config.ini",
    "build.sh",
    "index.html",
    "users.csv",
    "server.log",
    "setup.py",
    "list.txt",
)
DIR_NAMES = ("docs", "src", "backup", "logs", "data", "photos", "project", "build", "archive")
# Generic values by placeholder word; anything not here and not a plain word is dropped.
VALUES = {
    "username": "alice",
    "user": "alice",
    "name": "demo",
    "password": "secret",
    "package": "htop",
    "package_name": "htop",
    "command": "ls",
    "value": "42",
    "port": "8080",
    "host": "example.com",
    "hostname": "example.com",
    "domain": "example.com",
    "url": "https://example.com",
    "pattern": "error",
    "search_pattern": "error",
    "regex": "err.*",
    "string": "hello",
    "keyword": "error",
    "message": "update",
    "number": "5",
    "n": "5",
    "count": "5",
    "pid": "1234",
    "group_name": "staff",
    "group": "staff",
    "branch_name": "main",
    "branch": "main",
    "remote_name": "origin",
    "tag": "v1.0",
    "version": "1.0",
    "key": "color",
    "variable": "HOME",
    "target": "all",
    "ip_address": "192.0.2.10",
    "width": "80",
    "height": "24",
    "extension": "txt",
    "text": "hello",
    "mode": "644",
    "permissions": "644",
    "seconds": "5",
    "size": "10M",
}


@dataclass
class Pair:
    """One request and the command that does it, with the names it needs to exist."""

    id: str
    source: str
    nl: str
    cmd: str
    files: list[str] = field(default_factory=list)  # workspace files the command uses
    dirs: list[str] = field(default_factory=list)  # workspace folders it uses
    page: str = ""


def _open(source: str) -> Iterator[dict[str, str]]:
    data = resources.files("lamtui.train") / "data" / source / "pairs.jsonl.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def licence_file(source: str) -> Path:
    folder = resources.files("lamtui.train") / "data" / source
    return Path(str(next(p for p in folder.iterdir() if p.name.startswith("LICENSE"))))


def pair_id(source: str, nl: str, cmd: str) -> str:
    return source + "-" + hashlib.sha1(f"{nl}\0{cmd}".encode()).hexdigest()[:10]


class _Names:
    """Concrete, distinct names for one command's path placeholders."""

    def __init__(self, seed: str) -> None:
        self.offset = int(hashlib.sha1(seed.encode()).hexdigest()[:6], 16)
        self.files: list[str] = []
        self.dirs: list[str] = []
        self.by_text: dict[str, str] = {}

    def _pick(self, pool: tuple[str, ...], used: list[str]) -> str:
        for i in range(len(pool)):
            name = pool[(self.offset + i) % len(pool)]
            if name not in used:
                return name
        return f"{pool[0]}{len(used)}"

    def path(self, text: str) -> str:
        if text in self.by_text:
            return self.by_text[text]
        last = text.rstrip("/").rsplit("/", 1)[-1]
        if re.fullmatch(r"[\w-]+\.[\w.]{1,8}", last) and not last.startswith("file"):
            name = last  # the placeholder already names a concrete file: image.png
            self.files.append(name)
        elif any(w in last for w in ("dir", "folder")) or last in ("path", "source", "target"):
            name = self._pick(DIR_NAMES, self.dirs)
            self.dirs.append(name)
        else:
            name = self._pick(FILE_NAMES, self.files)
            self.files.append(name)
        self.by_text[text] = name
        return name


def _fill(placeholder: str, names: _Names) -> str | None:
    inner = placeholder.strip()
    option = _OPTION_ALTERNATIVES.match(inner)
    if option:
        return option.group(1)  # {{[-r|--recursive]}}: the short option
    word = _WORD_ALTERNATIVES.match(inner)
    if word:
        return word.group(1)
    parts = [p for p in inner.split() if p != "..."]
    if parts and all(p.startswith(("path/to/", "~/path/to/")) for p in parts):
        return " ".join(names.path(p) for p in parts)
    if re.fullmatch(r"-?[\d.]+[KMG]?|[\w.-]+\.(com|org|net)|https?://\S+|/dev/\w+", inner):
        return inner  # already concrete: 100, example.com, /dev/sdX
    key = inner.lower().replace(" ", "_")
    if key in VALUES:
        return VALUES[key]
    if re.fullmatch(r"[a-z][a-z0-9_]{1,20}", key):
        return key.rsplit("_", 1)[0] if key.endswith("_name") else key
    return None


_GENERIC_FILE = re.compile(r"\b(an? |the |a given |a specific )(file|text file)\b", re.I)
_GENERIC_DIR = re.compile(r"\b(an? |the |a given |a specific )(directory|folder)\b", re.I)


def _mention(nl: str, files: list[str], dirs: list[str]) -> str:
    """The request with its generic nouns replaced by the concrete names, or with the
    names added, so the request says what the command touches."""
    text = nl.strip().rstrip(".")
    rest_files, rest_dirs = list(files), list(dirs)
    if rest_files and _GENERIC_FILE.search(text):
        text = _GENERIC_FILE.sub(lambda m: f"{m.group(2)} {rest_files[0]}", text, count=1)
        rest_files.pop(0)
    if rest_dirs and _GENERIC_DIR.search(text):
        text = _GENERIC_DIR.sub(lambda m: f"{m.group(2)} {rest_dirs[0]}", text, count=1)
        rest_dirs.pop(0)
    extra = rest_files + [d + "/" for d in rest_dirs]
    return f"{text} ({', '.join(extra)})" if extra else text


def concrete_tldr(nl: str, cmd: str) -> tuple[str, str, list[str], list[str]] | None:
    """(request, command, files, dirs) with every placeholder filled, or None."""
    names = _Names(cmd)
    failed = False

    def sub(match: re.Match[str]) -> str:
        nonlocal failed
        value = _fill(match.group(1), names)
        if value is None:
            failed = True
            return ""
        return value

    concrete = _PLACEHOLDER.sub(sub, cmd)
    if failed or "{{" in concrete or "}}" in concrete:
        return None
    return _mention(nl, names.files, names.dirs), concrete, names.files, names.dirs


_PATHLIKE = re.compile(r"^(?:\./)?([\w-]+/)*[\w-]+\.[A-Za-z][\w]{0,5}$")


def nl2bash_names(cmd: str) -> tuple[list[str], list[str]]:
    """Relative file names an NL2Bash command reads, so a workspace can hold them."""
    files: list[str] = []
    dirs: list[str] = []
    for word in re.split(r"[\s;|&<>()'\"=]+", cmd):
        if word.startswith("-") or "*" in word or "$" in word:
            continue
        if _PATHLIKE.match(word) and not word.startswith("/"):
            name = word.removeprefix("./")
            if name not in files:
                files.append(name)
                if "/" in name:
                    dirs.append(name.rsplit("/", 1)[0])
    return files[:6], dirs[:4]


def load_pairs() -> Iterator[Pair]:
    """Every usable pair of both corpora, concrete; unusable tldr templates are left out."""
    for row in _open("nl2bash"):
        nl, cmd = row["nl"].strip(), row["cmd"].strip()
        if not nl or not cmd:
            continue
        files, dirs = nl2bash_names(cmd)
        yield Pair(pair_id("nl2bash", nl, cmd), "nl2bash", nl, cmd, files, dirs)
    for row in _open("tldr"):
        made = concrete_tldr(row["nl"], row["cmd"])
        if made is None:
            continue
        request, cmd, files, dirs = made
        yield Pair(
            pair_id("tldr", row["nl"], row["cmd"]),
            "tldr",
            request,
            cmd,
            files,
            dirs,
            page=row.get("page", ""),
        )
