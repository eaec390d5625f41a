"""The confirmation gate: one proposed action, its risk and reasons, a diff for file
changes, and the rule "always allow" would save. y approve, n reject (+ optional reason
sent to the model), e edit then approve, a always allow; escape rejects.

`e` opens every argument of the action for editing (a file action's path and texts
too). The agent assesses the edit again; when it is riskier than the mode runs unasked,
this screen opens again for the edited action, marked as the user's edit."""

from __future__ import annotations

from typing import ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from lamtui.agent.approval import Proposal, apply_edit, editable_args
from lamtui.agent.events import Decision
from lamtui.contract.schema import Action
from lamtui.present import describe_action
from lamtui.safety.policy import suggest_rules
from lamtui.ui.widgets.action_log import diff_renderable

RISK_STYLE = {
    "read_only": "green",
    "workspace_write": "yellow",
    "sensitive_read": "bold yellow",
    "network": "yellow",
    "unknown": "bold yellow",
    "outside_write": "bold red",
    "destructive": "bold red",
    "privileged": "bold red",
}
Mode = Literal["choose", "reason", "edit"]


def rules_for(proposal: Proposal) -> list[str]:
    """The patterns `a` will save (the agent calls suggest_rules the same way)."""
    return suggest_rules(proposal.assessment, proposal.action)


def edit_field(action: Action) -> str:
    """The argument `e` puts the cursor in first (the one most often changed)."""
    if action.tool == "write_file":
        return "content"
    if action.tool == "edit_file":
        return "replace"
    return next(iter(action.args))


def field_id(name: str) -> str:
    return f"gate-edit-{name}"


class GateScreen(ModalScreen[Decision]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "approve", "approve"),
        Binding("n", "reject", "reject"),
        Binding("e", "edit", "edit"),
        Binding("a", "always", "always allow"),
        Binding("escape", "escape", "reject", show=False),
        Binding("ctrl+s", "save_edit", "approve edit", show=False),
    ]

    def __init__(self, proposal: Proposal) -> None:
        super().__init__()
        self.proposal = proposal
        self.rules = rules_for(proposal)
        self.mode: Mode = "choose"
        self.fields = editable_args(proposal.action)
        self.field = edit_field(proposal.action)

    def compose(self) -> ComposeResult:
        p = self.proposal
        a = p.assessment
        risk = a.risk
        with Vertical(id="gate-dialog") as dialog:
            dialog.border_title = (
                f"Approve your edit of step {p.step}? {p.step_title}"
                if p.edited
                else f"Approve step {p.step}? {p.step_title}"
            )
            if p.edited:
                note = f"your edit is {risk}: more than this mode runs unasked; approve it again"
                yield Static(Text(note, style="bold"), id="gate-edited")
            if p.action.tool != "shell":  # a command is shown whole in the box below
                yield Static(Text(describe_action(p.action), style="bold cyan"), id="gate-action")
            if p.action.thought:
                yield Static(Text(f"why: {p.action.thought}", style="italic"), id="gate-thought")
            why = "; ".join(a.reasons)
            reasons = Text.assemble("risk: ", (risk, RISK_STYLE.get(risk, "bold")), " — ", why)
            yield Static(reasons, id="gate-risk")
            segments = a.segments
            if len(segments) > 1:
                lines = [
                    f"  {' '.join(s.get('argv') or [])}: {s.get('risk', '?')}" for s in segments
                ]
                yield Static(Text("\n".join(lines), style="dim"), id="gate-segments")
            if p.preview:
                with VerticalScroll(id="gate-preview") as box:
                    box.border_title = "diff"
                    yield Static(diff_renderable(p.preview))
            elif p.action.tool == "shell":
                with VerticalScroll(id="gate-preview") as box:
                    box.border_title = "command"
                    yield Static(Text("$ " + p.action.args["command"], style="bold cyan"))
            rules = ", ".join(repr(r) for r in self.rules) or "(none)"
            rule_text = Text(f"a = always allow saves: allow {rules}", style="dim")
            yield Static(rule_text, id="gate-rule")
            yield Input(
                placeholder="reason (optional, sent to the model); enter rejects",
                id="gate-reason",
            )
            with VerticalScroll(id="gate-edit-form"):
                compact = sum(long for _, long in self.fields) > 1
                for name, long in self.fields:
                    value = p.action.args[name]
                    field: TextArea | Input
                    if long:
                        field = TextArea(value, id=field_id(name))
                        field.set_class(compact, "-compact")
                    else:
                        field = Input(value, id=field_id(name))
                    field.border_title = name
                    yield field
            yield Static("", id="gate-error")
            yield Static(self._keys_text(), id="gate-keys")

    def _keys_text(self) -> Text:
        if self.mode == "reason":
            return Text("enter reject with this reason · escape reject without one", "bold")
        if self.mode == "edit":
            if len(self.fields) == 1 and not self.fields[0][1]:
                return Text("edit: enter approve the edit · escape back", "bold")
            more = "tab next field · " if len(self.fields) > 1 else ""
            return Text(f"edit: {more}ctrl+s approve the edit · escape back", "bold")
        return Text.assemble(
            ("y", "bold green"), " approve  ", ("n", "bold red"), " reject  ",
            ("e", "bold"), " edit  ", ("a", "bold"), " always allow  ",
            ("esc", "bold"), " reject",
        )  # fmt: skip

    def _set_mode(self, mode: Mode) -> None:
        self.mode = mode
        self.set_class(mode == "reason", "-reason")
        self.set_class(mode == "edit", "-edit")
        self.query_one("#gate-keys", Static).update(self._keys_text())
        self._error("")
        if mode == "reason":
            self.query_one("#gate-reason", Input).focus()
        elif mode == "edit":
            self.query_one(f"#{field_id(self.field)}").focus()
        else:
            self.set_focus(None)

    def _error(self, text: str) -> None:
        error = self.query_one("#gate-error", Static)
        error.update(Text(text, style="bold red"))
        error.display = bool(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject", "edit", "always"):
            return self.mode == "choose"
        if action == "save_edit":
            return self.mode == "edit"
        return True

    # -- decisions ------------------------------------------------------------------

    def action_approve(self) -> None:
        self.dismiss(Decision("approve", by="user"))

    def action_always(self) -> None:
        self.dismiss(Decision("approve", by="user", always_allow=True))

    def action_reject(self) -> None:
        self._set_mode("reason")

    def action_edit(self) -> None:
        self._set_mode("edit")

    def action_escape(self) -> None:
        if self.mode == "edit":
            self._set_mode("choose")
        else:
            self.dismiss(Decision("reject", by="user"))

    @on(Input.Submitted, "#gate-reason")
    def _reason_given(self, event: Input.Submitted) -> None:
        self.dismiss(Decision("reject", by="user", reason=event.value.strip()))

    @on(Input.Submitted, "#gate-edit-form Input")
    def _edit_given(self, event: Input.Submitted) -> None:
        event.stop()
        self._finish_edit()

    def action_save_edit(self) -> None:
        self._finish_edit()

    def edited_values(self) -> dict[str, str]:
        """What the edit form holds now, per argument."""
        values: dict[str, str] = {}
        for name, _ in self.fields:
            box = self.query_one(f"#{field_id(name)}")
            if isinstance(box, TextArea):
                values[name] = box.text
            elif isinstance(box, Input):
                values[name] = box.value
        return values

    def _finish_edit(self) -> None:
        action = self.proposal.action
        try:
            edited = apply_edit(action, self.edited_values())
        except ValueError as exc:
            self._error(f"that edit is not valid: {exc}")
            return
        if edited == action:
            self.dismiss(Decision("approve", by="user"))
        else:
            self.dismiss(Decision("edit", by="user", edited=edited))
