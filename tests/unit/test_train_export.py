"""The adapter GGUF: llama.cpp's LoRA layout from peft's parameter names; an export that
is interrupted or fails leaves the previous adapter untouched."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gguf
import pytest
import torch

from lamtui.errors import Cancelled, LamtuiError
from lamtui.train.export import export_adapter, lora_tensors


class _FakePeft:
    def __init__(self, names: list[str]) -> None:
        self.params = [(n, torch.full((2, 4) if "lora_A" in n else (4, 2), 0.5)) for n in names]

    def named_parameters(self) -> list[tuple[str, Any]]:
        return self.params

    def get_base_model(self) -> Any:
        return SimpleNamespace(config=SimpleNamespace(model_type="gemma3", num_hidden_layers=4))


NAMES = [
    "base_model.model.model.layers.3.self_attn.q_proj.lora_A.default.weight",
    "base_model.model.model.layers.3.self_attn.q_proj.lora_B.default.weight",
    "base_model.model.model.layers.3.mlp.down_proj.lora_A.default.weight",
    "base_model.model.model.layers.3.mlp.down_proj.lora_B.default.weight",
]


def test_tensor_names_follow_llama_cpp() -> None:
    tensors = lora_tensors(_FakePeft(NAMES))
    assert sorted(tensors) == [
        "blk.3.attn_q.weight.lora_a",
        "blk.3.attn_q.weight.lora_b",
        "blk.3.ffn_down.weight.lora_a",
        "blk.3.ffn_down.weight.lora_b",
    ]
    assert tensors["blk.3.attn_q.weight.lora_a"].shape == (2, 4)


def test_export_writes_an_adapter_gguf(tmp_path: Path) -> None:
    path = tmp_path / "a.gguf"
    export_adapter(_FakePeft(NAMES), 32, path)
    reader = gguf.GGUFReader(str(path))
    fields = {f.name: f for f in reader.fields.values()}
    assert bytes(fields["general.type"].parts[-1]).decode() == "adapter"
    assert bytes(fields["adapter.type"].parts[-1]).decode() == "lora"
    assert float(fields["adapter.lora.alpha"].parts[-1][0]) == 32.0
    # Layers 0-2 had no LoRA (--top-layers): they get zeros, or llama.cpp crashes.
    assert len(reader.tensors) == 16
    names = {t.name: t for t in reader.tensors}
    assert float(abs(names["blk.0.attn_q.weight.lora_b"].data).sum()) == 0.0
    assert float(names["blk.3.attn_q.weight.lora_b"].data.sum()) > 0
    assert not (tmp_path / "a.gguf.part").exists()


def test_interrupted_export_keeps_the_previous_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.gguf"
    path.write_bytes(b"GGUF previous good adapter")

    def interrupted(self: Any, *args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(gguf.GGUFWriter, "write_tensors_to_file", interrupted)
    with pytest.raises(Cancelled):
        export_adapter(_FakePeft(NAMES), 32, path)
    assert path.read_bytes() == b"GGUF previous good adapter"
    assert not (tmp_path / "a.gguf.part").exists()


def test_a_full_disk_keeps_the_previous_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.gguf"
    path.write_bytes(b"GGUF previous")

    def full(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gguf.GGUFWriter, "write_tensors_to_file", full)
    with pytest.raises(LamtuiError, match="No space left"):
        export_adapter(_FakePeft(NAMES), 32, path)
    assert path.read_bytes() == b"GGUF previous"


def test_no_lora_weights_is_an_error() -> None:
    with pytest.raises(LamtuiError, match="no LoRA"):
        lora_tensors(_FakePeft([]))
