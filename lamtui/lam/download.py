"""Downloading catalog models (`lamtui models pull`).

The file is streamed to NAME.part next to its final place, resumed with an HTTP Range
request when a .part is already there, hashed while it streams, checked against the
catalog's sha256 when one is published, and only then renamed into place, so a model
file in the models folder is always complete.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, Protocol, TextIO
from urllib.parse import urlparse

from lamtui import __version__
from lamtui.errors import LamtuiError, ModelError, NetworkError
from lamtui.lam.catalog import CatalogEntry, remember_sha256

CHUNK = 1 << 20
TIMEOUT = 30.0
MB = 1_000_000

ProgressCallback = Callable[[int, int | None], None]  # (bytes done, total bytes or None)


class Response(Protocol):
    status: int
    headers: Message

    def read(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


Opener = Callable[[urllib.request.Request, float], Response]


def default_opener(request: urllib.request.Request, timeout: float) -> Response:
    response: Response = urllib.request.urlopen(request, timeout=timeout)
    return response


@dataclass(frozen=True)
class PullResult:
    path: Path
    sha256: str
    verified: bool  # True when it matched the catalog's published sha256
    resumed_from: int  # bytes already in the .part file when this pull started


class _RangeRejected(Exception):
    """The server answered 416 to our Range request: the .part is no use."""


def _offline_hint() -> str:
    return "check your connection, or copy the file and run `lamtui models add PATH`"


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or reason.__class__.__name__


def _open(entry: CatalogEntry, offset: int, opener: Opener, timeout: float) -> Response:
    host = urlparse(entry.source).hostname or entry.source
    headers = {"User-Agent": f"lamtui/{__version__}"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(entry.source, headers=headers)
    try:
        return opener(request, timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and offset:
            raise _RangeRejected from None
        hint = _offline_hint()
        if exc.code in (401, 403):
            hint = (
                "the file may need a login; download it in a browser, "
                "then run `lamtui models add PATH`"
            )
        raise NetworkError(
            f"cannot download '{entry.name}' from {host}: HTTP {exc.code} {exc.reason}", hint
        ) from None
    except urllib.error.URLError as exc:
        raise NetworkError(f"cannot reach {host}: {_reason(exc.reason)}", _offline_hint()) from None
    except OSError as exc:  # timeouts and resets before the first byte
        raise NetworkError(f"cannot reach {host}: {_reason(exc)}", _offline_hint()) from None


def _range_start(response: Response) -> int | None:
    # "Content-Range: bytes 100-999/1000" -> 100
    value = response.headers.get("Content-Range", "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def _total_size(response: Response, offset: int, entry: CatalogEntry) -> int | None:
    if response.status == 206:
        full = response.headers.get("Content-Range", "").rpartition("/")[2]
        if full.isdigit():
            return int(full)
    length = response.headers.get("Content-Length", "")
    if length.isdigit():
        return offset + int(length)
    return entry.size_bytes if entry.size_exact and entry.size_bytes else None


def _hash_prefix(hasher: Any, path: Path, size: int) -> None:
    """Feed the first `size` bytes of path (a partial download) to hasher."""
    with path.open("rb") as fh:
        remaining = size
        while remaining:
            block = fh.read(min(CHUNK, remaining))
            if not block:
                break
            hasher.update(block)
            remaining -= len(block)


def _stream(
    entry: CatalogEntry,
    part: Path,
    offset: int,
    progress_cb: ProgressCallback | None,
    opener: Opener,
    timeout: float,
) -> str:
    """Download into `part` from `offset` on; returns the sha256 of the whole file."""
    response = _open(entry, offset, opener, timeout)
    try:
        if offset and (response.status != 206 or _range_start(response) != offset):
            offset = 0  # the server ignored our Range: start over from the first byte
        total = _total_size(response, offset, entry)
        hasher = hashlib.sha256()
        if offset:
            _hash_prefix(hasher, part, offset)
        done = offset
        if progress_cb:
            progress_cb(done, total)
        with part.open("ab" if offset else "wb") as out:
            while True:
                try:
                    chunk = response.read(CHUNK)
                except OSError as exc:
                    raise _interrupted(entry, done, total, _reason(exc)) from None
                if not chunk:
                    break
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise LamtuiError(
                        f"cannot write {part}: {_reason(exc)}", "free some disk space"
                    ) from None
                hasher.update(chunk)
                done += len(chunk)
                if progress_cb:
                    progress_cb(done, total)
    finally:
        response.close()
    if total is not None and done < total:
        raise _interrupted(entry, done, total, "the connection closed early")
    return hasher.hexdigest()


def _interrupted(entry: CatalogEntry, done: int, total: int | None, why: str) -> NetworkError:
    of_total = f" of {total / MB:.1f}" if total else ""
    return NetworkError(
        f"download of '{entry.name}' stopped at {done / MB:.1f}{of_total} MB: {why}",
        f"run `lamtui models pull {entry.name}` again to resume",
    )


def _check_disk_space(dest_dir: Path, entry: CatalogEntry, offset: int) -> None:
    needed = entry.size_bytes - offset
    if needed <= 0:
        return
    free = shutil.disk_usage(dest_dir).free
    if free < needed:
        raise LamtuiError(
            f"not enough disk space for '{entry.name}': needs {needed / MB:.0f} MB, "
            f"{free / MB:.0f} MB free in {dest_dir}",
            "free some space, or set LAMTUI_HOME to a folder on a bigger disk",
        )


def pull(
    entry: CatalogEntry,
    dest_dir: Path,
    progress_cb: ProgressCallback | None = None,
    opener: Opener = default_opener,
    *,
    timeout: float = TIMEOUT,
) -> PullResult:
    """Download `entry` into dest_dir/entry.file. Raises NetworkError when the server
    cannot be reached or the transfer breaks (the .part is kept for a resume), and
    ModelError when the file does not match its published sha256 (the .part is removed)."""
    if not entry.source.startswith(("https://", "http://")):
        raise ModelError(f"model '{entry.name}' has no download URL (source: {entry.source})")
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / entry.file
    part = dest_dir / f"{entry.file}.part"
    offset = part.stat().st_size if part.is_file() else 0
    if entry.size_exact and entry.size_bytes and offset > entry.size_bytes:
        offset = 0  # longer than the real file: garbage, start over
    resumed_from = offset
    if entry.size_exact and entry.size_bytes and offset == entry.size_bytes:
        hasher = hashlib.sha256()
        _hash_prefix(hasher, part, offset)  # finished earlier but never renamed
        digest = hasher.hexdigest()
    else:
        _check_disk_space(dest_dir, entry, offset)
        try:
            digest = _stream(entry, part, offset, progress_cb, opener, timeout)
        except _RangeRejected:
            resumed_from = 0
            digest = _stream(entry, part, 0, progress_cb, opener, timeout)
    if entry.sha256 and digest != entry.sha256:
        part.unlink(missing_ok=True)
        raise ModelError(
            f"sha256 mismatch for downloaded '{entry.name}': expected {entry.sha256[:16]}…, "
            f"got {digest[:16]}…",
            f"the download was damaged or the file changed upstream; run "
            f"`lamtui models pull {entry.name}` to try again",
        )
    os.replace(part, final)
    remember_sha256(final, digest)
    return PullResult(final, digest, bool(entry.sha256), resumed_from)


class ProgressBar:
    """A one-line progress bar on stderr: redrawn in place on a terminal, otherwise a
    plain line every 10% so logs stay short."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 24) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.first: int | None = None
        self.last_draw = 0.0
        self.last_step = -1
        self.drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if self.first is None:
            self.first = done  # bytes resumed from: not part of this run's speed
        finished = total is not None and done >= total
        if self.tty:
            if now - self.last_draw < 0.1 and not finished:
                return
            self.stream.write("\r" + self.line(done, total, now) + "\x1b[K")
        else:
            step = done * 10 // total if total else done // (100 * MB)
            if step == self.last_step:
                return
            self.last_step = step
            self.stream.write(self.line(done, total, now) + "\n")
        self.stream.flush()
        self.last_draw = now
        self.drawn = True

    def line(self, done: int, total: int | None, now: float) -> str:
        elapsed = max(now - self.started, 1e-6)
        speed = (done - (self.first or 0)) / elapsed
        rate = f"{speed / MB:.1f} MB/s"
        if not total:
            return f"{self.label} {done / MB:.1f} MB  {rate}"
        fraction = min(done / total, 1.0)
        filled = int(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        eta = _format_eta((total - done) / speed) if speed > 0 else "--:--"
        return (
            f"{self.label} {fraction * 100:3.0f}% [{bar}] "
            f"{done / MB:.1f}/{total / MB:.1f} MB  {rate}  ETA {eta}"
        )

    def finish(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _format_eta(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
