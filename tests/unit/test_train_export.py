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
from lamtui.train.export import (
    export_adapter,
    gguf_architecture,
    load_into,
    lora_tensors,
    read_adapter,
)


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
    export_adapter(_FakePeft(NAMES), 32, path, "gemma3")
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
        export_adapter(_FakePeft(NAMES), 32, path, "gemma3")
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
        export_adapter(_FakePeft(NAMES), 32, path, "gemma3")
    assert path.read_bytes() == b"GGUF previous"


def test_no_lora_weights_is_an_error() -> None:
    with pytest.raises(LamtuiError, match="no LoRA"):
        lora_tensors(_FakePeft([]))


def test_the_adapter_names_the_base_gguf_architecture(tmp_path: Path) -> None:
    # transformers calls Gemma 3 "gemma3_text"; llama.cpp needs its own name, "gemma3".
    path = tmp_path / "a.gguf"
    export_adapter(_FakePeft(NAMES), 32, path, "gemma3")
    assert gguf_architecture(path) == "gemma3"


def test_an_exported_adapter_loads_back_into_the_model(tmp_path: Path) -> None:
    path = tmp_path / "a.gguf"
    source = _FakePeft(NAMES)
    source.params[0] = (NAMES[0], torch.arange(8, dtype=torch.float32).reshape(2, 4))
    export_adapter(source, 32, path, "gemma3")
    tensors, alpha = read_adapter(path)
    assert alpha == 32.0
    assert tensors["blk.3.attn_q.weight.lora_a"].tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    target = _FakePeft(NAMES)
    for _, param in target.params:
        param.zero_()
    assert load_into(target, path) == 4
    assert target.params[0][1].tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert float(target.params[3][1].sum()) == 4.0  # 0.5 × 8


def test_an_adapter_of_another_rank_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.gguf"
    export_adapter(_FakePeft(NAMES), 32, path, "gemma3")
    target = _FakePeft(NAMES)
    target.params = [(n, torch.zeros(3, 4) if "lora_A" in n else torch.zeros(4, 3)) for n in NAMES]
    with pytest.raises(LamtuiError, match="--rank"):
        load_into(target, path)


def test_zero_padding_is_not_copied(tmp_path: Path) -> None:
    # Layers an adapter never trained are zeros in the file; a run that trains them
    # must keep its own initialisation (A = B = 0 would never learn).
    path = tmp_path / "a.gguf"
    export_adapter(_FakePeft(NAMES), 32, path, "gemma3")
    names = [n.replace("layers.3.", "layers.0.") for n in NAMES]
    target = _FakePeft(names)
    with pytest.raises(LamtuiError, match="no LoRA matrices"):
        load_into(target, path)
    assert float(target.params[0][1].sum()) == 4.0  # untouched
