"""Adapters on a base: BASE+ADAPTER.gguf resolves with the adapter attached; an adapter
trained on another base (by sha256) is refused with a message naming both; the
training CLI's bad input is one clear message and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamtui.cli import main
from lamtui.errors import LamtuiError, ModelError
from lamtui.lam.adapters import split_spec
from lamtui.lam.catalog import file_sha256, resolve_model
from lamtui.train import trainer
from lamtui.train.manifest import write_manifest
from tests.gguf_files import make_gguf


def _adapter(folder: Path, base_sha: str, name: str = "skill.gguf") -> Path:
    adapter = make_gguf(folder / name, name="adapter")
    write_manifest(adapter, {"base": {"file": "base.gguf", "sha256": base_sha}, "prompt": "lam"})
    return adapter


def test_split_spec() -> None:
    assert split_spec("gemma3-270m+/x/a.gguf") == ("gemma3-270m", "/x/a.gguf")
    assert split_spec("/models/plain.gguf") is None
    assert split_spec("a+b") is None


def test_adapter_on_its_own_base_is_attached(tmp_path: Path) -> None:
    base = make_gguf(tmp_path / "base.gguf")
    adapter = _adapter(tmp_path, file_sha256(base))
    resolved = resolve_model(f"{base}+{adapter}")
    assert resolved.adapter == adapter
    assert resolved.path == base.absolute()
    assert resolved.prompt_style == "lam"  # the manifest says it learned lamtui's protocol


def test_adapter_for_another_base_is_refused_naming_both(tmp_path: Path) -> None:
    base = make_gguf(tmp_path / "other-base.gguf", name="other")
    adapter = _adapter(tmp_path, "ab" * 32)
    with pytest.raises(ModelError) as caught:
        resolve_model(f"{base}+{adapter}")
    message = str(caught.value)
    assert "skill.gguf" in message and "other-base.gguf" in message and "abababababab" in message


def test_adapter_without_manifest_is_refused(tmp_path: Path) -> None:
    base = make_gguf(tmp_path / "base.gguf")
    adapter = make_gguf(tmp_path / "bare.gguf")
    with pytest.raises(ModelError, match="no manifest"):
        resolve_model(f"{base}+{adapter}")


def test_missing_adapter_file(tmp_path: Path) -> None:
    base = make_gguf(tmp_path / "base.gguf")
    with pytest.raises(ModelError, match="adapter file not found"):
        resolve_model(f"{base}+{tmp_path / 'nope.gguf'}")


def test_run_with_mismatched_adapter_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = make_gguf(tmp_path / "base.gguf")
    adapter = _adapter(tmp_path, "cd" * 32)
    code = main(["run", "--model", f"{base}+{adapter}", "--approve", "never", "list files"])
    assert code == 2
    err = capsys.readouterr().err
    assert "skill.gguf" in err and "Traceback" not in err


def test_train_without_data_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--data", str(tmp_path / "none")]) == 2
    assert "no training data" in capsys.readouterr().err


def test_train_with_empty_data_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "train.jsonl").write_text("")
    assert main(["train", "--data", str(tmp_path / "d")]) == 2
    assert "empty" in capsys.readouterr().err


def test_train_on_a_file_that_is_not_gguf_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "train.jsonl").write_text(json.dumps({"id": "x"}) + "\n")
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model")
    assert main(["train", "--data", str(tmp_path / "d"), "--model", str(fake)]) == 2
    assert "lamtui: error:" in capsys.readouterr().err


def test_missing_training_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = __import__

    def no_torch(name: str, *args: object, **kwargs: object) -> object:
        if name == "torch":
            raise ImportError("no torch")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("builtins.__import__", no_torch)
    with pytest.raises(LamtuiError, match=r"lamtui\[train\]"):
        trainer.require_stack()
