"""Run a suite's tasks through the real agent, one fresh sandbox per task.

For each task: a temporary directory holds the agent's sandbox (`agent/`), the gold
command's twin (`gold/`), the twin for the offline step evaluation (`first/`) and the
task's own data dir (`home/`: trajectories, outputs, no saved rules), so nothing leaks
between tasks. Approval is automatic but confined: the gate runs in workspace mode and
EvalApprover approves what it asks about only when the OS sandbox will contain it.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, assert_never

from lamtui.actions import files
from lamtui.actions.sandbox import bwrap_prefix, sandbox_status
from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.agent.approval import Approver, Proposal
from lamtui.agent.events import (
    ActionDecided,
    ActionEdited,
    ActionFinished,
    ActionProposed,
    AgentEvent,
    AskUser,
    Decision,
    MemoryUsed,
    ModelRetry,
    ModelToken,
    Notice,
    OutputChunk,
    PlanUpdated,
    TaskFinished,
    TaskStarted,
    TokenStats,
    UserAnswered,
)
from lamtui.agent.loop import AgentMemory, AgentOptions
from lamtui.contract.cancel import CancelToken
from lamtui.contract.modes import PolicyMode
from lamtui.contract.result import ActionResult
from lamtui.contract.schema import Action
from lamtui.eval.fsdiff import changes, hashes_of, snapshot
from lamtui.eval.scoring import three_part_score
from lamtui.eval.suite import ROOT_TOKEN, EvalTask, Evidence, Suite, Verdict
from lamtui.lam.base import Backend
from lamtui.safety.paths import check_path
from lamtui.safety.policy import Policy
from lamtui.session import new_agent

GOLD_TIMEOUT = 30.0
MODEL_SUMMARIES = ("finished", "failed")  # outcomes whose summary the model wrote
NO_EFFECT = (
    "the gold command has no observable effect in this fixture (no output, no file "
    "change): doing nothing would pass, so the task cannot tell agents apart"
)  # seconds for a gold command (InterCode's are all quick)


REPLAY_FLOOR = 1.0  # seconds the first-action replay always gets, even past the budget


@dataclass
class EvalOptions:
    max_steps: int = 4
    max_failures: int = 2
    max_tokens: int = 384  # an action is a command, not an essay; bounds a runaway output
    task_timeout: float = 300.0  # wall-clock seconds per task, model included
    shell_timeout: float = 30.0
    step_eval: bool = True  # offline: the first proposed action vs the gold command


@dataclass
class TaskResult:
    id: str
    split: str
    query: str
    status: str  # passed | failed | skipped | error
    reasons: list[str] = field(default_factory=list)
    parts: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""  # the agent's: finished, failed, gave_up, budget, aborted, error
    steps: int = 0  # actions proposed
    duration: float = 0.0
    step_latencies: list[float] = field(default_factory=list)
    completion_tokens: int = 0
    generation_seconds: float = 0.0
    model_calls: int = 0
    invalid_outputs: int = 0
    rejections: int = 0
    timed_out: bool = False
    memory_items: int = 0
    commands: list[str] = field(default_factory=list)  # what the agent ran
    proposed: list[str] = field(default_factory=list)  # every proposal, rejected ones too
    first_action: str = ""
    first_action_success: bool | None = None  # None: no gold to compare with
    gold: str = ""

    @property
    def success(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["success"] = self.success
        return data


class EvalApprover:
    """The gate in workspace mode approves reads and writes inside the sandbox by itself;
    this approves the rest only when the OS sandbox contains it (a shell action under
    bwrap: read-only root, no network). File tools outside the sandbox are refused."""

    def __init__(self, sandboxed: bool) -> None:
        self.sandboxed = sandboxed

    def decide(self, proposal: Proposal) -> Decision:
        if self.sandboxed and proposal.action.tool == "shell":
            return Decision("approve", by="approver:eval")
        return Decision("reject", by="approver:eval", reason="outside the evaluation sandbox")

    def answer(self, question: str) -> str | None:
        return None  # nobody is there to answer: the agent must decide


@contextmanager
def _data_dir(home: Path) -> Iterator[None]:
    """The task's own LAMTUI_HOME (trajectories, outputs, undo), restored afterwards."""
    previous = os.environ.get("LAMTUI_HOME")
    os.environ["LAMTUI_HOME"] = str(home)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("LAMTUI_HOME", None)
        else:
            os.environ["LAMTUI_HOME"] = previous


def _normalize(text: str, root: Path) -> str:
    for form in {str(root), os.path.realpath(root)}:
        text = text.replace(form, ROOT_TOKEN)
    return text


def _full_output(result: ActionResult) -> str:
    if result.output_path:
        try:
            return Path(result.output_path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            pass
    return result.output


def _evidence(
    root: Path, before: dict[str, str], outputs: list[str], summary: str = ""
) -> Evidence:
    after = snapshot(root)
    changed = changes(before, after)
    hashes = hashes_of(after, changed)
    normalized = [_normalize(text, root) for text in outputs]
    return Evidence(
        root=root,
        changes=changed,
        hashes=hashes,
        output=normalized[-1] if normalized else "",
        summary=_normalize(summary, root),
        outputs=normalized,
    )


def observable(gold: Evidence) -> bool:
    """Whether the gold command did anything a judge can see."""
    return bool(gold.changes) or bool(gold.output.strip())


def run_command(
    command: str, root: Path, timeout: float, sandboxed: bool
) -> tuple[str, int | None]:
    """Run one command in `root` as the agent's shell actions run (sandboxed when the
    OS sandbox is available): the full output and the exit code."""
    log = root.parent / f"{root.name}-command.log"
    options = ShellOptions(
        timeout=timeout,
        save_output_to=log,
        wrapper=bwrap_prefix(root) if sandboxed else (),
    )
    result = ActionResult(ok=False)
    for item in run_shell(command, root, options):
        if isinstance(item, ActionResult):
            result = item
    return _full_output(result), result.exit_code


def _run_action(action: Action, root: Path, timeout: float, sandboxed: bool) -> list[str]:
    """Execute one proposed action in `root` (the offline step evaluation); outputs."""
    args = {key: str(value) for key, value in action.args.items()}
    if action.tool == "shell":
        return [run_command(args["command"], root, timeout, sandboxed)[0]]
    if action.tool not in files.FILE_TOOLS or not check_path(args.get("path", ""), root).inside:
        return []  # finish/ask_user, or a path outside the twin: never touch the machine
    return [files.run_file_tool(action.tool, args, root).output]


def _move_root(action: Action, old: Path, new: Path) -> Action:
    """The action as it would be written for a sandbox at `new` instead of `old`."""
    data = action.model_dump(mode="json")
    data["args"] = {k: str(v).replace(str(old), str(new)) for k, v in data["args"].items()}
    return Action.model_validate(data)


class _Watchdog:
    """Cancels the task when its wall-clock budget is spent."""

    def __init__(self, cancel: CancelToken, seconds: float) -> None:
        self.fired = False
        self._cancel = cancel
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        self._cancel.cancel()

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


class _Tally:
    """Metrics read off the agent's events."""

    def __init__(self, result: TaskResult, started: float) -> None:
        self.result = result
        self.mark = started  # end of the previous step (or of planning)
        self.outputs: list[str] = []
        self.summary = ""
        self.first: Action | None = None
        self.pending: Action | None = None  # proposed (or edited), not yet finished
        self.open = False  # a step was proposed and has not ended yet
        self.decided_at = 0.0

    def add(self, event: AgentEvent) -> None:
        r = self.result
        match event:
            case PlanUpdated(reason="initial plan"):
                self.mark = event.ts
            case ActionProposed():
                self._proposed(event.action)
            case ActionDecided():
                self.decided_at = event.ts
                if not event.decision.approved:
                    r.rejections += 1
                    self._step_done(event.ts)
            case ActionFinished():
                self._step_done(event.ts)
                if self.pending is not None:
                    r.commands.append(_describe(self.pending))
                if event.result.output_path or event.result.exit_code is not None:
                    self.outputs.append(_full_output(event.result))
            case TokenStats():
                r.model_calls += 1
                r.completion_tokens += event.completion_tokens
                r.generation_seconds += event.generation_seconds
            case ModelRetry():
                r.invalid_outputs += 1
            case MemoryUsed():
                r.memory_items += len(event.items)
            case TaskFinished():
                self._finished(event)
            case Notice(level="error"):
                r.reasons.append(event.message)
            case (
                PlanUpdated()
                | Notice()
                | TaskStarted()
                | ModelToken()
                | ActionEdited()
                | OutputChunk()
                | AskUser()
                | UserAnswered()
            ):
                pass  # nothing the metrics count
            case _:
                assert_never(event)

    def _proposed(self, action: Action) -> None:
        self._step_done(self.decided_at)  # an approved action that never ran
        self.result.steps += 1
        self.result.proposed.append(_describe(action))
        self.open = True
        self.pending = action
        if self.first is None:
            self.first = action
            self.result.first_action = _describe(action)

    def _finished(self, event: TaskFinished) -> None:
        self._step_done(self.decided_at)
        self.result.outcome = event.outcome
        # Only the model's own finish summary is an answer: for the other outcomes the
        # summary is lamtui's ("stopped after 4 actions"), and its numbers would pass a
        # task whose answer is 4.
        if event.outcome in MODEL_SUMMARIES:
            self.summary = event.summary

    def _step_done(self, ts: float) -> None:
        """A step is one action: generated, decided, run (when approved and new)."""
        if self.open:
            self.result.step_latencies.append(max(0.0, ts - self.mark))
            self.mark = ts
            self.open = False


def _describe(action: Action) -> str:
    if action.tool == "shell":
        return str(action.args.get("command", ""))
    return f"{action.tool} {action.args.get('path', '')}".strip()


class TaskRunner:
    def __init__(
        self,
        suite: Suite,
        backend: Backend,
        options: EvalOptions,
        memory: AgentMemory | None = None,
        *,
        approver: Approver | None = None,
        policy: PolicyMode = "workspace",
        home: Path | None = None,
    ) -> None:
        """`approver`, `policy` and `home` replace the evaluation's own (EvalApprover, the
        workspace mode, a fresh data dir per task) for a simulated user whose sessions
        are kept (benchmarks/bench_learn_from_user.py)."""
        self.suite = suite
        self.backend = backend
        self.options = options
        self.memory = memory
        self.approver = approver
        self.policy: PolicyMode = policy
        self.home = home
        self.sandboxed = sandbox_status().available

    def run(self, task: EvalTask) -> TaskResult:
        result = TaskResult(task.id, task.split, task.query, "error", gold=task.gold or "")
        if task.skip:
            result.status = "skipped"
            result.reasons = [task.skip]
            return result
        with tempfile.TemporaryDirectory(prefix=f"lamtui-eval-{task.id}-") as tmp:
            base = Path(tmp).resolve()
            try:
                self._run_in(task, base, result)
            except Exception as exc:  # one broken task must not end the whole run
                result.status = "error"
                result.reasons.append(f"{type(exc).__name__}: {exc}")
        return result

    def _sandbox_dir(self, task: EvalTask, base: Path, name: str) -> Path:
        root = base / name
        root.mkdir()
        self.suite.setup(task, root)
        return root

    def _run_in(self, task: EvalTask, base: Path, result: TaskResult) -> None:
        gold = self._gold(task, base)
        if gold is not None and not observable(gold):
            gold = None  # nothing to compare a first action with
            if self.suite.judged_by_gold:
                result.status = "skipped"
                result.reasons = [NO_EFFECT]
                return
        agent_root = self._sandbox_dir(task, base, "agent")
        before = snapshot(agent_root)
        tally = self._run_agent(task, agent_root, self.home or base / "home", result)
        agent = _evidence(agent_root, before, tally.outputs, tally.summary)
        verdict: Verdict = self.suite.judge(task, agent, gold)
        result.status = "passed" if verdict.success else "failed"
        result.parts = verdict.parts
        result.reasons += verdict.reasons
        if result.timed_out:
            result.reasons.append(f"timed out after {self.options.task_timeout:g} s")
        if self.options.step_eval and gold is not None and tally.first is not None:
            first_root = self._sandbox_dir(task, base, "first")
            first_before = snapshot(first_root)
            action = _move_root(tally.first, agent_root, first_root)
            outputs = _run_action(action, first_root, self._replay_timeout(result), self.sandboxed)
            first = _evidence(first_root, first_before, outputs)
            result.first_action_success = three_part_score(first, gold).success
        elif self.options.step_eval and gold is not None:
            result.first_action_success = False  # no action proposed at all

    def _replay_timeout(self, result: TaskResult) -> float:
        """The first action's replay runs on what is left of the task's budget (at least
        REPLAY_FLOOR seconds), so a timed-out task costs its budget, not another shell
        timeout on top."""
        left = self.options.task_timeout - result.duration
        return min(self.options.shell_timeout, max(left, REPLAY_FLOOR))

    def _gold(self, task: EvalTask, base: Path) -> Evidence | None:
        """The gold command's effect in its twin sandbox, or None without a gold."""
        gold_root = self._sandbox_dir(task, base, "gold")
        command = self.suite.gold_command(task, gold_root)
        if command is None:
            return None
        before = snapshot(gold_root)
        output, code = run_command(command, gold_root, GOLD_TIMEOUT, self.sandboxed)
        gold = _evidence(gold_root, before, [output])
        gold.exit_code = code
        return gold

    def _run_agent(self, task: EvalTask, root: Path, home: Path, result: TaskResult) -> _Tally:
        cancel = CancelToken()
        agent_options = AgentOptions(
            max_steps=self.options.max_steps,
            max_failures=self.options.max_failures,
            max_tokens=self.options.max_tokens,
            shell_timeout=self.options.shell_timeout,
            policy=Policy(self.policy),  # no saved rules: nothing leaks in from the user
            undo=False,
            sandbox="always" if self.sandboxed else "never",
        )
        started = time.monotonic()
        tally = _Tally(result, time.time())
        with _data_dir(home), _Watchdog(cancel, self.options.task_timeout) as watchdog:
            agent = new_agent(
                self.backend,
                self.approver or EvalApprover(self.sandboxed),
                root,
                agent_options,
                cancel,
                memory=self.memory,
            )
            for event in agent.run(self.suite.request(task, root)):
                tally.add(event)
        result.timed_out = watchdog.fired
        result.duration = time.monotonic() - started
        return tally
