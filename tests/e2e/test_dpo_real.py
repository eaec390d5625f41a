"""Real preference optimisation on the bundled GGUF: a handful of pairs (`cat` of a big
file rejected, `head` chosen), a few DPO steps from the shipped adapter, and the model
prefers the chosen actions more than before; the adapter GGUF and its manifest are
written like `lamtui train`'s."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.agent import prompts
from lamtui.train.dpo import DpoJob, DpoRecipe, run_dpo
from lamtui.train.examples import Example, Turn, conversation
from lamtui.train.manifest import read_manifest
from lamtui.train.preferences import PreferencePair

pytestmark = pytest.mark.real_model

NAMES = ["server.log", "events.csv", "dump.sql", "trace.txt", "access.log", "data.json"]


def _pairs() -> list[PreferencePair]:
    pairs = []
    for name in NAMES:
        request = f"show me what {name} looks like"
        workspace = prompts.workspace_line("/home/a/p", [name])
        turn = Turn("Show the file", "Look at it.", "shell", {"command": f"cat {name}"}, None)
        messages = conversation(request, workspace, [], [turn], None)
        chosen = prompts.action_json("Only the start.", "shell", {"command": f"head -n 20 {name}"})
        pairs.append(
            PreferencePair(
                f"p-{name}", "next", messages[:-1], chosen, messages[-1].content, "no cat"
            )
        )
    return pairs


def _anchors() -> list[Example]:
    """Two approved, successful trajectories: learned supervised in the same steps."""
    out = []
    for name in ("notes.txt", "todo.md"):
        workspace = prompts.workspace_line("/home/a/p", [name])
        turn = Turn("Count lines", "wc counts.", "shell", {"command": f"wc -l {name}"}, "3")
        messages = conversation(f"how many lines in {name}", workspace, [], [turn], None)
        out.append(Example(f"t-{name}", "trajectory", "shell", messages))
    return out


def test_a_few_dpo_steps_move_the_model_toward_the_chosen_actions(
    tmp_path: Path, bundled_model_path: Path
) -> None:
    from lamtui.lam.adapters import shipped_adapter_dir

    shipped = shipped_adapter_dir() / "lamtui-gemma3-270m-lam.gguf"
    recipe = DpoRecipe(epochs=1, top_layers=4, lr=1e-3)
    said: list[str] = []
    job = DpoJob(
        bundled_model_path, _pairs(), tmp_path, recipe, "pref", shipped, anchors=_anchors()
    )
    manifest = run_dpo(job, said.append)
    before, after = manifest["preference"]["before"], manifest["preference"]["after"]
    assert after["gap"] > before["gap"], said
    assert manifest["method"] == "dpo" and manifest["pairs"] == len(NAMES)
    assert manifest["anchors"] == 2 and "2 approved trajectories as anchors" in "".join(said)
    assert manifest["steps"] == len(NAMES) and manifest["init"] == shipped.name
    adapter = tmp_path / "pref.gguf"
    assert adapter.read_bytes()[:4] == b"GGUF"
    assert read_manifest(adapter)["base"]["sha256"] == manifest["base"]["sha256"]
