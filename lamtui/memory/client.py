"""Reaching the store: a local Chroma folder (checked with sqlite3 first) or a Chroma
server at memory.url, always with anonymized telemetry off."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lamtui.config import MemorySettings
from lamtui.errors import LamtuiError
from lamtui.memory.errors import MemoryUnavailable
from lamtui.paths import get_paths

DB_FILE = "chroma.sqlite3"
LOCK_TIMEOUT = 2.0  # seconds to wait for another process's write lock before giving up


def chroma_settings() -> Any:
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False)


@contextmanager
def guard(what: str) -> Iterator[None]:
    """Anything going wrong inside Chroma or the embedder becomes MemoryUnavailable."""
    try:
        yield
    except MemoryUnavailable:
        raise
    except LamtuiError as exc:
        raise MemoryUnavailable(f"memory {what} failed: {exc.message}", exc.hint) from None
    except Exception as exc:  # Chroma raises many types; the agent must keep working
        raise MemoryUnavailable(
            f"memory {what} failed: {type(exc).__name__}: {str(exc)[:300]}",
            "run `lamtui memory doctor`",
        ) from None


def preflight(path: Path) -> None:
    """Chroma waits forever on a store another process holds locked and reports damage
    only deep inside; a quick look with sqlite3 first gives a clear message."""
    db = path / DB_FILE
    if not db.exists():
        return
    try:
        conn = sqlite3.connect(db, timeout=LOCK_TIMEOUT)
    except sqlite3.Error as exc:
        raise MemoryUnavailable(f"cannot open the memory store {db}: {exc}") from None
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise MemoryUnavailable(
                f"the memory store {path} is locked by another process",
                "close the other lamtui (or whatever holds it) and try again",
            ) from None
        if "readonly" in str(exc):
            raise MemoryUnavailable(f"the memory store {path} is read-only") from None
        raise MemoryUnavailable(
            f"the memory store {path} is damaged ({exc})", "run `lamtui memory doctor`"
        ) from None
    except sqlite3.DatabaseError as exc:
        raise MemoryUnavailable(
            f"the memory store {path} is damaged ({exc})",
            "run `lamtui memory doctor` to back it up and rebuild it",
        ) from None
    finally:
        conn.close()


def parse_url(url: str) -> tuple[str, int, bool]:
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise MemoryUnavailable(
            f"memory.url {url!r} is not a Chroma server address",
            "use http://HOST:PORT, e.g. http://127.0.0.1:8000",
        )
    ssl = parsed.scheme == "https"
    return parsed.hostname, parsed.port or (443 if ssl else 8000), ssl


def connect(settings: MemorySettings, path: Path | None = None) -> tuple[Any, str]:
    """A Chroma client and a description of where the store is."""
    import chromadb

    if settings.url:
        host, port, ssl = parse_url(settings.url)
        try:
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings())
            client.heartbeat()
        except Exception as exc:
            raise MemoryUnavailable(
                f"the Chroma server at {settings.url} cannot be reached ({str(exc)[:200]})",
                "start it (`chroma run --path DIR --host 127.0.0.1 --port N`) or clear memory.url",
            ) from None
        return client, settings.url
    folder = path or get_paths().memory_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MemoryUnavailable(f"cannot create the memory folder {folder}: {exc}") from None
    preflight(folder)
    with guard("open"):
        client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
    return client, str(folder)


def release(path: Path) -> None:
    """Forget Chroma's per-process cache for a local store, so its files can be moved."""
    from chromadb.api.shared_system_client import SharedSystemClient

    systems = getattr(SharedSystemClient, "_identifier_to_system", {})
    system = systems.pop(str(path), None)
    if system is not None:
        with contextlib.suppress(Exception):  # best effort: the files are what matters
            system.stop()
