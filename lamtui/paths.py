"""Where lamtui keeps things. LAMTUI_HOME puts everything under one folder (tests use it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "lamtui"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def outputs_dir(self) -> Path:
        return self.data_dir / "outputs"

    @property
    def trajectories_dir(self) -> Path:
        return self.data_dir / "trajectories"

    @property
    def memory_dir(self) -> Path:
        return self.data_dir / "memory"

    @property
    def undo_dir(self) -> Path:
        return self.data_dir / "undo"

    @property
    def audit_log(self) -> Path:
        return self.data_dir / "audit.jsonl"


def get_paths() -> Paths:
    """Resolve the current locations; reads the environment every call so tests can change it."""
    home = os.environ.get("LAMTUI_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return Paths(root / "config", root / "data", root / "cache")
    return Paths(
        Path(platformdirs.user_config_dir(APP)),
        Path(platformdirs.user_data_dir(APP)),
        Path(platformdirs.user_cache_dir(APP)),
    )


def cwd_problem() -> str | None:
    """Why the current folder cannot be used (deleted, or no longer readable), or None.
    An OSError that comes from that is reported as such, not as a traceback."""
    try:
        os.getcwd()
    except OSError as exc:
        return (
            f"the current folder cannot be used ({exc.strerror}): it was probably deleted; "
            "cd to an existing folder, or pass --cwd"
        )
    return None
