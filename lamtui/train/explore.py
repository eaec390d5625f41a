"""`lamtui train explore` (issue 15, phase 3): the LAM attempts pool tasks on its own, its
verified successes become training data, a new adapter is trained from the current one,
and it is kept only when it does better on the fixed validation slice.

One round: attempt K pool tasks (sandboxed and auto-approved as `lamtui eval` runs
them) → the trajectories the checker verified and that nothing rejected join the run's
training data → train a new adapter starting from the current adapter's weights → run it
on the validation slice → keep it when it beats the current adapter, and make it the
default only through train.promotion's guard. The run stops after N rounds, or at the
first round that does not gain (or has nothing new to learn).

The model never runs in the training process: llama.cpp's and torch's OpenMP runtimes in
one process crashed (tests/e2e/test_train_real.py), so attempts and evaluations load
llama.cpp here and training is a `lamtui train` child process."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from lamtui.errors import LamtuiError
from lamtui.eval.runner import EvalOptions, TaskResult, TaskRunner
from lamtui.lam.base import Backend
from lamtui.lam.sampling import SampledBackend
from lamtui.train import explore_state as store
from lamtui.train import slice_eval
from lamtui.train.examples import Example
from lamtui.train.explore_data import make_recipe, replayed, trained, write_data
from lamtui.train.explore_report import reports_of, round_report
from lamtui.train.explore_state import ExploreState, RoundState
from lamtui.train.harvest import Harvest, content_key, to_example, verified
from lamtui.train.lineage import record_round
from lamtui.train.pool import PoolSuite, PoolTask, generate_pool, validation_slice
from lamtui.train.promotion import SliceScore, decide

if TYPE_CHECKING:
    from lamtui.lam.catalog import ResolvedModel

Say = Callable[[str], None]
RoundReport = Callable[[dict[str, Any]], None]


@dataclass
class ExploreOptions:
    rounds: int = 3
    tasks: int = 20  # pool tasks attempted per round
    seed: int = 0  # which training pool
    validation: int = 60  # tasks of the fixed validation slice (a prefix of it)
    templates: tuple[str, ...] = ()  # only these pool templates (empty: all)
    max_steps: int = 4
    task_timeout: float = 300.0
    tries: int = 4  # attempts per task until one is verified: greedy first, then sampled
    temperature: float = 0.8  # of the sampled tries
    patience: int = 1  # stop after this many rounds in a row without a gain
    epochs: float = 1.0
    lr: float = 3e-4  # lower than a first training: it goes on from a trained adapter
    warmup: int = 2
    batch_tokens: int = 2048
    max_minutes: float = 0.0  # per training; 0: no limit
    replay: int = 0  # examples of an earlier dataset trained along, against forgetting
    replay_data: str = ""  # its folder (train.jsonl), when replay > 0


@dataclass
class TrainRequest:
    base: Path
    data: Path
    out: Path
    name: str
    init: Path  # the adapter whose weights the new one starts from
    resume: bool  # a checkpoint from an interrupted training is there
    recipe: dict[str, Any]  # rank, top_layers, epochs, lr, warmup, batch_tokens, max_minutes


class Lam(Protocol):
    """How explore loads the model on an adapter and trains a new adapter."""

    def open(self, adapter: Path) -> Backend: ...
    def train(self, request: TrainRequest) -> Path: ...


def _pool_tasks(options: ExploreOptions) -> list[PoolTask]:
    """The run's attempts in order: round n takes the n-th K of them. Deterministic from
    the options, so a resumed run finds the same tasks."""
    need = options.rounds * options.tasks
    if not options.templates:
        return generate_pool(need, options.seed)
    size = need
    while True:  # the pool is round-robin over every template: draw enough, then filter
        chosen = [t for t in generate_pool(size, options.seed) if t.template in options.templates]
        if len(chosen) >= need:
            return chosen[:need]
        size *= 2


def eval_options(options: ExploreOptions) -> EvalOptions:
    return EvalOptions(
        max_steps=options.max_steps,
        task_timeout=options.task_timeout,
        shell_timeout=min(30.0, options.task_timeout),
        step_eval=False,  # pool tasks have no gold command to replay against
    )


class Explorer:
    def __init__(
        self,
        state: ExploreState,
        lam: Lam,
        say: Say,
        on_round: RoundReport,
    ) -> None:
        self.state = state
        self.lam = lam
        self.say = say
        self.on_round = on_round
        self.options = ExploreOptions(
            **{**state.options, "templates": tuple(state.options.get("templates") or ())}
        )
        self.pool = {t.id: t for t in _pool_tasks(self.options)}
        self.slice = validation_slice(self.options.validation)
        if [t.id for t in self.slice] != list(state.slice["tasks"]):
            raise LamtuiError(
                f"the validation slice changed since explore run {state.run_id} started",
                "start a new run: lamtui train explore --fresh",
            )
        self._backend: tuple[Path, Backend] | None = None

    # -- the run ----------------------------------------------------------------------

    def run(self) -> ExploreState:
        state = self.state
        try:
            if state.current.get("score") is None:
                state.current["score"] = state.start["score"] = self._baseline().to_dict()
                store.save(state)
            self.on_round(self.baseline_report())
            while state.status == "running":
                current = self._round()
                self._advance(current)
                if current.phase == "done":
                    self.on_round(round_report(current))
                    self._maybe_stop(current)
                store.save(state)
        finally:
            self._close()
            store.save(state)  # phases advance only once done: the time spent is kept too
        return state

    def baseline_report(self) -> dict[str, Any]:
        return reports_of(self.state)[0]

    def _round(self) -> RoundState:
        rounds = self.state.rounds
        if rounds and rounds[-1].phase != "done":
            return rounds[-1]
        n = len(rounds) + 1
        ids = list(self.pool)[(n - 1) * self.options.tasks : n * self.options.tasks]
        rounds.append(RoundState(n=n, tasks=ids))
        store.save(self.state)
        return rounds[-1]

    def _advance(self, current: RoundState) -> None:
        folder = self.state.round_dir(current.n)
        if current.phase == "attempt":
            self._timed(current, "attempt", lambda: self._attempt(current, folder))
            if current.added == 0:
                current.phase = "done"
                current.reason = "no new verified trajectories: nothing trained"
                self.say(f"round {current.n}: {current.reason}")
            else:
                current.phase = "train"
            store.save(self.state)
        if current.phase == "train":
            self._timed(current, "train", lambda: self._train(current, folder))
            current.phase = "validate"
            store.save(self.state)
        if current.phase == "validate":
            self._timed(current, "validate", lambda: self._validate(current, folder))
            current.phase = "done"
            store.save(self.state)

    def _maybe_stop(self, current: RoundState) -> None:
        state = self.state
        misses = 0
        for r in reversed(state.rounds):  # rounds in a row, up to this one, without a gain
            if r.kept:
                break
            misses += 1
        if misses >= max(1, self.options.patience):
            state.status, state.stopped = "finished", f"round {current.n}: {current.reason}"
        elif current.n >= self.options.rounds:
            done = f"{current.n} round{'s' if current.n != 1 else ''} done"
            state.status, state.stopped = "finished", done

    def _timed(self, current: RoundState, phase: str, work: Callable[[], None]) -> None:
        started = time.monotonic()
        try:
            work()
        finally:
            spent = time.monotonic() - started
            current.seconds[phase] = round(current.seconds.get(phase, 0.0) + spent, 1)

    # -- the model --------------------------------------------------------------------

    def _open(self, adapter: Path) -> Backend:
        if self._backend is not None and self._backend[0] == adapter:
            return self._backend[1]
        self._close()
        backend = self.lam.open(adapter)
        self._backend = (adapter, backend)
        return backend

    def _close(self) -> None:
        if self._backend is not None:
            self._backend[1].close()
            self._backend = None

    # -- phases -----------------------------------------------------------------------

    def _baseline(self) -> SliceScore:
        adapter = Path(self.state.current["adapter"])
        known = slice_eval.known_score(adapter, self.state.slice["id"])
        if known is not None:
            self.say(f"{adapter.name}: validation {known.shown()} (measured before)")
            return known
        self.say(f"measuring {adapter.name} on the validation slice ({len(self.slice)} tasks)")
        return self._evaluate(adapter, self.state.folder / "baseline.jsonl")

    def _attempt(self, current: RoundState, folder: Path) -> None:
        attempts = folder / "attempts.jsonl"
        done = {line["id"] for line in store.lines(attempts)}
        todo = [self.pool[i] for i in current.tasks if i not in done]
        if todo:
            seen = {content_key(e) for e in self._examples()}
            backend = self._open(Path(self.state.current["adapter"]))
            for task in todo:
                result, ok, example, tries = self._tries(task, backend)
                added = example is not None and content_key(example) not in seen
                if example is not None and added:
                    seen.add(content_key(example))
                    store.append(folder / "examples.jsonl", example.to_dict())
                store.append(
                    attempts, {**slice_eval.result_line(result, ok, added), "tries": tries}
                )
                n = len(store.lines(attempts))
                self.say(
                    f"round {current.n}: {n}/{len(current.tasks)} {task.id} {result.status}"
                    + (f" after {tries} tries" if tries > 1 else "")
                    + (" (verified, added)" if added else " (verified)" if ok else "")
                )
        lines = store.lines(attempts)
        current.attempted = len(lines)
        current.verified = sum(1 for line in lines if line["verified"])
        current.added = sum(1 for line in lines if line["added"])

    def _tries(
        self, task: PoolTask, backend: Backend
    ) -> tuple[TaskResult, bool, Example | None, int]:
        """Best of k: the greedy try, then sampled ones (each with its own seed), until
        the checker verifies one. A try is judged like any eval task, in a fresh sandbox."""
        o = self.options
        suite = PoolSuite([task])
        (spec,) = suite.tasks()
        result: TaskResult | None = None
        for n in range(max(1, o.tries)):
            model = backend if n == 0 else SampledBackend(backend, o.temperature, seed=n)
            harvest = Harvest()
            result = TaskRunner(suite, model, eval_options(o), harvest).run(spec)
            record = harvest.take()
            if verified(result, record) and record is not None:
                return result, True, to_example(task.id, record), n + 1
        assert result is not None
        return result, False, None, max(1, o.tries)

    def _examples(self, upto: int | None = None) -> list[Example]:
        """Every example of the run's rounds (up to round `upto`), once each."""
        out: dict[str, Example] = {}
        for r in self.state.rounds:
            if upto is not None and r.n > upto:
                break
            for line in store.lines(self.state.round_dir(r.n) / "examples.jsonl"):
                example = Example.from_dict(line)
                out.setdefault(content_key(example), example)
        return list(out.values())

    def _train(self, current: RoundState, folder: Path) -> None:
        data = folder / "data"
        if not (data / "train.jsonl").is_file():
            o = self.options
            mixed = replayed(o.replay, o.replay_data, o.seed, current.n)
            write_data(data, [*self._examples(current.n), *mixed], current.n)
        init = Path(self.state.current["adapter"])
        recipe = make_recipe(init, self.options)
        name = f"explore-{self.state.run_id}-r{current.n}"
        out = folder / "train"
        adapter = out / f"{name}.gguf"
        if not trained(adapter, data):
            self.say(f"round {current.n}: training {name} from {init.name}")
            self._close()  # the model's memory goes back before torch takes its own
            request = TrainRequest(
                Path(self.state.base["path"]),
                data,
                out,
                name,
                init,
                resume=(out / "checkpoint" / "state.json").is_file(),
                recipe=recipe,
            )
            adapter = self.lam.train(request)
        current.candidate = str(adapter)

    def _validate(self, current: RoundState, folder: Path) -> None:
        candidate = Path(current.candidate)
        score = self._evaluate(candidate, folder / "validation.jsonl")
        current.score = score.to_dict()
        before = SliceScore.from_dict(self.state.current["score"])
        verdict = decide(score, before)
        current.kept = verdict.promote
        current.reason = verdict.reason
        previous = dict(self.state.current)
        current.promoted = record_round(self.state, current, previous, score, before)
        if current.kept:
            self.state.current = {
                "adapter": str(candidate),
                "name": candidate.stem,
                "score": current.score,
            }
        self._close()
        self.say(f"round {current.n}: {candidate.name} {verdict.reason}")

    def _evaluate(self, adapter: Path, results: Path) -> SliceScore:
        """The adapter on the validation slice; finished tasks are not run again."""
        score = slice_eval.evaluate(
            lambda: self._open(adapter),
            self.slice,
            str(self.state.slice["id"]),
            results,
            eval_options(self.options),
            self.say,
            adapter.name,
        )
        slice_eval.remember_score(adapter, score)
        return score


def options_dict(options: ExploreOptions) -> dict[str, Any]:
    data = asdict(options)
    data["templates"] = list(options.templates)
    return data


def new_state(options: ExploreOptions, start: ResolvedModel, entry: str) -> ExploreState:
    """A new run from `start` (a base with its adapter). The slice's id covers the
    agent's step limit too: scores under other limits are not comparable."""
    assert start.adapter is not None
    tasks, sid = slice_eval.slice_for(options.validation, options.max_steps)
    adapter = {"adapter": str(start.adapter.resolve()), "name": start.adapter.stem}
    return ExploreState(
        run_id=store.new_run_id(),
        options=options_dict(options),
        base={"name": start.path.name, "path": str(start.path), "sha256": start.sha256},
        entry=entry,
        start=dict(adapter),
        current={**adapter, "score": None},
        slice={"id": sid, "tasks": [t.id for t in tasks]},
    )
