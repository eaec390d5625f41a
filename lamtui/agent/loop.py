"""The LAM cycle. `Agent.run(request)` yields events while it observes, plans, and then
per step proposes one action, has it assessed and decided, executes it, observes the
result and adapts the plan. The TUI and `lamtui run` drive this same generator.
"""

from __future__ import annotations

import difflib
import secrets
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from lamtui.actions import files
from lamtui.actions.sandbox import bwrap_prefix, control_paths, sandbox_status
from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.actions.undo import UndoStore, glob_options_may_change
from lamtui.agent import prompts
from lamtui.agent.approval import Approver, safe_answer
from lamtui.agent.events import (
    ActionDecided,
    ActionFinished,
    ActionProposed,
    AgentEvent,
    AskUser,
    Decision,
    MemoryUsed,
    ModelRetry,
    ModelToken,
    Notice,
    Outcome,
    OutputChunk,
    PlanUpdated,
    TaskFinished,
    TaskStarted,
    TokenStats,
    UserAnswered,
)
from lamtui.agent.gate import GateContext
from lamtui.agent.gate import decide as gate_decide
from lamtui.agent.observe import describe, snapshot
from lamtui.agent.outcome import Ledger, judge_finish, repeat_text
from lamtui.agent.plan import PlanTree, Step
from lamtui.agent.redact_events import redacted_events
from lamtui.agent.sinks import TaskSinks
from lamtui.contract.cancel import CancelToken
from lamtui.contract.result import ActionResult
from lamtui.contract.result import OutputChunk as ShellChunk
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import PLAN_SCHEMA, Action, action_schema, parse_action, parse_plan
from lamtui.errors import Cancelled, LamtuiError, ModelError
from lamtui.lam.base import Backend, GenerationStats, Message, TokenChunk
from lamtui.lam.structured import AttemptFailed, Structured, stream_structured
from lamtui.memory.errors import MemoryUnavailable
from lamtui.memory.remember import is_remember_request
from lamtui.paths import get_paths
from lamtui.record.trajectory import TrajectoryRecorder
from lamtui.safety.policy import Policy, assess, suggest_rule_drafts
from lamtui.safety.redact import Redactor, redact_cut
from lamtui.safety.secrets import SecretStore

if TYPE_CHECKING:
    from lamtui.memory.recall import Recall


class AgentMemory(Protocol):
    """What the agent needs of memory (lamtui.memory.MemoryStore; the eval's read-only
    view). Every method may raise MemoryUnavailable."""

    def recall(self, request: str, k: int = 3) -> Recall: ...
    def remember_task(self, record: dict[str, Any]) -> str | None: ...
    def remember_rejection(
        self, action: dict[str, Any], reason: str, request: str
    ) -> str | None: ...
    def remember_fact(self, text: str) -> str: ...


@dataclass
class AgentOptions:
    max_steps: int = 15
    max_failures: int = 3  # consecutive failed or rejected actions before giving up
    max_repeats: int = 3  # re-proposals of a rejected action before giving up
    max_retries: int = 2  # invalid model outputs retried per call
    max_tokens: int = 1024
    shell_timeout: float = 120.0
    head_lines: int = 40
    tail_lines: int = 40
    policy: Policy = field(default_factory=Policy)
    record: bool = True  # trajectories and the audit log
    undo: bool = True  # keep what each change replaced, for `lamtui undo`
    sandbox: str = "auto"  # auto (see Agent._sandbox) | always | never


# Risk classes the sandbox contains without changing what they do: an action the gate
# approved by itself in one of them runs inside it, in readonly and ask mode too.
SANDBOXED_RISKS = frozenset({"read_only", "workspace_write"})


def new_task_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


class _Abort(Exception):
    def __init__(self, outcome: str, summary: str) -> None:
        super().__init__(summary)
        self.outcome = outcome
        self.summary = summary


@dataclass
class _Task:
    id: str
    request: str
    workspace: Path
    messages: list[Message]
    tree: PlanTree | None = None
    actions_taken: int = 0
    failures_in_row: int = 0
    failed_actions: set[str] = field(default_factory=set)
    ledger: Ledger = field(default_factory=Ledger)
    repeats: int = 0  # rejected actions the model proposed again
    started: float = field(default_factory=time.monotonic)
    recorder: TrajectoryRecorder | None = None
    undo: UndoStore | None = None


class Agent:
    """Built by lamtui.session.new_agent, which hands it its sinks and redactor."""

    def __init__(
        self,
        backend: Backend,
        approver: Approver | None,
        workspace: Path,
        options: AgentOptions,
        cancel: CancelToken,
        *,
        sinks: TaskSinks,
        redact: Redactor,
        secrets: SecretStore | None = None,
        memory: AgentMemory | None = None,
        examples: ExampleSource | None = None,
    ) -> None:
        self.backend = backend
        self.approver = approver
        self.workspace = workspace.resolve()
        self.options = options
        self.cancel = cancel
        self.secrets = secrets
        self.memory = memory  # None: work without memory (off, or it failed to open)
        self.examples = examples  # the worked pairs a trained LAM is shown
        self.sinks = sinks
        # Every event and prompt is redacted: stored secrets by value, credentials by pattern.
        self.redact = redact
        self.audit = sinks.audit

    # -- the cycle ----------------------------------------------------------------

    def run(self, request: str) -> Iterator[AgentEvent]:
        # Every event is redacted on its way out: the TUI, --json and the printer read them.
        yield from redacted_events(self._run(request), self.redact)

    def _run(self, request: str) -> Iterator[AgentEvent]:
        task_id = new_task_id()
        problem = _request_problem(request)
        if problem:
            yield Notice(task_id, level="error", message=problem)
            yield TaskFinished(task_id, outcome="error", summary=problem, steps=0, duration=0.0)
            return
        fact = is_remember_request(request) if self.memory is not None else None
        if fact is not None:
            yield from self._remember_fact(task_id, fact)
            return
        env = snapshot(self.workspace)
        task = _Task(task_id, request, self.workspace, self._opening(request, env, None))
        trajectories, undo = self.sinks.trajectories, self.sinks.undo
        if trajectories is not None:
            model = _model_info(self.backend)
            task.recorder = trajectories.start(task_id, request, str(self.workspace), model, env)
        if undo is not None:
            task.undo = undo(task_id, self.workspace)
        self._audit(
            "task_started",
            task,
            request=request,
            workspace=str(self.workspace),
            model=_model_info(self.backend),
        )
        yield TaskStarted(
            task_id,
            request=request,
            workspace=str(self.workspace),
            model=self.backend.info.model,
            environment=env,
        )
        recalled = yield from self._recall(task)
        if recalled is not None:
            # Placed once, before planning, so every later prompt extends this one.
            task.messages = self._opening(request, env, recalled)
        outcome, summary = "error", ""
        try:
            yield from self._plan(task)
            outcome, summary = yield from self._steps(task)
        except _Abort as stop:
            outcome, summary = stop.outcome, stop.summary
        except Cancelled:
            outcome, summary = "aborted", "cancelled by the user"
        except ModelError as exc:
            outcome, summary = "error", str(exc)
            yield Notice(task_id, level="error", message=str(exc))
        finally:
            if task.tree is not None and outcome != "finished":
                task.tree.skip_remaining()
        trajectory_id = ""
        if task.recorder is not None:
            record = task.recorder.build(task.messages, outcome, summary)
            assert self.sinks.trajectories is not None
            trajectory_id = self.sinks.trajectories.save(task.recorder, record)
            if outcome == "finished":
                yield from self._remember_task(task, record)
        self._audit(
            "task_finished", task, outcome=outcome, summary=summary, actions=task.actions_taken
        )
        if task.tree is not None:
            yield PlanUpdated(task_id, plan=task.tree.to_dict(), reason=f"task {outcome}")
        yield TaskFinished(
            task_id,
            outcome=cast(Outcome, outcome),
            summary=summary,
            steps=task.actions_taken,
            duration=time.monotonic() - task.started,
            trajectory_id=trajectory_id,
        )

    def _opening(self, request: str, env: dict[str, Any], recalled: Recall | None) -> list[Message]:
        """The task's first messages. A trained LAM (prompt style "lam") gets the compact
        prompt: the workspace with its entries and the nearest worked examples (the
        user's remembered tasks first, then the shipped corpus); other models get the
        system text, few-shot block and memory. Either way a demonstration is shown
        only above the relevance floor: no example beats a wrong one."""
        demos = [
            d
            for d in (recalled.demonstrations if recalled is not None else [])
            if float(d.get("similarity", 1.0)) >= DEMONSTRATION_FLOOR
        ]
        if self.backend.info.prompt_style != "lam":
            memory = recalled.text if recalled is not None else ""
            return prompts.task_messages(request, describe(env), memory, demos)
        pairs = [pair for pair in map(_demo_pair, demos) if pair is not None]
        if self.examples is not None:
            pairs += self.examples.nearest(request, prompts.MAX_EXAMPLES - len(pairs))
        git = env.get("git") or {}
        workspace = prompts.workspace_line(
            str(env["cwd"]),
            list(env.get("listing") or []),
            git.get("branch") if git else None,
            env.get("workspace_entries"),
        )
        return prompts.lam_task_messages(request, workspace, pairs[: prompts.MAX_EXAMPLES])

    # -- memory: recall before planning, remember after; never fatal --------------------

    def _recall(self, task: _Task) -> Generator[AgentEvent, None, Recall | None]:
        if self.memory is None:
            return None
        try:
            found = self.memory.recall(task.request)
        except MemoryUnavailable as exc:
            yield self._memory_lost(task.id, exc)
            return None
        if not found.items:
            return None
        if task.recorder is not None:
            task.recorder.memory = found.items
        self._audit("memory_used", task, items=[i["id"] for i in found.items])
        yield MemoryUsed(task.id, items=found.items)
        return found

    def _remember_task(self, task: _Task, record: dict[str, Any]) -> Iterator[AgentEvent]:
        if self.memory is None:
            return
        try:
            entry_id = self.memory.remember_task(record)
        except MemoryUnavailable as exc:
            yield self._memory_lost(task.id, exc)
            return
        if entry_id:
            yield Notice(task.id, level="info", message=f"remembered this task ({entry_id})")

    def _remember_rejection(self, task: _Task, action: Action, reason: str) -> Iterator[AgentEvent]:
        if self.memory is None:
            return
        try:
            self.memory.remember_rejection(action.model_dump(mode="json"), reason, task.request)
        except MemoryUnavailable as exc:
            yield self._memory_lost(task.id, exc)

    def _remember_fact(self, task_id: str, fact: str) -> Iterator[AgentEvent]:
        """A "remember ..." request: store the fact; there is nothing to plan."""
        assert self.memory is not None
        yield TaskStarted(
            task_id,
            request=fact,
            workspace=str(self.workspace),
            model=self.backend.info.model,
            environment={},
        )
        try:
            entry_id = self.memory.remember_fact(fact)
        except MemoryUnavailable as exc:
            yield self._memory_lost(task_id, exc)
            summary = f"could not remember it: {exc.message}"
            yield TaskFinished(task_id, outcome="error", summary=summary, steps=0, duration=0.0)
            return
        summary = f"remembered: {self.redact(fact)} ({entry_id}; `lamtui memory forget` removes it)"
        if self.audit is not None:
            self.audit.write("memory_fact", task_id, id=entry_id, fact=fact)
        yield TaskFinished(task_id, outcome="finished", summary=summary, steps=0, duration=0.0)

    def _memory_lost(self, task_id: str, exc: MemoryUnavailable) -> Notice:
        """Memory failed: say so once and carry on without it."""
        self.memory = None
        return Notice(task_id, level="warning", message=f"working without memory: {exc}")

    def _generate(
        self, task: _Task, phase: str, schema: dict[str, Any], parse: Any
    ) -> Generator[AgentEvent, None, Structured[Any]]:
        """Stream one structured model call and return its validated value."""
        self._check_cancel()
        prompt_len = len(task.messages)
        result: Structured[Any] | None = None
        for item in stream_structured(
            self.backend,
            [replace(m, content=self.redact(m.content)) for m in task.messages],  # the prompt
            schema,
            parse,
            max_retries=self.options.max_retries,
            max_tokens=self.options.max_tokens,
            cancel=self.cancel,
        ):
            if isinstance(item, TokenChunk):
                yield ModelToken(task.id, phase=phase, text=item.text)
            elif isinstance(item, AttemptFailed):
                yield ModelRetry(task.id, phase=phase, attempt=item.attempt, error=item.error)
            else:
                result = item
        assert result is not None
        yield _token_stats(task.id, phase, result.stats)
        if task.recorder is not None:
            task.recorder.model_call(
                phase,
                prompt_len,
                result.raw,
                result.attempts,
                _stats_dict(result.stats),
                [{"attempt": f.attempt, "raw": f.raw, "error": f.error} for f in result.failures],
            )
        return result

    def _plan(self, task: _Task) -> Iterator[AgentEvent]:
        plan = (yield from self._generate(task, "plan", PLAN_SCHEMA, parse_plan)).value
        task.messages.append(Message("assistant", plan.to_json()))
        task.tree = PlanTree.from_plan(plan)
        # The goal shown is what the user asked, not one copied from a recalled demo.
        task.tree.goal = self.redact(task.request)
        if task.recorder is not None:
            task.recorder.plan(task.tree.to_dict(), "initial plan")
        yield PlanUpdated(task.id, plan=task.tree.to_dict(), reason="initial plan")
        first = task.tree.current()
        assert first is not None
        task.messages.append(Message("user", self._cue(task, first)))

    def _cue(self, task: _Task, step: Step | None) -> str:
        assert task.tree is not None
        if step is None:
            return prompts.DONE_CUE
        position, total = task.tree.position(step)
        return prompts.step_cue(position, total, step.title)

    def _steps(self, task: _Task) -> Generator[AgentEvent, None, tuple[str, str]]:
        assert task.tree is not None
        while True:
            self._check_cancel()
            if task.actions_taken >= self.options.max_steps:
                raise _Abort("budget", f"stopped at the step budget ({self.options.max_steps})")
            prompt_len = len(task.messages)
            started = time.monotonic()
            structured: Structured[Action] = yield from self._generate(
                task, "action", action_schema(), parse_action
            )
            action = structured.value
            model_seconds = time.monotonic() - started
            task.messages.append(Message("assistant", action.to_json()))
            if (yield from self._repeated_rejection(task, action)):
                continue
            task.actions_taken += 1
            n = task.actions_taken
            current = task.tree.current()
            if current is None and action.tool == "finish":
                current = Step("finish", status="done")  # wrapping up is not a plan step
            step = current or task.tree.add_extra_step(action.thought[:80] or "extra step")
            step.action_ids.append(n)
            if action.plan_update:
                revision = task.tree.revise(action.plan_update, action.thought)
                if task.recorder is not None:
                    task.recorder.plan(task.tree.to_dict(), revision.reason)
                yield PlanUpdated(
                    task.id, plan=task.tree.to_dict(), reason=f"revised: {revision.reason}"
                )
                step = task.tree.current() or step
            record: dict[str, Any] = {
                "n": n,
                "step_title": step.title,
                "prompt_messages": prompt_len,
                "raw_output": structured.raw,
                "attempts": structured.attempts,
                "action": action.model_dump(mode="json"),
                "model_seconds": model_seconds,
                "tokens": _stats_dict(structured.stats),
            }
            if action.tool == "finish":
                # The model's word is checked against what ran (agent/outcome.py).
                outcome, summary = judge_finish(action.status, action.args["summary"], task.ledger)
                if outcome != "finished" and action.status == "finish":
                    yield Notice(task.id, level="warning", message=f"not finished: {summary}")
                if outcome == "finished":
                    for s in task.tree.steps():
                        if s.status in ("pending", "running"):
                            s.status = "skipped"
                record["decision"] = Decision("approve", by="model").to_dict()
                self._record_step(task, record)
                return outcome, summary
            if action.tool == "ask_user":
                observation = yield from self._ask(task, action)
                record["decision"] = Decision("approve", by="model").to_dict()
                record["observation"] = observation
                self._record_step(task, record)
                task.messages.append(
                    Message(
                        "user",
                        prompts.observation(
                            observation, next_cue=self._cue(task, task.tree.current())
                        ),
                    )
                )
                continue
            observation, failed = yield from self._act(task, step, n, action, record)
            self._record_step(task, record)
            # A cancel during the gate or the run is an abort, even on a third failure.
            self._check_cancel()
            if failed:
                task.failures_in_row += 1
                if task.failures_in_row >= self.options.max_failures:
                    raise _Abort(
                        "gave_up",
                        f"gave up after {task.failures_in_row} failed or rejected actions in a row",
                    )
            else:
                task.failures_in_row = 0
            yield PlanUpdated(task.id, plan=task.tree.to_dict(), reason=f"step {n} {step.status}")
            task.messages.append(
                Message(
                    "user",
                    prompts.observation(
                        observation,
                        step_failed=step.status == "failed",
                        next_cue=self._cue(task, task.tree.current()),
                    ),
                )
            )

    def _repeated_rejection(self, task: _Task, action: Action) -> Generator[AgentEvent, None, bool]:
        """An action identical to one rejected in this task is never shown again: the
        model is told so and asked for another, up to max_repeats times. True: re-ask."""
        if action.tool in ("finish", "ask_user"):
            return False
        reason = task.ledger.rejection_of(action)
        if reason is None:
            return False
        task.repeats += 1
        what = self.redact(action.args.get("command") or action.args.get("path") or action.tool)
        self._audit("repeat_rejected", task, action=action.model_dump(mode="json"))
        if task.repeats >= self.options.max_repeats:
            why = f" ({self.redact(reason)})" if reason else ""
            raise _Abort(
                "gave_up",
                f"gave up: the model proposed `{what}` again {task.repeats} times after it "
                f"was rejected{why}",
            )
        yield Notice(
            task.id,
            level="info",
            message=f"the model proposed a rejected action again; asking it for another "
            f"({task.repeats} of {self.options.max_repeats})",
        )
        task.messages.append(Message("user", prompts.observation(repeat_text(reason))))
        return True

    def _ask(self, task: _Task, action: Action) -> Generator[AgentEvent, None, str]:
        question = action.args["question"]
        yield AskUser(task.id, question=question)
        answer = safe_answer(self.approver, question)
        if answer is None or not answer.strip():
            yield UserAnswered(task.id, answer="")
            return "The user gave no answer. Make a reasonable, safe choice or finish."
        answer = self.redact(answer)
        yield UserAnswered(task.id, answer=answer)
        return f"The user answered: {answer}"

    def _act(
        self, task: _Task, step: Step, n: int, action: Action, record: dict[str, Any]
    ) -> Generator[AgentEvent, None, tuple[str, bool]]:
        """Assess, decide, execute. Returns (observation text, failed?)."""
        assessment = assess(action, self.options.policy, self.workspace)
        assessment, early = self._snapshot_first(task, n, action, assessment)
        preview = self._preview(action)
        record["assessment"] = assessment.to_dict()
        self._audit(
            "proposal",
            task,
            step=n,
            action=action.model_dump(mode="json"),
            assessment=assessment.to_dict(),
        )
        yield ActionProposed(
            task.id,
            step=n,
            step_title=step.title,
            action=action,
            assessment=assessment.to_dict(),
            preview=preview,
        )
        gate = GateContext(
            task.id,
            n,
            step.title,
            self.approver,
            self.options.policy,
            self.workspace,
            self._preview,
            lambda kind, **data: self._audit(kind, task, **data),
            mode=self.options.policy.mode,
        )
        try:
            gated = yield from gate_decide(gate, action, assessment, preview)
        except BaseException:
            self._close_unrun(task, n, early)
            raise
        decision = gated.decision
        record["decision"] = decision.to_dict()
        if gated.edited:
            record["executed_assessment"] = gated.assessment.to_dict()
        self._audit("decision", task, step=n, decision=decision.to_dict())
        yield ActionDecided(task.id, step=n, decision=decision)
        if decision.always_allow and decision.approved:
            # Rules come from what was approved (the edit, if any), each capped at its class.
            for draft in suggest_rule_drafts(gated.assessment, gated.action):
                if self.sinks.rules is None:
                    yield Notice(task.id, level="info", message="no rule store: not saved")
                    break
                rule = self.sinks.rules(draft, f"always allow, task {task.id}")
                policy = self.options.policy
                self.options.policy = replace(policy, rules=(*policy.rules, rule))
                self._audit("rule_added", task, rule=rule.label())
                yield Notice(task.id, level="info", message=f"saved rule {rule.label()}")
        if not decision.approved:
            self._close_unrun(task, n, early)
            task.ledger.reject(action, self.redact(decision.reason))
            if decision.by == "user":
                yield from self._remember_rejection(task, action, decision.reason)
            reason = f": {self.redact(decision.reason)}" if decision.reason else ""
            return (
                f"The user rejected this action{reason}. Do not propose it again; "
                "propose something else, or finish with status fail."
            ), True
        # From here on, what runs is judged by its own assessment: an edit is snapshotted
        # and sandboxed as what it is, not as what the model proposed.
        to_run, assessment = gated.action, gated.assessment
        record["executed_action"] = to_run.model_dump(mode="json")
        key = to_run.to_json().split('"tool"', 1)[1]  # tool + args, not the thought
        if key in task.failed_actions:
            # Approved but not run: say so, and record it, never skip it silently.
            self._close_unrun(task, n, early)
            skipped = "not run: this exact action already failed in this task"
            record["observation"] = "repeated failing action"
            record["skipped"] = skipped
            self._audit("skipped", task, step=n, reason=skipped)
            yield Notice(task.id, level="warning", message=f"step {n} {skipped}")
            return (
                "This exact action already failed. Do something different, "
                "or finish with status fail."
            ), True
        step.status = "running"
        yield PlanUpdated(
            task.id, plan=task.tree.to_dict() if task.tree else {}, reason=f"step {n} running"
        )
        if early is not None and not gated.edited:
            notes: list[str] | None = early  # taken before the gate ran it unasked
        else:
            notes = self._snapshot(task, n, to_run, assessment)
        for note in notes or []:
            yield Notice(task.id, level="info", message=note)
        wrapper, sandbox_note = self._sandbox(to_run, assessment)
        if sandbox_note and self.options.sandbox == "always":
            # Fail closed: the user asked for no shell action outside the sandbox.
            self._close_unrun(task, n, notes)
            step.status = "failed"
            skipped = f"not run: shell.sandbox is 'always' but there is {sandbox_note}"
            record["observation"] = "no sandbox"
            record["skipped"] = skipped
            self._audit("skipped", task, step=n, reason=skipped)
            yield Notice(task.id, level="error", message=f"step {n} {skipped}")
            return "The action was not run: no OS sandbox is available.", True
        if sandbox_note:
            yield Notice(task.id, level="warning", message=sandbox_note)
        self._audit(
            "execution",
            task,
            step=n,
            action=to_run.model_dump(mode="json"),
            edited=gated.edited,
            risk=assessment.risk,
            sandboxed=bool(wrapper),
        )
        result: ActionResult | None = None
        for item in self._execute(task, n, to_run, wrapper):
            if isinstance(item, ShellChunk):
                yield OutputChunk(task.id, step=n, text=item.text)
            else:
                result = item
        assert result is not None
        if task.undo is not None and notes is not None:
            task.undo.after_action(n)
        result.sandboxed = bool(wrapper)
        result.output = self.redact(result.output)
        result.error = self.redact(result.error)
        self._audit("result", task, step=n, result=result.to_dict())
        yield ActionFinished(task.id, step=n, result=result)
        step.status = "done" if result.ok else "failed"
        task.ledger.ran_action(result)
        if result.cancelled:
            raise Cancelled("the user cancelled the running action")
        if not result.ok:
            task.failed_actions.add(key)
        observation = result.observation()
        if decision.kind == "edit":
            observation = f"(the user edited the action before running it) {observation}"
        record["observation"] = observation
        record["result"] = result.to_dict()
        return observation, not result.ok

    def _execute(
        self, task: _Task, n: int, action: Action, wrapper: tuple[str, ...] = ()
    ) -> Iterator[ShellChunk | ActionResult]:
        try:
            args = {k: self._reveal(v) for k, v in action.args.items()}
        except LamtuiError as exc:
            yield ActionResult(ok=False, error=str(exc))
            return
        ws = self.workspace
        if action.tool == "shell":
            options = ShellOptions(
                timeout=self.options.shell_timeout,
                head_lines=self.options.head_lines,
                tail_lines=self.options.tail_lines,
                save_output_to=get_paths().outputs_dir / task.id / f"step-{n}.log",
                wrapper=wrapper,
                redact=self.redact,
                private=args["command"] != action.args["command"],  # holds a secret's value
                forbid_creating=control_paths(ws) if wrapper else (),
            )
            yield from run_shell(args["command"], ws, options, self.cancel)
        elif action.tool in files.FILE_TOOLS:
            yield files.run_file_tool(action.tool, args, ws)
        else:  # the schema makes this unreachable; keep the failure explicit anyway
            yield ActionResult(ok=False, error=f"unknown tool {action.tool!r}")

    def _reveal(self, text: str) -> str:
        """Substitute {{secret:NAME}} at the last moment; the model only saw the name."""
        if "{{secret:" not in text:
            return text
        if self.secrets is None:
            raise LamtuiError("this action refers to a secret, but no secret store is open")
        return self.secrets.substitute(text)

    def _snapshot(
        self, task: _Task, n: int, action: Action, assessment: Assessment
    ) -> list[str] | None:
        """Keep what a change may overwrite, for undo. None when nothing was kept."""
        if task.undo is None:
            return None
        if action.tool in ("write_file", "edit_file"):
            report = task.undo.before_file_write(
                n, files.resolve(action.args["path"], self.workspace)
            )
        elif action.tool == "shell" and assessment.risk != "read_only":
            # Every target the gate found: outside ones too, which only run once the user
            # approved them (an edit to `rm /tmp/x` is kept like a write_file there). The
            # store expands globs and braces, and reports a target it cannot place.
            loose = glob_options_may_change(assessment.segments)
            report = task.undo.before_shell(n, [Path(p) for p in assessment.paths], loose)
        else:
            return None
        return [report.describe()] if not report.complete else []

    def _snapshot_first(
        self, task: _Task, n: int, action: Action, assessment: Assessment
    ) -> tuple[Assessment, list[str] | None]:
        """An action the gate would run unasked runs so only when undo holds what it may
        overwrite: snapshot it before deciding, and ask when something was not kept (too
        large, unreadable, a target that cannot be placed, a stored secret's value). Full
        auto mode runs it anyway, as it runs everything. Returns the assessment to decide
        by and the snapshot's notes (None when no snapshot was taken)."""
        if assessment.verdict != "auto" or self.options.policy.mode == "auto":
            return assessment, None
        try:
            notes = self._snapshot(task, n, action, assessment)
        except OSError as exc:  # the store itself failed: nothing is held
            notes = [f"undo: no copy could be kept ({exc.strerror or exc})"]
        if not notes:
            return assessment, notes
        why = f"{notes[0]}: undo could not put it all back, so it is not run unasked"
        return replace(assessment, verdict="ask", reasons=(why, *assessment.reasons)), notes

    def _close_unrun(self, task: _Task, n: int, early: list[str] | None) -> None:
        """Record that a snapshotted action never ran, so undo sees no change there."""
        if early is not None and task.undo is not None:
            task.undo.after_action(n)

    def _sandbox(self, action: Action, assessment: Assessment) -> tuple[tuple[str, ...], str]:
        """The bubblewrap prefix for a shell action, and a warning when it cannot be had.

        `auto` sandboxes every shell action the gate approved by itself as read-only or a
        workspace write (the classifier may be wrong; the sandbox is the second fence), and
        in workspace mode every shell action; `always` every one. Full auto runs anything
        unsandboxed that the rules do not deny, so there `auto` adds nothing."""
        mode = self.options.sandbox
        policy_mode = self.options.policy.mode
        if action.tool != "shell" or mode == "never":
            return (), ""
        wanted = (
            mode == "always"
            or policy_mode == "workspace"
            or (
                policy_mode != "auto"
                and assessment.verdict == "auto"
                and assessment.risk in SANDBOXED_RISKS
            )
        )
        if not wanted:
            return (), ""
        status = sandbox_status()
        if not status.available:
            if mode == "always":
                return (), f"no OS sandbox ({status.reason})"
            return (), (
                f"no OS sandbox ({status.reason}): this action runs unsandboxed, "
                "relying on the classifier alone"
            )
        return bwrap_prefix(self.workspace, allow_network=assessment.risk == "network"), ""

    def _audit(self, kind: str, task: _Task, **data: Any) -> None:
        if self.audit is not None:
            self.audit.write(kind, task.id, **data)

    def _preview(self, action: Action) -> str:
        """A unified diff for file writes, shown in the approval request."""
        if action.tool not in ("write_file", "edit_file"):
            return ""
        # Read through the file tools' own walk: a refused write shows nothing behind a link.
        before = files.preview_before(action.args["path"], self.workspace)
        if before is None:
            return f"(cannot show a diff for {action.args['path']})"
        if action.tool == "write_file":
            after = action.args["content"]
        elif before.count(action.args["search"]) == 1:
            after = before.replace(action.args["search"], action.args["replace"], 1)
        else:
            return "(the search text is not found exactly once; the edit will fail)"
        diff = difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{action.args['path']}",
            f"b/{action.args['path']}",
        )
        return redact_cut(self.redact, "".join(diff), 20000)  # redacted before it is cut

    def _record_step(self, task: _Task, record: dict[str, Any]) -> None:
        if task.recorder is not None:
            task.recorder.step(record)

    def _check_cancel(self) -> None:
        if self.cancel.cancelled:
            raise Cancelled("cancelled")


# Memory demonstrations below this embedding similarity are not shown as worked
# examples: the bundled model copies whatever example it sees, relevant or not.
DEMONSTRATION_FLOOR = 0.55


class ExampleSource(Protocol):
    """Worked (request, command) examples for the trained LAM's prompt
    (lamtui.memory.examples.ExampleIndex)."""

    def nearest(self, request: str, k: int = 2) -> list[tuple[str, str]]: ...


def _demo_pair(demo: dict[str, Any]) -> tuple[str, str] | None:
    """A remembered task as a (request, command) example: its first shell action."""
    for action in demo.get("actions") or []:
        if isinstance(action, dict) and action.get("tool") == "shell":
            command = str((action.get("args") or {}).get("command", "")).strip()
            if command:
                return str(demo.get("request", "")).strip(), command
    return None


def _request_problem(request: str) -> str:
    if not request.strip():
        return "the request is empty: say what you want done"
    if len(request) > prompts.MAX_REQUEST_CHARS:
        return (
            f"the request is {len(request):,} characters long; the limit is "
            f"{prompts.MAX_REQUEST_CHARS:,}. Put long material in a file and refer to it"
        )
    return ""


def _stats_dict(stats: GenerationStats) -> dict[str, Any]:
    return {
        "prompt_tokens": stats.prompt_tokens,
        "prompt_tokens_evaluated": stats.prompt_tokens_evaluated,
        "completion_tokens": stats.completion_tokens,
        "prompt_seconds": round(stats.prompt_seconds, 4),
        "generation_seconds": round(stats.generation_seconds, 4),
        "grammar_fallbacks": stats.grammar_fallbacks,
    }


def _token_stats(task_id: str, phase: str, stats: GenerationStats) -> TokenStats:
    return TokenStats(
        task_id,
        phase=phase,
        prompt_tokens=stats.prompt_tokens,
        prompt_tokens_evaluated=stats.prompt_tokens_evaluated,
        completion_tokens=stats.completion_tokens,
        prompt_seconds=stats.prompt_seconds,
        generation_seconds=stats.generation_seconds,
        tokens_per_second=stats.tokens_per_second,
    )


def _model_info(backend: Backend) -> dict[str, Any]:
    info = backend.info
    return {
        "kind": info.kind,
        "name": info.model,
        "prompt_style": info.prompt_style,
        "sha256": info.sha256,
        "context": info.context_size,
    }
