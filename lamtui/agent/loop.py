"""The LAM cycle. `Agent.run(request)` yields events while it observes, plans, and then
per step proposes one action, has it assessed and decided, executes it, observes the
result and adapts the plan. The TUI and `lamtui run` drive this same generator.

The rooms the cycle calls on: the gate step (gate.py), execution (execute.py), the diff
preview (preview.py), memory (memory_port.py), a task's state and step record (task.py),
and the sinks its records go to (sinks.py, handed in by lamtui.session).
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from lamtui.agent import prompts
from lamtui.agent.approval import Approver, safe_answer
from lamtui.agent.events import (
    AgentEvent,
    AskUser,
    Decision,
    MemoryUsed,
    ModelRetry,
    ModelToken,
    Notice,
    Outcome,
    PlanUpdated,
    TaskFinished,
    TaskStarted,
    TokenStats,
    UserAnswered,
)
from lamtui.agent.execute import Executor
from lamtui.agent.gate import Gatekeeper
from lamtui.agent.memory_port import AgentMemory, ExampleSource, MemoryPort
from lamtui.agent.observe import snapshot
from lamtui.agent.opening import opening_messages, request_problem
from lamtui.agent.outcome import judge_finish, repeat_text
from lamtui.agent.plan import PlanTree, Step
from lamtui.agent.preview import diff_preview
from lamtui.agent.redact_events import redacted_events
from lamtui.agent.sinks import TaskSinks
from lamtui.agent.task import Abort, AgentOptions, StepRecord, TaskState, new_task_id
from lamtui.contract.cancel import CancelToken
from lamtui.contract.schema import PLAN_SCHEMA, Action, action_schema, parse_action, parse_plan
from lamtui.errors import Cancelled, ModelError
from lamtui.lam.base import Backend, GenerationStats, Message, TokenChunk
from lamtui.lam.structured import AttemptFailed, Structured, stream_structured
from lamtui.memory.errors import MemoryUnavailable
from lamtui.memory.remember import is_remember_request
from lamtui.safety.redact import Redactor
from lamtui.safety.secrets import SecretStore

if TYPE_CHECKING:
    from lamtui.memory.recall import Recall

# The agent's public face: lamtui.session builds it from these.
__all__ = ["Agent", "AgentMemory", "AgentOptions", "ExampleSource"]


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
        self.memory = MemoryPort(memory)  # none: work without (off, or it failed to open)
        self.examples = examples  # the worked pairs a trained LAM is shown
        self.sinks = sinks
        # Every event and prompt is redacted: stored secrets by value, credentials by pattern.
        self.redact = redact
        self.executor = Executor(self.workspace, options, cancel, redact, secrets)
        self.gate = Gatekeeper(
            approver, options, self.workspace, self._preview, self.executor, sinks.rules
        )

    # -- the cycle ----------------------------------------------------------------

    def run(self, request: str) -> Iterator[AgentEvent]:
        # Every event is redacted on its way out: the TUI, --json and the printer read them.
        yield from redacted_events(self._run(request), self.redact)

    def _run(self, request: str) -> Iterator[AgentEvent]:
        task_id = new_task_id()
        problem = request_problem(request)
        if problem:
            yield Notice(task_id, level="error", message=problem)
            yield TaskFinished(task_id, outcome="error", summary=problem, steps=0, duration=0.0)
            return
        fact = is_remember_request(request) if self.memory.available else None
        if fact is not None:
            yield from self._remember_fact(task_id, fact)
            return
        env = snapshot(self.workspace)
        task = self._start(task_id, request, env)
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
            task.messages = opening_messages(
                self.backend.info.prompt_style, request, env, recalled, self.examples
            )
        outcome, summary = "error", ""
        try:
            yield from self._plan(task)
            outcome, summary = yield from self._steps(task)
        except Abort as stop:
            outcome, summary = stop.outcome, stop.summary
        except Cancelled:
            outcome, summary = "aborted", "cancelled by the user"
        except ModelError as exc:
            outcome, summary = "error", str(exc)
            yield Notice(task_id, level="error", message=str(exc))
        finally:
            if task.tree is not None and outcome != "finished":
                task.tree.skip_remaining()
        yield from self._finish(task, outcome, summary)

    def _start(self, task_id: str, request: str, env: dict[str, Any]) -> TaskState:
        """The task's state, its recorder and undo store from the sinks, audited."""
        task = TaskState(
            task_id,
            request,
            self.workspace,
            opening_messages(self.backend.info.prompt_style, request, env, None, self.examples),
        )
        task.audit = self.sinks.audit
        model = _model_info(self.backend)
        if self.sinks.trajectories is not None:
            task.recorder = self.sinks.trajectories.start(
                task_id, request, str(self.workspace), model, env
            )
        if self.sinks.undo is not None:
            task.undo = self.sinks.undo(task_id, self.workspace)
        task.log("task_started", request=request, workspace=str(self.workspace), model=model)
        return task

    def _finish(self, task: TaskState, outcome: str, summary: str) -> Iterator[AgentEvent]:
        trajectory_id = ""
        if task.recorder is not None and self.sinks.trajectories is not None:
            record = task.recorder.build(task.messages, outcome, summary)
            trajectory_id = self.sinks.trajectories.save(task.recorder, record)
            if outcome == "finished":
                yield from self.memory.remember_task(task.id, record)
        task.log("task_finished", outcome=outcome, summary=summary, actions=task.actions_taken)
        if task.tree is not None:
            yield PlanUpdated(task.id, plan=task.tree.to_dict(), reason=f"task {outcome}")
        yield TaskFinished(
            task.id,
            outcome=cast(Outcome, outcome),
            summary=summary,
            steps=task.ledger.ran,  # actions that ran: the model's finish is not one
            duration=time.monotonic() - task.started,
            trajectory_id=trajectory_id,
        )

    # -- memory: recall before planning, remember after; never fatal --------------------

    def _recall(self, task: TaskState) -> Generator[AgentEvent, None, Recall | None]:
        found = yield from self.memory.recall(task.id, task.request)
        if found is None:
            return None
        if task.recorder is not None:
            task.recorder.memory = found.items
        task.log("memory_used", items=[i["id"] for i in found.items])
        yield MemoryUsed(task.id, items=found.items)
        return found

    def _remember_fact(self, task_id: str, fact: str) -> Iterator[AgentEvent]:
        """A "remember ..." request: store the fact; there is nothing to plan."""
        yield TaskStarted(
            task_id,
            request=fact,
            workspace=str(self.workspace),
            model=self.backend.info.model,
            environment={},
        )
        try:
            entry_id = yield from self.memory.remember_fact(task_id, fact)
        except MemoryUnavailable as exc:
            summary = f"could not remember it: {exc.message}"
            yield TaskFinished(task_id, outcome="error", summary=summary, steps=0, duration=0.0)
            return
        summary = f"remembered: {self.redact(fact)} ({entry_id}; `lamtui memory forget` removes it)"
        if self.sinks.audit is not None:
            self.sinks.audit.write("memory_fact", task_id, id=entry_id, fact=fact)
        yield TaskFinished(task_id, outcome="finished", summary=summary, steps=0, duration=0.0)

    # -- the model ----------------------------------------------------------------

    def _generate(
        self, task: TaskState, phase: str, schema: dict[str, Any], parse: Any
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

    def _plan(self, task: TaskState) -> Iterator[AgentEvent]:
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

    def _cue(self, task: TaskState, step: Step | None) -> str:
        assert task.tree is not None
        if step is None:
            return prompts.DONE_CUE
        position, total = task.tree.position(step)
        return prompts.step_cue(position, total, step.title)

    # -- the steps ----------------------------------------------------------------

    def _steps(self, task: TaskState) -> Generator[AgentEvent, None, tuple[str, str]]:
        """Propose, decide, run, observe, until the model finishes or a limit is hit.
        Returns (outcome, summary)."""
        assert task.tree is not None
        while True:
            self._check_cancel()
            if task.actions_taken >= self.options.max_steps:
                raise Abort("budget", f"stopped at the step budget ({self.options.max_steps})")
            proposed = yield from self._propose(task)
            if proposed is None:
                continue  # a rejected action proposed again: the model was asked anew
            step, action, record = proposed
            if action.tool == "finish":
                return (yield from self._finish_step(task, action, record))
            if action.tool == "ask_user":
                observation = yield from self._ask(task, action)
                record.decision = Decision("approve", by="model")
                record.observation = observation
                task.record_step(record)
                next_cue = self._cue(task, task.tree.current())
                task.messages.append(
                    Message("user", prompts.observation(observation, next_cue=next_cue))
                )
                continue
            observation, failed = yield from self._act(task, step, action, record)
            task.record_step(record)
            # A cancel during the gate or the run is an abort, even on a third failure.
            self._check_cancel()
            self._count_failure(task, failed)
            n = record.n
            yield PlanUpdated(task.id, plan=task.tree.to_dict(), reason=f"step {n} {step.status}")
            next_cue = self._cue(task, task.tree.current())
            task.messages.append(
                Message(
                    "user",
                    prompts.observation(
                        observation, step_failed=step.status == "failed", next_cue=next_cue
                    ),
                )
            )

    def _propose(
        self, task: TaskState
    ) -> Generator[AgentEvent, None, tuple[Step, Action, StepRecord] | None]:
        """The model's next action, the plan step it serves and its record; None when the
        model proposed a rejected action again (it has been told)."""
        assert task.tree is not None
        prompt_len = len(task.messages)
        started = time.monotonic()
        structured: Structured[Action] = yield from self._generate(
            task, "action", action_schema(), parse_action
        )
        action = structured.value
        model_seconds = time.monotonic() - started
        task.messages.append(Message("assistant", action.to_json()))
        if (yield from self._repeated_rejection(task, action)):
            return None
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
        record = StepRecord(
            n=n,
            step_title=step.title,
            prompt_messages=prompt_len,
            raw_output=structured.raw,
            attempts=structured.attempts,
            action=action,
            model_seconds=model_seconds,
            tokens=_stats_dict(structured.stats),
        )
        return step, action, record

    def _finish_step(
        self, task: TaskState, action: Action, record: StepRecord
    ) -> Generator[AgentEvent, None, tuple[str, str]]:
        """The model's finish, checked against what ran (agent/outcome.py)."""
        assert task.tree is not None
        outcome, summary = judge_finish(action.status, action.args["summary"], task.ledger)
        if outcome != "finished" and action.status == "finish":
            yield Notice(task.id, level="warning", message=f"not finished: {summary}")
        if outcome == "finished":
            for s in task.tree.steps():
                if s.status in ("pending", "running"):
                    s.status = "skipped"
        record.decision = Decision("approve", by="model")
        task.record_step(record)
        return outcome, summary

    def _count_failure(self, task: TaskState, failed: bool) -> None:
        if not failed:
            task.failures_in_row = 0
            return
        task.failures_in_row += 1
        if task.failures_in_row >= self.options.max_failures:
            raise Abort(
                "gave_up",
                f"gave up after {task.failures_in_row} failed or rejected actions in a row",
            )

    def _repeated_rejection(
        self, task: TaskState, action: Action
    ) -> Generator[AgentEvent, None, bool]:
        """An action identical to one rejected in this task is never shown again: the
        model is told so and asked for another, up to max_repeats times. True: re-ask."""
        if action.tool in ("finish", "ask_user"):
            return False
        reason = task.ledger.rejection_of(action)
        if reason is None:
            return False
        task.repeats += 1
        what = self.redact(action.args.get("command") or action.args.get("path") or action.tool)
        task.log("repeat_rejected", action=action.model_dump(mode="json"))
        if task.repeats >= self.options.max_repeats:
            why = f" ({self.redact(reason)})" if reason else ""
            raise Abort(
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

    def _ask(self, task: TaskState, action: Action) -> Generator[AgentEvent, None, str]:
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
        self, task: TaskState, step: Step, action: Action, record: StepRecord
    ) -> Generator[AgentEvent, None, tuple[str, bool]]:
        """Assess, decide, execute. Returns (observation text, failed?)."""
        gated, early = yield from self.gate.step(task, step, action, record)
        decision = gated.decision
        if decision.approved:
            return (yield from self.executor.run(task, step, gated, early, record))
        self.executor.close_unrun(task, record.n, early)
        task.ledger.reject(action, self.redact(decision.reason))
        if decision.by == "user":
            yield from self.memory.remember_rejection(
                task.id, action, decision.reason, task.request
            )
        reason = f": {self.redact(decision.reason)}" if decision.reason else ""
        return (
            f"The user rejected this action{reason}. Do not propose it again; "
            "propose something else, or finish with status fail."
        ), True

    def _preview(self, action: Action) -> str:
        return diff_preview(action, self.workspace, self.redact)

    def _check_cancel(self) -> None:
        if self.cancel.cancelled:
            raise Cancelled("cancelled")


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
