"""The LoRA adapter as a GGUF that llama.cpp (and so llama-cpp-python's `lora_path`,
llama-server's --lora and Ollama's ADAPTER) loads on top of the original quantized base.
The layout follows llama.cpp's convert_lora_to_gguf.py: general.type "adapter",
adapter.type "lora", adapter.lora.alpha, and per base tensor NAME.lora_a / NAME.lora_b."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from lamtui.errors import Cancelled, LamtuiError

# Hugging Face module names → llama.cpp tensor names (gemma3, llama, qwen2, ... alike).
GGUF_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_LORA = re.compile(r"layers\.(\d+)\.(\w+\.\w+)\.lora_([AB])\.(?:default\.)?weight$")


def lora_tensors(model: Any) -> dict[str, Any]:
    """{gguf name: float32 numpy array} of every LoRA matrix in the peft model."""
    import numpy as np
    import torch

    out: dict[str, Any] = {}
    for name, tensor in model.named_parameters():
        match = _LORA.search(name)
        if not match:
            continue
        layer, module, which = match.groups()
        if module not in GGUF_NAMES:
            raise LamtuiError(f"cannot export LoRA on {module}: llama.cpp has no name for it")
        key = f"blk.{layer}.{GGUF_NAMES[module]}.weight.lora_{which.lower()}"
        # float32: llama.cpp 0.3.36 segfaults decoding with an F16 adapter on AMX CPUs.
        out[key] = np.array(
            tensor.detach().to(torch.float32).cpu().numpy(), dtype=np.float32, order="C"
        )
        if not np.isfinite(out[key]).all():
            raise LamtuiError(
                f"training diverged: {key} has NaN or infinite weights",
                "train again with a lower --lr; the previous adapter is untouched",
            )
    if not out:
        raise LamtuiError("the model has no LoRA weights to export")
    return out


def complete_layers(tensors: dict[str, Any], layers: int) -> dict[str, Any]:
    """Zero LoRA matrices for the layers training left out (`--top-layers`). llama.cpp
    0.3.36 segfaults decoding with an adapter that covers only some layers (measured);
    zeros add nothing to the output. Every layer of a module has the same shape."""
    import numpy as np

    shapes: dict[str, Any] = {}
    for key, value in tensors.items():
        shapes.setdefault(key.split(".", 2)[2], value.shape)
    out = dict(tensors)
    for layer in range(layers):
        for suffix, shape in shapes.items():
            out.setdefault(f"blk.{layer}.{suffix}", np.zeros(shape, dtype=np.float32))
    return out


def gguf_architecture(path: Path) -> str:
    """general.architecture of a GGUF: llama.cpp refuses (0.3.36: crashes on) an adapter
    whose architecture differs from its base's, and transformers' model_type is not
    llama.cpp's name (gemma3_text vs gemma3)."""
    import gguf

    field = gguf.GGUFReader(str(path)).fields.get("general.architecture")
    if field is None:
        raise LamtuiError(f"{path} names no architecture (general.architecture)")
    return bytes(field.parts[field.data[0]]).decode()


def read_adapter(path: Path) -> tuple[dict[str, Any], float]:
    """({gguf name: float32 array}, alpha) of an adapter GGUF written by export_adapter."""
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(str(path))
    field = reader.fields.get("adapter.lora.alpha")
    if field is None:
        raise LamtuiError(f"{path} is not a LoRA adapter GGUF (no adapter.lora.alpha)")
    alpha = float(field.parts[field.data[0]][0])
    tensors = {t.name: np.array(t.data, dtype=np.float32) for t in reader.tensors}
    return tensors, alpha


def load_into(model: Any, path: Path) -> int:
    """Copy an adapter GGUF's LoRA matrices into the peft model's (same rank and
    modules): a run goes on from a shipped adapter. Returns how many were copied."""
    import torch

    tensors, _ = read_adapter(path)
    copied = 0
    for name, param in model.named_parameters():
        match = _LORA.search(name)
        if not match:
            continue
        layer, module, which = match.groups()
        key = f"blk.{layer}.{GGUF_NAMES[module]}.weight.lora_{which.lower()}"
        # Zero matrices are the padding of layers the adapter never trained: copying
        # them would freeze those layers (A = B = 0 has no gradient), so they keep
        # peft's fresh initialisation.
        if key not in tensors or not tensors[key].any():
            continue
        if tensors[key].size != param.numel():
            raise LamtuiError(
                f"{path} does not fit this run: {key} has {tensors[key].size} weights, "
                f"the model's {param.numel()}",
                "train with the adapter's --rank",
            )
        value = torch.from_numpy(tensors[key]).reshape(param.shape)
        with torch.no_grad():
            param.copy_(value.to(param.dtype))
        copied += 1
    if copied == 0:
        raise LamtuiError(f"{path} has no LoRA matrices this model's adapter can take")
    return copied


def export_adapter(model: Any, alpha: float, path: Path, arch: str) -> None:
    """Write the adapter to PATH.part and rename it over PATH only when complete: a
    failed or interrupted export never replaces a good adapter. ARCH is the base
    GGUF's general.architecture."""
    import gguf

    config = model.get_base_model().config
    tensors = complete_layers(lora_tensors(model), int(getattr(config, "num_hidden_layers", 0)))
    tmp = path.with_name(path.name + ".part")
    try:
        writer = gguf.GGUFWriter(str(tmp), arch)
        writer.add_string("general.type", "adapter")
        writer.add_string("adapter.type", "lora")
        writer.add_float32("adapter.lora.alpha", float(alpha))
        for key in sorted(tensors):
            writer.add_tensor(key, tensors[key])
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, path)
    except KeyboardInterrupt:
        tmp.unlink(missing_ok=True)
        raise Cancelled("the export was interrupted; the previous adapter is untouched") from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LamtuiError(f"could not write the adapter {path}: {exc.strerror or exc}") from None
