"""`lamtui memory list | search QUERY | remember TEXT | forget ID | export FILE |
import FILE | doctor`: what lamtui has learned (shipped demonstrations, successful tasks,
your facts and rejections), and moving or repairing the store."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from lamtui.config import Settings, load_settings
from lamtui.errors import LamtuiError

if TYPE_CHECKING:  # Chroma is heavy; `lamtui --help` should not pay for importing it
    from lamtui.memory.embedding import MemoryEmbedding
    from lamtui.memory.store import MemoryStore

KINDS = ("task", "fact", "rejection")
SOURCES = ("seed", "task", "user", "import")


def register(sub: Any) -> None:
    p = sub.add_parser("memory", help="what lamtui remembers: list, search, forget, move, repair")
    msub = p.add_subparsers(dest="memory_command", metavar="ACTION", required=True)
    ls = msub.add_parser("list", help="list memories")
    ls.add_argument("--kind", choices=KINDS)
    ls.add_argument("--source", choices=SOURCES, help="seed = shipped demonstrations")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=handle_list)
    search = msub.add_parser("search", help="memories closest to a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5, help="how many (default 5)")
    search.add_argument("--kind", choices=KINDS)
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=handle_search)
    remember = msub.add_parser("remember", help="store a fact or preference")
    remember.add_argument("text")
    remember.set_defaults(handler=handle_remember)
    forget = msub.add_parser("forget", help="delete one memory (seeds stay forgotten)")
    forget.add_argument("id", help="memory id (a unique prefix is enough)")
    forget.set_defaults(handler=handle_forget)
    export = msub.add_parser("export", help="write all memories as JSONL")
    export.add_argument("file", help="file to write, - for stdout")
    export.set_defaults(handler=handle_export)
    imp = msub.add_parser("import", help="add memories from a JSONL export")
    imp.add_argument("file", help="file to read, - for stdin")
    imp.set_defaults(handler=handle_import)
    doctor = msub.add_parser("doctor", help="check the store; rebuild it if it is damaged")
    doctor.add_argument("--dry-run", action="store_true", help="only explain, change nothing")
    doctor.add_argument(
        "--rebuild", action="store_true", help="rebuild and re-embed even if it looks healthy"
    )
    doctor.set_defaults(handler=handle_doctor)


# -- opening -------------------------------------------------------------------------


def make_embedding(settings: Settings) -> MemoryEmbedding | None:
    """None = the store's default (tests substitute a model-free embedder here)."""
    return None


def _model_path(settings: Settings) -> Path | None:
    """The chat model's GGUF when it is a local one (memory embeds with it by default)."""
    from lamtui.memory.session import chat_model_path

    return chat_model_path(settings)


def _open(settings: Settings) -> MemoryStore:
    from lamtui.memory.session import open_memory

    return open_memory(
        settings,
        redact=_redactor(settings),
        embedding_function=make_embedding(settings),
        model_path=None if settings.memory.embedding_model else _model_path(settings),
    )


def _settings() -> Settings:
    return load_settings()


def _redactor(settings: Settings) -> Callable[[str], str]:
    """Stored secrets by value, not only credential patterns: facts and imports are
    redacted before they are stored."""
    from lamtui.safety.secrets import SecretStore

    return SecretStore(settings.secrets.backend).redactor()


# -- handlers ------------------------------------------------------------------------


def handle_list(args: argparse.Namespace) -> int:
    store = _open(_settings())
    try:
        entries = [
            e for e in store.entries(args.kind) if args.source is None or e.source == args.source
        ]
    finally:
        store.close()
    if args.json:
        print(json.dumps([e.to_json() for e in entries], ensure_ascii=False))
        return 0
    if not entries:
        print("no memories match")
        return 0
    for e in entries:
        print(f"{e.id:26} {e.kind:9} {e.source:6} {e.summary(90)}")
    seeds = sum(e.source == "seed" for e in entries)
    print(f"{len(entries)} memories ({seeds} shipped demonstrations)", file=sys.stderr)
    return 0


def handle_search(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise LamtuiError("-k must be at least 1")
    from lamtui.memory.ranking import relevant, search_score

    store = _open(_settings())
    try:
        found = store.search(args.query, args.k, args.kind)
        used = {id(h): relevant(h, h.entry.kind) for h in found}
    finally:
        store.close()
    # Best first by the score shown (the store ranks the same way; sorting here keeps
    # what is printed and its order one thing).
    hits = sorted(found, key=search_score, reverse=True)
    if args.json:
        rows = [
            h.item() | {"rank_score": round(search_score(h), 3), "used": used[id(h)]} for h in hits
        ]
        print(json.dumps(rows))
        return 0
    if not hits:
        print("no memories yet")
        return 0
    print(f"  {'score':>5} {'id':26} memory")
    for hit in hits:
        mark = "*" if used[id(hit)] else " "
        print(f"{mark} {search_score(hit):5.2f} {hit.entry.id:26} {hit.entry.summary(80)}")
    print(
        "score = embedding similarity + 0.05 × shared-word score; "
        "* = relevant enough to be given to the model for this request",
        file=sys.stderr,
    )
    return 0


def handle_remember(args: argparse.Namespace) -> int:
    store = _open(_settings())
    try:
        entry_id = store.remember_fact(args.text)
    finally:
        store.close()
    print(f"remembered as {entry_id}")
    return 0


def handle_forget(args: argparse.Namespace) -> int:
    store = _open(_settings())
    try:
        entry = store.forget(args.id)
    finally:
        store.close()
    note = " (a shipped demonstration: it will not come back)" if entry.source == "seed" else ""
    print(f"forgot {entry.id}: {entry.summary(80)}{note}")
    return 0


def handle_export(args: argparse.Namespace) -> int:
    store = _open(_settings())
    try:
        if args.file == "-":
            count = store.export_jsonl(sys.stdout)
        else:
            target = Path(args.file)
            try:
                with target.open("w", encoding="utf-8") as fh:
                    count = store.export_jsonl(fh)
            except OSError as exc:
                raise LamtuiError(f"cannot write {target}: {exc.strerror}") from None
    finally:
        store.close()
    print(f"lamtui: exported {count} memories", file=sys.stderr)
    return 0


def _read(file: str) -> tuple[list[Any], list[str]]:
    if file == "-":
        return _parse(sys.stdin)
    path = Path(file)
    try:
        with path.open(encoding="utf-8") as fh:
            return _parse(fh)
    except FileNotFoundError:
        raise LamtuiError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise LamtuiError(
            f"{path} is not a UTF-8 text file", "give a `memory export` file"
        ) from None
    except OSError as exc:
        raise LamtuiError(f"cannot read {path}: {exc.strerror}") from None


def _parse(source: IO[str]) -> tuple[list[Any], list[str]]:
    from lamtui.memory.exchange import read_jsonl

    entries, problems = read_jsonl(source, _redactor(_settings()))
    return list(entries), problems


def handle_import(args: argparse.Namespace) -> int:
    entries, problems = _read(args.file)
    if not entries and problems:
        raise LamtuiError(
            f"{args.file} holds no memories ({problems[0]})", "give a `lamtui memory export` file"
        )
    store = _open(_settings())
    try:
        report = store.import_entries(entries)
    finally:
        store.close()
    for problem in problems[:10]:
        print(f"lamtui: warning: skipped {problem}", file=sys.stderr)
    print(
        f"imported {report.added} memories; {report.duplicates} already known; "
        f"{len(problems)} line(s) skipped"
    )
    return 0


def handle_doctor(args: argparse.Namespace) -> int:
    from lamtui.memory.doctor import diagnose, repair

    settings = _settings()
    model = None if settings.memory.embedding_model else _model_path(settings)
    embedding = make_embedding(settings)
    report = diagnose(settings.memory, model, embedding_function=embedding)
    print(f"memory store: {report.location}")
    for note in report.notes:
        print(f"  {note}")
    for problem in report.problems:
        print(f"  problem: {problem}")
    for hint in report.hints:
        if hint:
            print(f"  hint: {hint}")
    if report.healthy and not args.rebuild:
        print("the store is healthy")
        return 0
    if report.blocked:
        print(f"not rebuilding: {report.blocked}")
        return 1
    if args.dry_run:
        print("dry run: nothing changed (run without --dry-run to rebuild, keeping a backup)")
        return 1 if not report.healthy else 0
    print("rebuilding: salvaging readable memories, keeping a backup, re-embedding…")
    result = repair(settings.memory, model, embedding_function=make_embedding(settings))
    print(f"  backup: {result.backup}")
    print(f"  salvaged {result.salvaged} memories (read via {result.salvaged_from})")
    print(
        f"  restored {result.restored} of yours ({result.duplicates} duplicates dropped), "
        f"{result.seeds} shipped demonstrations"
        + (f", {result.forgotten_seeds} kept forgotten" if result.forgotten_seeds else "")
    )
    print("the store was rebuilt")
    return 0
