"""The app's reading of the training child: both trainers' progress lines (the supervised
one as train/loop.py really formats it) and the before/after figures of a manifest."""

from __future__ import annotations

import math

from lamtui.train.loop import _bar
from lamtui.train.trainer import State
from lamtui.ui.learn_child import Progress, manifest_figures, parse_progress


def test_the_supervised_trainers_own_bar_is_parsed() -> None:
    line = _bar(State(step=30, total_steps=120), 1.25, 231.7, 0, 60.0)
    assert parse_progress(line) == Progress(30, 120, 1.25, "sft", 232.0, 3.0)


def test_a_dpo_line_is_parsed_and_other_lines_are_not() -> None:
    progress = parse_progress("dpo step 3/40 loss 0.693 margin -0.012")
    assert progress == Progress(3, 40, 0.693, "dpo", margin=-0.012)
    nan = parse_progress("dpo step 1/2 loss nan margin nan")
    assert nan is not None and math.isnan(nan.loss)
    for other in ("validation loss 0.8123 at step 50", "method: DPO (20 pairs)", ""):
        assert parse_progress(other) is None


def test_figures_from_a_dpo_and_a_supervised_manifest() -> None:
    dpo = {
        "method": "dpo",
        "method_reason": "20 preference pairs",
        "preference": {"before": {"accuracy": 0.4, "gap": -0.2}, "after": {"accuracy": 0.9}},
    }
    assert manifest_figures(dpo) == (
        "DPO (20 preference pairs): preference accuracy 0.400 -> 0.900, gap -0.200 -> ?"
    )
    sft = {"method": "sft", "val_loss": 0.75, "val_losses": [[10, 1.5], [20, 0.75]]}
    assert manifest_figures(sft) == "SFT: validation loss 1.5000 -> 0.7500"
    few = {"method": "sft", "val_loss": None, "val_losses": [], "final_loss": 0.267}
    assert manifest_figures(few) == "SFT: no validation set; last training loss 0.2670"
