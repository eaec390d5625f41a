"""The plain-terminal face of the agent: an event printer and a y/n/e approver, used by
`lamtui run` (and by anything else without the Textual app)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import TextIO, assert_never

from lamtui.agent.approval import (
    PROMPT_CANCELLED_REASON,
    PromptCancelled,
    Proposal,
    apply_edit,
    editable_args,
)
from lamtui.agent.events import (
    ActionDecided,
    ActionEdited,
    ActionFinished,
    ActionProposed,
    AgentEvent,
    AskUser,
    Decision,
    Event,
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
from lamtui.contract.result import ActionResult
from lamtui.contract.schema import Action
from lamtui.present import describe_action, describe_risk, format_plan


class EventPrinter:
    """Human-readable progress on a terminal (stderr by default, so stdout stays clean)."""

    def __init__(self, out: TextIO | None = None, show_tokens: bool = False) -> None:
        self.out = out or sys.stderr
        self.show_tokens = show_tokens
        self._last_plan = ""
        self._ran = 0  # actions that ran: the model's closing finish is not one

    def __call__(self, event: AgentEvent) -> None:
        w = self.out.write
        match event:
            case TaskStarted():
                self._ran = 0
                w(f"lamtui: task {event.task_id} in {event.workspace} (model {event.model})\n")
            case PlanUpdated():
                self._plan(event)
            case ActionProposed():
                w(
                    f"\n#{event.step} {event.step_title}\n  {describe_action(event.action)}\n"
                    f"  why: {event.action.thought}\n  risk: {describe_risk(event.assessment)}\n"
                )
            case ActionEdited():
                w(
                    f"  edited: {describe_action(event.action)}\n"
                    f"  risk: {describe_risk(event.assessment)}\n"
                )
            case ActionDecided():
                d = event.decision
                extra = f": {d.reason}" if d.reason else ""
                w(f"  decision: {d.kind} by {d.by}{extra}\n")
            case OutputChunk():
                w(event.text)
            case ActionFinished():
                self._ran += 1
                w(_result_text(event.result))
            case AskUser():
                w(f"\n? {event.question}\n")
            case ModelRetry():
                w(f"  (model output invalid, retrying: {event.error})\n")
            case Notice():
                w(f"lamtui: {event.level}: {event.message}\n")
            case TokenStats():
                self._stats(event)
            case TaskFinished():
                ran = f"{self._ran} action{'' if self._ran == 1 else 's'} run"
                w(f"\n{event.outcome}: {event.summary} ({ran}, {event.duration:.1f}s)\n")
            case MemoryUsed() | ModelToken() | UserAnswered():
                pass  # shown by what follows them (the plan, the action, the question)
            case _:
                assert_never(event)
        self.out.flush()

    def _plan(self, event: PlanUpdated) -> None:
        """The plan when it changed, not for each step that starts running."""
        text = format_plan(event.plan)
        if text != self._last_plan and not event.reason.endswith("running"):
            self.out.write(f"{text}\n")
            self._last_plan = text

    def _stats(self, event: TokenStats) -> None:
        if self.show_tokens:
            self.out.write(
                f"  [{event.phase}: {event.completion_tokens} tokens, "
                f"{event.tokens_per_second:.1f} tok/s]\n"
            )


def _result_text(r: ActionResult) -> str:
    status = "ok" if r.ok else "failed"
    code = f", exit {r.exit_code}" if r.exit_code is not None else ""
    text = f"\n  -> {status}{code} in {r.duration:.2f}s{': ' + r.error if r.error else ''}\n"
    if r.exit_code is None and r.output:
        text += _indent(r.output) + "\n"
    return text


def _indent(text: str, limit: int = 40) -> str:
    lines = text.splitlines()
    shown = lines[:limit] + ([f"[… {len(lines) - limit} more lines]"] if len(lines) > limit else [])
    return "\n".join("  | " + line for line in shown)


def print_json_event(event: Event, out: TextIO | None = None) -> None:
    out = out or sys.stdout  # looked up per call: tests and pipes swap sys.stdout
    out.write(json.dumps(event.to_dict(), ensure_ascii=False, default=str) + "\n")
    out.flush()


class TerminalApprover:
    """y approve / n reject (with an optional reason) / e edit then approve / a always."""

    name = "ask"

    def __init__(
        self,
        tty_in: TextIO,
        out: TextIO | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        self.inp = tty_in
        self.out = out or sys.stderr
        # True while at the prompt: a Ctrl+C handler then raises PromptCancelled into the
        # read (a handler that returns would let readline carry on reading).
        self.asking = False
        # Whether the task was cancelled already: a Ctrl+C that came just before the
        # prompt (when the handler could not raise into it) must not leave it reading.
        self.cancelled = cancelled or (lambda: False)

    def _ask(self, prompt: str) -> str:
        self.asking = True  # before the prompt shows: no moment where a Ctrl+C is lost
        try:
            if self.cancelled():
                raise PromptCancelled
            self.out.write(prompt)
            self.out.flush()
            line = self.inp.readline()
        finally:
            self.asking = False
        if not line:  # end of input: nobody is there to approve
            raise EOFError
        return line.rstrip("\n")

    def decide(self, proposal: Proposal) -> Decision:
        try:
            return self._decide(proposal)
        except PromptCancelled:
            self.out.write("\n")
            return Decision("reject", by="user", reason=PROMPT_CANCELLED_REASON)

    def _decide(self, proposal: Proposal) -> Decision:
        if proposal.edited:  # shown by the printer as "edited"; say why it asks again
            self.out.write(f"  your edit is {proposal.risk}: approve it again to run it\n")
        if proposal.preview:
            self.out.write(_indent(proposal.preview, 60) + "\n")
        while True:
            try:
                choice = self._ask("  run it? [y]es / [n]o / [e]dit / [a]lways: ").strip().lower()
            except EOFError:
                return Decision("reject", by="user", reason="no answer (input closed)")
            if choice in ("y", "yes"):
                return Decision("approve", by="user")
            if choice in ("a", "always"):
                return Decision("approve", by="user", always_allow=True)
            if choice in ("n", "no"):
                try:
                    reason = self._ask("  reason (optional, sent to the model): ").strip()
                except EOFError:
                    reason = ""
                return Decision("reject", by="user", reason=reason)
            if choice in ("e", "edit"):
                edited = self._edit(proposal.action)
                if edited is not None:
                    return Decision("edit", by="user", edited=edited)
                continue
            self.out.write("  please answer y, n, e or a\n")

    def _edit(self, action: Action) -> Action | None:
        """Every argument may change: a command or path is typed anew (enter keeps a path),
        a text is edited in $EDITOR. None: nothing changed or the edit is not valid."""
        values: dict[str, str] = {}
        try:
            if action.tool == "shell":
                self.out.write(f"  current: {action.args['command']}\n")
                values["command"] = self._ask("  new command: ")
                if not values["command"].strip():
                    return None
            else:
                for name, long in editable_args(action):
                    values[name] = self._edit_arg(name, action.args[name], long)
        except EOFError:
            return None
        try:
            edited = apply_edit(action, values)
        except ValueError as exc:
            self.out.write(f"  that edit is not valid: {exc}\n")
            return None
        return None if edited == action else edited

    def _edit_arg(self, name: str, value: str, long: bool) -> str:
        if long:
            choice = self._ask(f"  {name}: {len(value)} chars; [e]dit in $EDITOR, enter keeps: ")
            return _edit_in_editor(value) if choice.strip().lower() in ("e", "edit") else value
        self.out.write(f"  {name}: {value}\n")
        return self._ask(f"  new {name} (enter keeps it): ").strip() or value

    def answer(self, question: str) -> str | None:
        try:
            return self._ask(f"  {question}\n  answer: ")
        except (EOFError, PromptCancelled):
            return None


def _edit_in_editor(text: str) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w+", suffix=".txt", delete=False) as fh:
        fh.write(text)
        name = fh.name
    try:
        subprocess.run([*shlex.split(editor), name], check=False)
        with open(name, encoding="utf-8") as fh:
            return fh.read()
    finally:
        os.unlink(name)
