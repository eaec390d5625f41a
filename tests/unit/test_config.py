from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.config import load_settings
from lamtui.errors import ConfigError
from lamtui.paths import get_paths


def test_defaults_without_files() -> None:
    settings = load_settings(cwd=Path("/nonexistent"), environ={})
    assert settings.model.name == "gemma3-270m-lam"  # the bundled base + the trained adapter
    assert settings.policy.mode == "ask"


def test_layers_override_in_order(tmp_path: Path) -> None:
    user = get_paths().config_file
    user.parent.mkdir(parents=True)
    user.write_text('[model]\nname = "user-model"\nthreads = 3\n[agent]\nmax_steps = 7\n')
    (tmp_path / ".lamtui.toml").write_text('[model]\nname = "project-model"\n')
    settings = load_settings(
        cwd=tmp_path,
        environ={"LAMTUI_MODEL_THREADS": "5", "LAMTUI_HOME": "ignored"},
        overrides={"agent": {"max_steps": 9}},
    )
    assert settings.model.name == "project-model"
    assert settings.model.threads == 5
    assert settings.agent.max_steps == 9


def test_unknown_key_names_file_and_key() -> None:
    user = get_paths().config_file
    user.parent.mkdir(parents=True)
    user.write_text("[model]\nthred = 3\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cwd=Path("/nonexistent"), environ={})
    text = str(err.value)
    assert str(user) in text and "model.thred" in text and "threads" in text


def test_wrong_type_is_reported() -> None:
    with pytest.raises(ConfigError, match=r"model\.threads = 'many'"):
        load_settings(cwd=Path("/nonexistent"), environ={"LAMTUI_MODEL_THREADS": "many"})


def test_bad_toml_syntax() -> None:
    user = get_paths().config_file
    user.parent.mkdir(parents=True)
    user.write_text("[model\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(cwd=Path("/nonexistent"), environ={})


def test_unknown_section_lists_sections() -> None:
    with pytest.raises(ConfigError, match="unknown setting 'modle'"):
        load_settings(cwd=Path("/nonexistent"), environ={}, overrides={"modle": {"name": "x"}})


def test_lamtui_home_moves_everything(lamtui_home: Path) -> None:
    paths = get_paths()
    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir):
        assert lamtui_home in folder.parents
