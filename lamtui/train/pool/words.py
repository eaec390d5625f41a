"""Names and contents for the pool's fixtures: folder trees of varied depth, and text in
the formats a terminal user meets (log, csv, json, ini, py, md, txt). Everything is drawn
from a random.Random, so a seed fixes it. The folder and word pools extend the training
templates' (train/builders.py)."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

from lamtui.train.builders import DIRS as _BUILDER_DIRS
from lamtui.train.builders import WORDS as _BUILDER_WORDS


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PROJECTS = _words(
    "atlas birch comet delta ember fjord garnet harbor iris juniper kestrel lumen "
    "meadow nimbus orchid pebble quartz raven sierra tundra umber vega willow yonder "
    "zephyr cobalt maple"
)
FOLDERS = tuple(
    dict.fromkeys(
        _BUILDER_DIRS
        + _words(
            "src misc shared vendor tools media exports incoming staging team clients "
            "q1 q2 q3 q4 2023 2024"
        )
    )
)
SUBFOLDERS = tuple(f for f in FOLDERS if len(f) > 2 and not f.isdigit())
STEMS = _words(
    "notes report summary draft results inventory budget plan agenda minutes roster "
    "ledger changelog backlog survey readings metrics release contacts schedule "
    "invoice catalog journal digest memo checklist export snapshot timeline overview"
)
PEOPLE = _words(
    "alice bruno chen dara elif farid greta hiro ines jonas kofi lena mateo nadia "
    "omar priya quinn rosa sven tariq uma viktor wen yara zoe anouk bjorn carmen "
    "dmitri esme"
)
ITEMS = _words(
    "anvil bolt cable drill easel funnel gasket hinge insole jack kettle ladder "
    "mallet nozzle oar pliers quiver rivet shovel trowel valve wrench sprocket "
    "spindle clamp chisel"
)
CITIES = _words(
    "lisbon oslo quito lagos hanoi perth lima cairo dublin seoul tunis riga accra "
    "porto kyoto malmo bergen graz leeds turin"
)
REGIONS = _words("north south east west central coastal alpine")
COMPONENTS = _words(
    "auth billing cache db mailer scheduler api worker search upload gateway metrics "
    "queue payments sync cron"
)
LEVELS = ("INFO", "WARN", "ERROR", "DEBUG")
MESSAGES = {
    "INFO": (
        "request served",
        "job queued",
        "user logged in",
        "cache warmed",
        "config loaded",
        "connection opened",
        "task completed",
        "heartbeat ok",
    ),
    "WARN": (
        "slow response",
        "retrying request",
        "disk usage high",
        "token near expiry",
        "queue backlog growing",
        "deprecated option used",
    ),
    "ERROR": (
        "connection refused",
        "timeout talking to upstream",
        "permission denied",
        "invalid checksum",
        "out of memory",
        "lock not acquired",
        "malformed payload",
    ),
    "DEBUG": (
        "entering handler",
        "payload size computed",
        "cache miss",
        "span closed",
        "socket polled",
    ),
}
WORDS = tuple(
    dict.fromkeys(
        (
            *_BUILDER_WORDS,
            "pending",
            "urgent",
            "blocked",
            "review",
            "deprecated",
            "fixme",
            "hotfix",
            "rollback",
            "legacy",
            "flaky",
            "draft",
            "obsolete",
            "secret",
            "beta",
        )
    )
)
FILLER = _words(
    "the team agreed to ship after testing more data was collected during week notes "
    "follow up with vendor on budget figures later meeting moved next quarter numbers "
    "look fine"
)
SECTIONS = _words("server database logging cache mail auth storage worker")
SETTINGS = {
    "server": (("port", ("8080", "8000", "9090", "3000")), ("host", ("0.0.0.0", "127.0.0.1"))),
    "database": (("port", ("5432", "3306", "5433")), ("host", ("db.local", "10.0.0.5"))),
    "logging": (("level", ("info", "debug", "warning")), ("file", ("app.log", "main.log"))),
    "cache": (("size", ("128", "256", "512")), ("ttl", ("60", "300", "900"))),
    "mail": (("port", ("25", "587", "2525")), ("sender", ("noreply", "robot", "alerts"))),
    "auth": (("timeout", ("30", "60", "120")), ("provider", ("ldap", "oidc", "local"))),
    "storage": (("path", ("/srv/data", "/var/lib/app")), ("quota", ("10", "50", "100"))),
    "worker": (("threads", ("2", "4", "8", "16")), ("timeout", ("45", "90", "180"))),
}
FUNCTIONS = _words(
    "load_rows parse_header render_page send_mail compute_total merge_lists slugify "
    "fetch_user normalize_path retry_call build_index read_settings export_csv "
    "validate_email format_price split_words count_tokens"
)
CONSTANTS = _words(
    "MAX_RETRIES TIMEOUT BATCH_SIZE PAGE_SIZE MAX_WORKERS CACHE_TTL PORT LIMIT "
    "BUFFER_SIZE THRESHOLD"
)


def folder(r: random.Random, depth: int | None = None) -> str:
    """A folder path 1 to 4 levels deep ("clients/atlas/2024")."""
    levels = r.randint(1, 4) if depth is None else depth
    parts = [r.choice(FOLDERS)]
    while len(parts) < levels:
        parts.append(r.choice(PROJECTS if len(parts) % 2 else FOLDERS))
    return "/".join(dict.fromkeys(parts))  # no repeated part


def place(r: random.Random, name: str, depth: int | None = None) -> str:
    """`name` at the top or inside a folder path `depth` levels deep (0 to 3 when None)."""
    levels = r.randint(0, 3) if depth is None else depth
    return f"{folder(r, levels)}/{name}" if levels else name


def distinct(r: random.Random, pool: Sequence[str], count: int) -> list[str]:
    return r.sample(list(pool), count)


def stem_names(r: random.Random, count: int, ext: str) -> list[str]:
    """`count` distinct file names with extension `ext` ("budget_q3.csv")."""
    suffixes = ("", "_old", "_v2", "_final", "_2024", "_q3", "_copy", "_draft", "_new")
    names: list[str] = []
    while len(names) < count:
        name = f"{r.choice(STEMS)}{r.choice(suffixes)}.{ext}"
        if name not in names:
            names.append(name)
    return names


def sentence(r: random.Random, words: int = 6) -> str:
    return " ".join(r.choice(FILLER) for _ in range(words))


def prose(r: random.Random, lines: int, avoid: Sequence[str] = ()) -> str:
    """Filler lines that contain none of `avoid` as a word."""
    out: list[str] = []
    while len(out) < lines:
        line = sentence(r, r.randint(3, 9))
        if not set(line.split()) & set(avoid):
            out.append(line)
    return "\n".join(out) + "\n"


# --- logs ---------------------------------------------------------------------------------


def log_records(
    r: random.Random, count: int, levels: Sequence[str] = LEVELS
) -> list[tuple[str, str, str, str]]:
    """(timestamp, level, component, message) in time order."""
    day = f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
    second = r.randint(0, 3600 * 8)
    records = []
    for _ in range(count):
        second += r.randint(1, 900)
        h, m, s = 6 + second // 3600, second // 60 % 60, second % 60
        level = r.choice(levels)
        records.append(
            (
                f"{day} {h:02d}:{m:02d}:{s:02d}",
                level,
                r.choice(COMPONENTS),
                r.choice(MESSAGES[level]),
            )
        )
    return records


def log_style(r: random.Random) -> str:
    return r.choice(("plain", "brackets", "pipes"))


def log_line(record: tuple[str, str, str, str], style: str) -> str:
    ts, level, comp, msg = record
    if style == "brackets":
        return f"[{ts}] [{level}] {comp}: {msg}"
    if style == "pipes":
        return f"{ts} | {level} | {comp} | {msg}"
    return f"{ts} {level} {comp}: {msg}"


def log_text(records: Sequence[tuple[str, str, str, str]], style: str) -> str:
    return "".join(log_line(rec, style) + "\n" for rec in records)


# --- tables -------------------------------------------------------------------------------

TABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    # kind: (header, the name column, the numeric column)
    "stock": (("item", "warehouse", "quantity"), "item", "quantity"),
    "staff": (("name", "team", "hours"), "name", "hours"),
    "sales": (("customer", "region", "amount"), "customer", "amount"),
    "trips": (("traveller", "city", "nights"), "traveller", "nights"),
    "scores": (("player", "league", "points"), "player", "points"),
}


def table(
    r: random.Random, kind: str, rows: int, groups: int = 3
) -> tuple[tuple[str, ...], list[list[str]]]:
    """A header and rows with distinct names, a category column and integers."""
    header, _, _ = TABLES[kind]
    names = {"stock": ITEMS, "staff": PEOPLE, "sales": PEOPLE, "trips": PEOPLE}.get(kind, PEOPLE)
    pool = {"stock": CITIES, "trips": CITIES}.get(kind, REGIONS)
    chosen_groups = distinct(r, pool, min(groups, len(pool)))
    body = [
        [name, r.choice(chosen_groups), str(r.randint(1, 400))] for name in distinct(r, names, rows)
    ]
    return header, body


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]], sep: str = ",") -> str:
    return "".join(sep.join(row) + "\n" for row in [list(header), *rows])


def json_text(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"


def ini_text(sections: dict[str, dict[str, str]], spaced: bool = True) -> str:
    eq = " = " if spaced else "="
    blocks = [
        f"[{name}]\n" + "".join(f"{k}{eq}{v}\n" for k, v in values.items())
        for name, values in sections.items()
    ]
    return "\n".join(blocks)


def ini_sections(r: random.Random, count: int) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name in distinct(r, SECTIONS, count):
        out[name] = {key: r.choice(values) for key, values in SETTINGS[name]}
    return out


def py_module(r: random.Random, functions: Sequence[str], calls: Sequence[str] = ()) -> str:
    """A small module defining `functions` and calling `calls`."""
    parts = ['"""Helpers."""\n']
    for fn in functions:
        arg = r.choice(("items", "text", "path", "value", "rows"))
        parts.append(f"\ndef {fn}({arg}):\n    return {arg}\n")
    for fn in calls:
        parts.append(f"\n\nresult_{fn} = {fn}({r.randint(1, 99)})\n")
    return "".join(parts)


def content_for(r: random.Random, name: str) -> str:
    """Plausible text for a file of this name, by its extension."""
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext in ("csv", "tsv"):
        header, rows = table(r, r.choice(tuple(TABLES)), r.randint(2, 5))
        return csv_text(header, rows, "\t" if ext == "tsv" else ",")
    if ext == "json":
        return json_text({"name": r.choice(PROJECTS), "version": f"1.{r.randint(0, 20)}"})
    if ext == "log":
        return log_text(log_records(r, r.randint(2, 5)), log_style(r))
    if ext in ("ini", "cfg", "conf"):
        return ini_text(ini_sections(r, r.randint(1, 2)))
    if ext == "py":
        return py_module(r, distinct(r, FUNCTIONS, r.randint(1, 2)))
    if ext == "md":
        return f"# {r.choice(PROJECTS).title()}\n\n" + prose(r, r.randint(1, 4))
    if ext in ("yaml", "yml"):
        return f"name: {r.choice(PROJECTS)}\nreplicas: {r.randint(1, 9)}\n"
    if ext == "sh":
        return f"#!/bin/sh\necho {r.choice(PROJECTS)}\n"
    return prose(r, r.randint(1, 5))
