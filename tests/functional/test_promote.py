"""`lamtui models promote`: guarded promotion of any adapter. The real bundled base and
the shipped adapter are on disk; the model is a scripted LAM that solves the validation
tasks its adapter "knows" (tests/functional/test_explore.py's), so the scores are the
harness's real verdicts on the pool's real checkers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from lamtui.cli import main
from lamtui.config import ModelSettings
from lamtui.lam import catalog, factory
from lamtui.lam.adapters import entry_adapter, read_manifest, shipped_adapter_dir
from lamtui.lam.base import Backend, GenerationRequest
from lamtui.lam.catalog import get_entry
from lamtui.lam.scripted import ScriptedBackend
from lamtui.train.manifest import write_manifest
from lamtui.train.pool import PoolTask, validation_slice
from tests.functional.test_explore import VALIDATION, _reply
from tests.gguf_files import make_gguf

ENTRY = "gemma3-270m-lam"
SHIPPED = shipped_adapter_dir() / "lamtui-gemma3-270m-lam.gguf"
SKILL = {"shipped": 1, "better": 3, "worse": 0}  # validation tasks each adapter solves


class Models:
    """The scripted LAM of each adapter; counts which adapters were opened."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.interrupt_after: int | None = None

    def open(self, settings: ModelSettings) -> Backend:
        name = Path(settings.name.split("+", 1)[1]).stem
        self.opened.append(name)
        known = SKILL["shipped" if name == SHIPPED.stem else name]
        chosen = {t.id for t in validation_slice(VALIDATION)[:known]}
        solves: Callable[[PoolTask], bool] = lambda task: task.id in chosen  # noqa: E731

        def reply(request: GenerationRequest) -> str:
            if self.interrupt_after is not None:
                if self.interrupt_after == 0:
                    self.interrupt_after = None
                    raise KeyboardInterrupt
                self.interrupt_after -= 1
            return _reply(solves, request)

        return ScriptedBackend([reply] * 400)


@pytest.fixture
def models(monkeypatch: pytest.MonkeyPatch) -> Models:
    fake = Models()
    monkeypatch.setattr(factory, "open_backend", fake.open)
    return fake


def _candidate(tmp_path: Path, name: str) -> Path:
    base = catalog.resolve_model("gemma3-270m")
    path = make_gguf(tmp_path / "adapters" / f"{name}.gguf", name=f"adapter {name}")
    write_manifest(
        path,
        {"name": name, "base": {"file": base.path.name, "sha256": base.sha256},
         "prompt": "lam", "scores": {}},
    )  # fmt: skip
    return path


def _promote(*argv: str) -> int:
    return main(["models", "promote", *argv, "--validation", str(VALIDATION)])


def test_a_better_adapter_is_promoted_after_both_are_measured(
    tmp_path: Path, models: Models, capsys: pytest.CaptureFixture[str]
) -> None:
    better = _candidate(tmp_path, "better")
    assert _promote(str(better), "--json") == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["before"]["passed"] == 1 and verdict["after"]["passed"] == 3
    assert verdict["promoted"] is True and verdict["reason"].startswith("better: 3/4")
    assert entry_adapter(get_entry(ENTRY)) == better.resolve()
    assert read_manifest(better)["scores"]["pool-validation"] == "3/4 (75.0%)"
    assert models.opened == [SHIPPED.stem, "better"]
    # It is the default now: promoting it again is one clear error.
    assert _promote(str(better)) == 2
    assert "already the default" in capsys.readouterr().err


def test_a_worse_adapter_stays_beside_the_default_with_its_score(
    tmp_path: Path, models: Models, capsys: pytest.CaptureFixture[str]
) -> None:
    worse = _candidate(tmp_path, "worse")
    assert _promote(str(worse)) == 0
    out = capsys.readouterr().out
    assert "not promoted: worse: 0/4" in out and f"keeps {SHIPPED.stem}" in out
    assert entry_adapter(get_entry(ENTRY)) == SHIPPED.resolve()
    assert read_manifest(worse)["scores"]["pool-validation"] == "0/4 (0.0%)"
    # --check changes nothing, and the shipped adapter's score is not measured again.
    better = _candidate(tmp_path, "better")
    assert _promote(str(better), "--check") == 0
    assert "would promote: better: 3/4" in capsys.readouterr().out
    assert entry_adapter(get_entry(ENTRY)) == SHIPPED.resolve()
    assert models.opened == [SHIPPED.stem, "worse", "better"]


def test_an_interrupted_evaluation_never_promotes_and_resumes(
    tmp_path: Path, models: Models, capsys: pytest.CaptureFixture[str]
) -> None:
    better = _candidate(tmp_path, "better")
    models.interrupt_after = 5  # inside the shipped adapter's second validation task
    assert _promote(str(better)) == 3
    assert "the default is unchanged" in capsys.readouterr().err
    assert entry_adapter(get_entry(ENTRY)) == SHIPPED.resolve()
    assert _promote(str(better), "--json") == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["promoted"] is True and verdict["before"]["completed"]
    assert entry_adapter(get_entry(ENTRY)) == better.resolve()


def test_an_adapter_of_another_base_is_refused(
    tmp_path: Path, models: Models, capsys: pytest.CaptureFixture[str]
) -> None:
    other = make_gguf(tmp_path / "other.gguf", name="adapter")
    write_manifest(other, {"name": "other", "base": {"file": "b.gguf", "sha256": "ab" * 32}})
    assert _promote(str(other), "--model", ENTRY) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "lamtui: error:" in err
    assert models.opened == [] and entry_adapter(get_entry(ENTRY)) == SHIPPED.resolve()
