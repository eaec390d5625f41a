"""The content store: previous file contents under their sha256, private to the user.

A blob is written to a temporary file and renamed, so a blob name always holds its whole
content. Content holding a stored secret is hashed but never written (secretscan.py)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lamtui.actions.undo.secretscan import HOLDS_SECRET, SecretScan
from lamtui.actions.undo.state import CHUNK, open_nofollow


@dataclass(frozen=True)
class Copied:
    sha256: str
    refused: str = ""  # why the content was not kept ("" when it was)


def store_blob(blobs: Path, path: str, scan: SecretScan) -> Copied:
    """Copy `path` into `blobs` under its sha256, unless the scan refuses its content."""
    blobs.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=blobs, prefix=".tmp-")
    digest = hashlib.sha256()
    finder = scan.finder()
    refused = ""
    held = b""  # the last bytes, which may begin a secret the next chunk completes
    try:
        with os.fdopen(open_nofollow(path), "rb") as src, os.fdopen(fd, "wb") as dst:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                if refused:
                    continue  # hash the rest: the pre state still needs it
                refused = scan.problem or (HOLDS_SECRET if finder.feed(chunk) else "")
                data = held + chunk
                cut = max(0, len(data) - scan.overlap)
                if not refused:
                    dst.write(data[:cut])
                held = data[cut:]
            if not refused:
                dst.write(held)
        if refused:
            os.unlink(tmp)
        else:
            os.replace(tmp, blobs / digest.hexdigest())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Copied(digest.hexdigest(), refused)
