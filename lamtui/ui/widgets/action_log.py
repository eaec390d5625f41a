"""The action log: per action its thought, command or diff, the decision, the streamed
output and how it ended. Output is bounded per action (a head shown live, then only a
tail at the end) so a command printing 100,000 lines never floods the widget; the full
output stays in the saved file (ctrl+o)."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, assert_never

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.widgets import RichLog

if TYPE_CHECKING:  # imported when the first event arrives, not before the first frame
    from lamtui.agent.events import (
        ActionFinished,
        ActionProposed,
        AgentEvent,
        AskUser,
        Decision,
        MemoryUsed,
        ModelRetry,
        Notice,
        PlanUpdated,
        TaskStarted,
        UserAnswered,
    )
    from lamtui.contract.risk import Assessment

LINE_CHARS = 400  # one output line is cut after this many characters
REQUEST_CHARS = 300  # the request as the log heads a task (the rest: ctrl+t, the audit)
MARGIN = "  │ "
PREVIEW_LINES = 40  # diff lines shown in the log (the gate shows all)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
NOTICE_STYLE = {"info": "cyan", "warning": "yellow", "error": "bold red"}
OUTCOME_STYLE = {"finished": "bold green", "aborted": "bold yellow"}


def clean_line(line: str) -> str:
    """What a terminal would finally show of one line: no colour codes, last \\r wins."""
    line = _ANSI.sub("", line).rsplit("\r", 1)[-1]
    return line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + " …"


def diff_renderable(diff: str, max_lines: int | None = None) -> RenderableType:
    from rich.syntax import Syntax

    lines = diff.splitlines()
    more = len(lines) - max_lines if max_lines is not None and len(lines) > max_lines else 0
    text = "\n".join(lines[: len(lines) - more])
    syntax = Syntax(text, "diff", theme="ansi_dark", word_wrap=True, background_color="default")
    if not more:
        return syntax
    return Group(syntax, Text(f"… {more} more diff lines", style="dim"))


class Margined:
    """Output lines behind the `│` margin, which wrapped lines keep too."""

    def __init__(self, lines: list[str], style: str = "") -> None:
        self.lines = lines
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((len(line) for line in self.lines), default=0)
        return Measurement(len(MARGIN) + 1, len(MARGIN) + max(longest, 1))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width - len(MARGIN))
        inner = options.update(width=width, height=None)
        margin = Segment(MARGIN, console.get_style("dim"))
        new_line = Segment.line()
        for line in self.lines:
            text = Text(line, style=self.style, no_wrap=False, overflow="fold")
            for row in console.render_lines(text, inner, pad=False, new_lines=False):
                yield margin
                yield from row
                yield new_line


def margined(lines: list[str], style: str = "") -> Margined:
    return Margined(lines, style)


@dataclass
class _Stream:
    """The output of one action as shown: the first `live` lines, then a bounded tail."""

    live: int
    tail_size: int
    shown: int = 0
    omitted: int = 0
    partial: str = ""
    tail: deque[str] = field(default_factory=deque)

    def feed(self, text: str) -> list[str]:
        text = self.partial + text.replace("\r\n", "\n")
        lines = text.split("\n")
        self.partial = lines.pop()
        if len(self.partial) > LINE_CHARS * 4:  # a huge line without a newline: show it now
            lines.append(self.partial)
            self.partial = ""
        out: list[str] = []
        for line in lines:
            if self.shown < self.live:
                out.append(clean_line(line))
                self.shown += 1
            else:
                self.omitted += 1
                self.tail.append(line)
                if len(self.tail) > self.tail_size:
                    self.tail.popleft()
        return out

    def close(self) -> tuple[list[str], int, list[str]]:
        """(last live lines, lines never shown, tail lines to show now)."""
        last = self.feed("\n") if self.partial else []
        hidden = self.omitted - len(self.tail)
        return last, hidden, [clean_line(line) for line in self.tail]


def note_lines(event: AskUser | UserAnswered | ModelRetry | Notice | MemoryUsed) -> list[Text]:
    """The log lines of what is said between actions: questions, notices, memory."""
    from lamtui.agent import events as ev

    match event:
        case ev.AskUser():
            return [Text(f"? {event.question}", style="bold cyan")]
        case ev.UserAnswered():
            answer = f"  answer: {event.answer}" if event.answer else "  (no answer)"
            return [Text(answer, style="cyan")]
        case ev.ModelRetry():
            return [Text(f"  model output invalid, retrying ({event.error})", style="yellow")]
        case ev.Notice():
            return [
                Text(f"{event.level}: {event.message}", style=NOTICE_STYLE.get(event.level, ""))
            ]
        case ev.MemoryUsed():
            lines = [Text(f"  memory: {len(event.items)} item(s) recalled", style="dim")]
            for item in event.items:
                text = str(item.get("text", ""))[:90]
                lines.append(Text(f"    {item.get('kind', '')}: {text}", style="dim"))
            return lines
        case _:
            assert_never(event)


class ActionLog(RichLog):
    DEFAULT_CSS = """
    ActionLog { border: round $primary-darken-2; border-title-align: left; }
    ActionLog:focus { border: round $accent; }
    """

    def __init__(
        self, live_lines: int = 200, tail_lines: int = 20, max_lines: int = 5000, **kwargs: Any
    ) -> None:
        # min_width: RichLog renders at least 78 columns by default, which defeats wrapping
        # in a pane that is narrower (the usual case at 80x24).
        super().__init__(
            max_lines=max_lines, min_width=20, wrap=True, markup=False, highlight=False, **kwargs
        )
        self.border_title = "Actions"
        self.live_lines = live_lines
        self.tail_lines = tail_lines
        self._streams: dict[int, _Stream] = {}
        self._ran = 0  # actions of the shown task that ran (the closing finish is none)
        self._rejected = 0

    def reset(self, past: bool = False) -> None:
        """Empty the log for a task shown from its start; `past`: one no longer running."""
        self.clear()
        self.border_title = "Actions (past task)" if past else "Actions"
        self._streams.clear()
        self._ran = self._rejected = 0

    # -- events ---------------------------------------------------------------------

    def show(self, event: AgentEvent) -> None:
        from lamtui.agent import events as ev
        from lamtui.present import describe_action

        match event:
            case ev.TaskStarted():
                self._show_start(event)
            case ev.PlanUpdated():
                self._show_plan_change(event)
            case ev.ActionProposed():
                self._show_proposal(event)
            case ev.ActionEdited():
                self.write(Text(f"  ✎ edited: {describe_action(event.action)}", style="bold"))
                self._show_assessment(event.assessment, event.preview)
            case ev.ActionDecided():
                self._show_decision(event.decision)
            case ev.OutputChunk():
                self.show_output(event.step, event.text)
            case ev.ActionFinished():
                self._show_result(event)
            case ev.TaskFinished():
                style = OUTCOME_STYLE.get(event.outcome, "bold red")
                self.write(Text(f"■ {event.outcome}: {event.summary}", style=style))
                self.write(Text(f"  {self.action_count()} ({event.duration:.1f} s)", style="dim"))
            case ev.AskUser() | ev.UserAnswered() | ev.ModelRetry() | ev.Notice() | ev.MemoryUsed():
                for line in note_lines(event):
                    self.write(line)
            case ev.ModelToken() | ev.TokenStats():
                pass  # live feedback: the activity line and the status bar show them
            case _:
                assert_never(event)

    def action_count(self) -> str:
        """'1 action run', '2 actions run, 1 rejected': what ran, not the model's finish."""
        text = f"{self._ran} action{'' if self._ran == 1 else 's'} run"
        return text + (f", {self._rejected} rejected" if self._rejected else "")

    def show_output(self, step: int, text: str) -> None:
        stream = self._streams.setdefault(step, _Stream(self.live_lines, self.tail_lines))
        lines = stream.feed(text)
        if lines:
            self.write(margined(lines))

    def _show_start(self, event: TaskStarted) -> None:
        request = event.request
        if len(request) > REQUEST_CHARS:
            request = f"{request[:REQUEST_CHARS]}… ({len(event.request):,} characters)"
        self.write(Text.assemble(("▶ ", "bold"), (request, "bold")))
        self.write(Text(f"  task {event.task_id} · model {event.model}", style="dim"))

    def _show_decision(self, d: Decision) -> None:
        from lamtui.present import describe_action

        if d.kind == "reject":
            self._rejected += 1
            reason = f": {d.reason}" if d.reason else ""
            self.write(Text(f"  ✗ rejected by {d.by}{reason}", style="red"))
            return
        extra = " (always allow)" if d.always_allow else ""
        verb = "edited and approved" if d.kind == "edit" else "approved"
        self.write(Text(f"  ✓ {verb} by {d.by}{extra}", style="green"))
        if d.edited is not None:
            self.write(Text(f"  ✎ runs instead: {describe_action(d.edited)}", style="bold"))

    def _show_plan_change(self, event: PlanUpdated) -> None:
        if event.reason == "initial plan":
            self.write(Text(f"  plan: {event.plan.get('goal', '')}", style="dim"))
        elif event.reason.startswith("revised"):
            self.write(Text(f"~ plan {event.reason}", style="magenta"))
            revisions = event.plan.get("revisions") or []
            if revisions:
                last = revisions[-1]
                for title in last.get("removed", []):
                    self.write(Text(f"  - {title}", style="red"))
                for title in last.get("added", []):
                    self.write(Text(f"  + {title}", style="green"))

    def _show_proposal(self, event: ActionProposed) -> None:
        from lamtui.present import describe_action

        self.write(Text(f"#{event.step} {event.step_title}", style="bold"))
        if event.action.thought:
            self.write(Text(f"  thought: {event.action.thought}", style="italic"))
        self.write(Text(f"  {describe_action(event.action)}", style="bold cyan"))
        self._show_assessment(event.assessment, event.preview)

    def _show_assessment(self, a: Assessment, preview: str) -> None:
        reasons = "; ".join(a.reasons)
        self.write(Text(f"  risk: {a.risk} · gate: {a.verdict} · {reasons}"))
        if preview:
            self.write(diff_renderable(preview, PREVIEW_LINES))

    def _show_result(self, event: ActionFinished) -> None:
        r = event.result
        self._ran += 1
        stream = self._streams.get(event.step)
        if stream is not None:
            last, hidden, tail = stream.close()
            if last:
                self.write(margined(last))
            if hidden > 0:
                self.write(margined([f"… {hidden} lines not shown (ctrl+o: full output)"], "dim"))
            if tail:
                self.write(margined(tail))
        elif r.output and r.exit_code is None:  # file tools: their result is the output
            lines = r.output.splitlines()
            shown = [clean_line(line) for line in lines[: self.live_lines]]
            if len(lines) > len(shown):
                shown.append(f"… {len(lines) - len(shown)} more lines")
            self.write(margined(shown))
        status = "ok" if r.ok else "failed"
        parts = [status]
        if r.exit_code is not None:
            parts.append(f"exit {r.exit_code}")
        parts.append(f"{r.duration:.2f} s")
        if r.timed_out:
            parts.append("timed out")
        if r.cancelled:
            parts.append("cancelled")
        if r.sandboxed:
            parts.append("sandboxed")
        line = "  → " + ", ".join(parts) + (f": {r.error}" if r.error else "")
        self.write(Text(line, style="green" if r.ok else "red"))
        if r.files_changed:
            self.write(Text("  files changed: " + ", ".join(r.files_changed[:10]), "dim"))
