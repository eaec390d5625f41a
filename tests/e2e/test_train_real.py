"""Real training steps on the bundled GGUF: a tiny run (a handful of examples, a few
steps) writes an adapter GGUF that llama-cpp-python loads on the quantized base and
that changes the model's output; a run stopped early resumes from its checkpoint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lamtui.agent import prompts
from lamtui.errors import LamtuiError
from lamtui.train.build import Card, write
from lamtui.train.examples import Example, Turn, conversation
from lamtui.train.loop import TrainJob, run
from lamtui.train.manifest import read_manifest
from lamtui.train.trainer import CHECKPOINT, Recipe

pytestmark = pytest.mark.real_model

REQUEST = "make deploy.sh executable"


def _dataset(folder: Path) -> Path:
    examples = []
    for i, name in enumerate(["deploy.sh", "run.py", "build.sh", "start.sh", "tool.py", "x.sh"]):
        messages = conversation(
            f"make {name} executable",
            prompts.workspace_line("/home/a/p", [name]),
            [],
            [Turn(f"chmod {name}", "Use chmod.", "shell", {"command": f"chmod +x {name}"}, None)],
            None,
        )
        examples.append(Example(f"t{i}", "template", "shell", messages))
    write(folder, examples * 2, Card())
    return folder


_GENERATE = """
import json, sys
from pathlib import Path
from lamtui.agent import prompts
from lamtui.lam.base import GenerationRequest, Message
from lamtui.lam.llamacpp import LlamaCppBackend
from tests.helpers import collect

base, adapter = Path(sys.argv[1]), sys.argv[2]
backend = LlamaCppBackend(
    base, prompt_style="lam", context=1024, lora_path=Path(adapter) if adapter else None
)
messages = [
    *prompts.lam_task_messages(sys.argv[3], prompts.workspace_line("/home/a/p", ["deploy.sh"])),
    Message("assistant", prompts.plan_json("make deploy.sh executable", ["chmod"])),
    Message("user", prompts.step_cue(1, 1, "chmod")),
]
print(json.dumps(collect(backend.stream(GenerationRequest(messages, max_tokens=48))).text))
"""


def _first_output(model: Path, adapter: Path | None) -> str:
    """Generate in a fresh process, as `lamtui run` does after `lamtui train`: the
    training process never loads llama.cpp (two OpenMP runtimes in one process, torch's
    and llama.cpp's, crashed here once both had run)."""
    done = subprocess.run(
        [sys.executable, "-c", _GENERATE, str(model), str(adapter or ""), REQUEST],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return str(json.loads(done.stdout.strip().splitlines()[-1]))


def test_tiny_training_run_writes_an_adapter_that_loads_and_changes_output(
    tmp_path: Path, bundled_model_path: Path
) -> None:
    data = _dataset(tmp_path / "data")
    out = tmp_path / "run"
    # Only the top layers (as the shipped adapter): the export must still load in llama.cpp.
    recipe = Recipe(
        lr=1e-3, epochs=3, batch_tokens=1024, warmup=1, checkpoint_every=100, top_layers=4
    )
    manifest = run(TrainJob(bundled_model_path, data, out, recipe, name="tiny"), lambda _: None)
    adapter = out / "tiny.gguf"
    assert adapter.read_bytes()[:4] == b"GGUF"
    assert manifest["steps"] >= 3 and manifest["val_loss"] is not None
    saved = read_manifest(adapter)
    assert saved["base"]["sha256"] == manifest["base"]["sha256"] and saved["prompt"] == "lam"
    import gguf

    tensors = gguf.GGUFReader(str(adapter)).tensors
    assert len(tensors) == 18 * 7 * 2  # every layer and projection, lora_a and lora_b
    trained = _first_output(bundled_model_path, adapter)
    assert trained != _first_output(bundled_model_path, None)
    # A later run can start from this adapter (a shipped adapter goes on training).
    said: list[str] = []
    again = Recipe(lr=1e-3, epochs=1, batch_tokens=1024, warmup=1, top_layers=4)
    rerun = run(
        TrainJob(bundled_model_path, data, tmp_path / "again", again, init=adapter), said.append
    )
    assert any("starting from tiny.gguf: 56 LoRA matrices" in line for line in said)
    assert rerun["init"] == "tiny.gguf"
    first = json.loads((out / CHECKPOINT / "state.json").read_text())["state"]["losses"][0]
    assert rerun["final_loss"] is not None and rerun["final_loss"] < first


def test_the_shipped_adapter_loads_on_the_quantized_base_and_changes_output(
    bundled_model_path: Path,
) -> None:
    from lamtui.lam.adapters import shipped_adapter_dir

    shipped = shipped_adapter_dir() / "lamtui-gemma3-270m-lam.gguf"
    assert _first_output(bundled_model_path, shipped) != _first_output(bundled_model_path, None)


def test_a_stopped_run_resumes_from_its_checkpoint(
    tmp_path: Path, bundled_model_path: Path
) -> None:
    data = _dataset(tmp_path / "data")
    out = tmp_path / "run"
    first = Recipe(epochs=2, batch_tokens=512, warmup=1, max_minutes=1e-6)
    early = run(TrainJob(bundled_model_path, data, out, first), lambda _: None)
    assert early["steps"] == 1  # the time budget stops it after one step
    state = json.loads((out / CHECKPOINT / "state.json").read_text())
    assert state["state"]["step"] == 1
    said: list[str] = []
    rest = Recipe(epochs=2, batch_tokens=512, warmup=1)
    done = run(TrainJob(bundled_model_path, data, out, rest, resume=True), said.append)
    assert any("resumed at step 1" in line for line in said)
    assert done["steps"] == state["state"]["total_steps"] > 1
    assert (
        len(json.loads((out / CHECKPOINT / "state.json").read_text())["state"]["losses"])
        == done["steps"]
    )


def test_a_corrupt_checkpoint_is_one_clear_error(tmp_path: Path, bundled_model_path: Path) -> None:
    data = _dataset(tmp_path / "data")
    out = tmp_path / "run"
    (out / CHECKPOINT).mkdir(parents=True)
    (out / CHECKPOINT / "state.json").write_text("{not json")
    with pytest.raises(LamtuiError, match=r"checkpoint .* cannot be read"):
        run(TrainJob(bundled_model_path, data, out, Recipe(), resume=True), lambda _: None)
