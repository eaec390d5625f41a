"""Running an approved action: the undo snapshot of what it may overwrite, the OS sandbox,
the secret substitution at the last moment, and dispatch to the shell or the file tools.

What runs is judged by its own assessment: after an edit, the edited action is
snapshotted and sandboxed as what it is, not as what the model proposed.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal

from lamtui.actions import files
from lamtui.actions.sandbox import bwrap_prefix, control_paths, sandbox_status
from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.actions.undo import glob_options_may_change
from lamtui.agent.events import ActionFinished, AgentEvent, Notice, OutputChunk, PlanUpdated
from lamtui.agent.gate import Gated, Notes
from lamtui.agent.plan import Step
from lamtui.agent.task import AgentOptions, StepRecord, TaskState
from lamtui.contract.cancel import CancelToken
from lamtui.contract.result import ActionResult
from lamtui.contract.result import OutputChunk as ShellChunk
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.errors import Cancelled, LamtuiError
from lamtui.paths import get_paths
from lamtui.safety.secrets import SecretStore

# Risk classes the sandbox contains without changing what they do: an action the gate
# approved by itself in one of them runs inside it, in readonly and ask mode too.
SANDBOXED_RISKS = frozenset({"read_only", "workspace_write"})


class Executor:
    def __init__(
        self,
        workspace: Path,
        options: AgentOptions,
        cancel: CancelToken,
        redact: Callable[[str], str],
        secrets: SecretStore | None = None,
    ) -> None:
        self.workspace = workspace
        self.options = options  # the agent's own: its policy mode may change mid-task
        self.cancel = cancel
        self.redact = redact
        self.secrets = secrets

    # -- before the gate decides ---------------------------------------------------

    def snapshot(self, task: TaskState, n: int, action: Action, assessment: Assessment) -> Notes:
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

    def snapshot_first(
        self, task: TaskState, n: int, action: Action, assessment: Assessment
    ) -> tuple[Assessment, Notes]:
        """An action the gate would run unasked runs so only when undo holds what it may
        overwrite: snapshot it before deciding, and ask when something was not kept (too
        large, unreadable, a target that cannot be placed, a stored secret's value). Full
        auto mode runs it anyway, as it runs everything. Returns the assessment to decide
        by and the snapshot's notes (None when no snapshot was taken)."""
        if assessment.verdict != "auto" or self.options.policy.mode == "auto":
            return assessment, None
        try:
            notes = self.snapshot(task, n, action, assessment)
        except OSError as exc:  # the store itself failed: nothing is held
            notes = [f"undo: no copy could be kept ({exc.strerror or exc})"]
        if not notes:
            return assessment, notes
        why = f"{notes[0]}: undo could not put it all back, so it is not run unasked"
        return replace(assessment, verdict="ask", reasons=(why, *assessment.reasons)), notes

    def close_unrun(self, task: TaskState, n: int, early: Notes) -> None:
        """Record that a snapshotted action never ran, so undo sees no change there."""
        if early is not None and task.undo is not None:
            task.undo.after_action(n)

    # -- running it ----------------------------------------------------------------

    def run(
        self, task: TaskState, step: Step, gated: Gated, early: Notes, record: StepRecord
    ) -> Generator[AgentEvent, None, tuple[str, bool]]:
        """Run the approved action. Returns (observation text, failed?)."""
        n = record.n
        to_run, assessment = gated.action, gated.assessment
        record.executed_action = to_run
        key = to_run.to_json().split('"tool"', 1)[1]  # tool + args, not the thought
        if key in task.failed_actions:
            # Approved but not run: say so, and record it, never skip it silently.
            self.close_unrun(task, n, early)
            yield from self._skip(task, record, "this exact action already failed in this task")
            record.observation = "repeated failing action"
            return (
                "This exact action already failed. Do something different, "
                "or finish with status fail."
            ), True
        step.status = "running"
        yield PlanUpdated(task.id, plan=task.plan_dict(), reason=f"step {n} running")
        if early is not None and not gated.edited:
            notes: Notes = early  # taken before the gate ran it unasked
        else:
            notes = self.snapshot(task, n, to_run, assessment)
        for note in notes or []:
            yield Notice(task.id, level="info", message=note)
        wrapper, sandbox_note = self.sandbox(to_run, assessment)
        if sandbox_note and self.options.sandbox == "always":
            # Fail closed: the user asked for no shell action outside the sandbox.
            self.close_unrun(task, n, notes)
            step.status = "failed"
            why = f"shell.sandbox is 'always' but there is {sandbox_note}"
            yield from self._skip(task, record, why, level="error")
            record.observation = "no sandbox"
            return "The action was not run: no OS sandbox is available.", True
        if sandbox_note:
            yield Notice(task.id, level="warning", message=sandbox_note)
        task.log(
            "execution",
            step=n,
            action=to_run.model_dump(mode="json"),
            edited=gated.edited,
            risk=assessment.risk,
            sandboxed=bool(wrapper),
        )
        result = yield from self._dispatch(task, n, to_run, wrapper)
        if task.undo is not None and notes is not None:
            task.undo.after_action(n)
        result.sandboxed = bool(wrapper)
        result.output = self.redact(result.output)
        result.error = self.redact(result.error)
        task.log("result", step=n, result=result.to_dict())
        yield ActionFinished(task.id, step=n, result=result)
        step.status = "done" if result.ok else "failed"
        task.ledger.ran_action(result)
        if result.cancelled:
            raise Cancelled("the user cancelled the running action")
        if not result.ok:
            task.failed_actions.add(key)
        observation = result.observation()
        if gated.decision.kind == "edit":
            observation = f"(the user edited the action before running it) {observation}"
        record.observation = observation
        record.result = result
        return observation, not result.ok

    def _skip(
        self,
        task: TaskState,
        record: StepRecord,
        why: str,
        level: Literal["warning", "error"] = "warning",
    ) -> Iterator[AgentEvent]:
        skipped = f"not run: {why}"
        record.skipped = skipped
        task.log("skipped", step=record.n, reason=skipped)
        yield Notice(task.id, level=level, message=f"step {record.n} {skipped}")

    def _dispatch(
        self, task: TaskState, n: int, action: Action, wrapper: tuple[str, ...]
    ) -> Generator[AgentEvent, None, ActionResult]:
        result: ActionResult | None = None
        for item in self.execute(task.id, n, action, wrapper):
            if isinstance(item, ShellChunk):
                yield OutputChunk(task.id, step=n, text=item.text)
            else:
                result = item
        assert result is not None
        return result

    def execute(
        self, task_id: str, n: int, action: Action, wrapper: tuple[str, ...] = ()
    ) -> Iterator[ShellChunk | ActionResult]:
        try:
            args = {k: self.reveal(v) for k, v in action.args.items()}
        except LamtuiError as exc:
            yield ActionResult(ok=False, error=str(exc))
            return
        ws = self.workspace
        if action.tool == "shell":
            options = ShellOptions(
                timeout=self.options.shell_timeout,
                head_lines=self.options.head_lines,
                tail_lines=self.options.tail_lines,
                save_output_to=get_paths().outputs_dir / task_id / f"step-{n}.log",
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

    def reveal(self, text: str) -> str:
        """Substitute {{secret:NAME}} at the last moment; the model only saw the name."""
        if "{{secret:" not in text:
            return text
        if self.secrets is None:
            raise LamtuiError("this action refers to a secret, but no secret store is open")
        return self.secrets.substitute(text)

    def sandbox(self, action: Action, assessment: Assessment) -> tuple[tuple[str, ...], str]:
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
