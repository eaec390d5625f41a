"""An edit at the gate is a new action: assessed again, shown with its own risk, asked
about again when the mode would not run it unasked, recorded with its own assessment,
snapshotted for undo, and the source of any "always allow" rule."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from lamtui.actions.sandbox import sandbox_status
from lamtui.actions.undo import undo
from lamtui.agent.approval import Proposal
from lamtui.agent.events import (
    ActionDecided,
    ActionEdited,
    ActionFinished,
    ActionProposed,
    Decision,
    Event,
)
from lamtui.agent.gate import MAX_EDITS
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.record.audit import read_audit
from lamtui.safety.policy import Policy, assess
from lamtui.safety.rules import load_saved_rules
from tests.functional.agent_helpers import ScriptedApprover, act, finish, plan, run_agent, shell


def _edit(tool: str = "shell", **args: str) -> Decision:
    edited = Action(thought="the user's", tool=tool, args=args, status="continue", plan_update=None)  # type: ignore[arg-type]
    return Decision("edit", by="user", edited=edited)


def _of(events: list[Event], kind: type[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, kind)]


def _decisions(events: list[Event]) -> list[Decision]:
    return [e.decision for e in events if isinstance(e, ActionDecided)]


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "elsewhere" / "outside.txt"
    outside.parent.mkdir()
    outside.write_text("keep me\n")
    return outside


def test_an_edit_that_writes_outside_asks_again_and_is_snapshotted(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.md").write_text("hello\n")
    outside = _outside(tmp_path)
    replies = [plan("Look"), shell("cat notes.md"), finish()]
    approver = ScriptedApprover([_edit(command=f"rm {outside}"), Decision("approve")])
    events, _ = run_agent(replies, ws, approver, policy=Policy("ask"), max_failures=5)
    first, second = approver.seen
    assert first.risk == "read_only" and not first.edited
    # The user was asked again, about the edited command, with its own risk.
    assert second.edited and second.action.args["command"] == f"rm {outside}"
    assert second.risk not in ("read_only", "workspace_write")
    shown = _of(events, ActionEdited)
    assert len(shown) == 1 and shown[0].assessment.risk == second.risk  # type: ignore[attr-defined]
    decision = _decisions(events)[0]
    assert decision.kind == "edit" and decision.edited is not None
    assert not outside.exists()  # it ran, once approved again
    # The audit has the edit's own proposal record and the risk of what ran.
    records = list(read_audit())
    proposals = [r for r in records if r["kind"] == "proposal"]
    assert [p["assessment"]["risk"] for p in proposals] == ["read_only", second.risk]
    assert proposals[1]["edited"] is True and proposals[1]["action"]["args"]["command"] == (
        f"rm {outside}"
    )
    execution = next(r for r in records if r["kind"] == "execution")
    assert execution["edited"] is True and execution["risk"] == second.risk
    from lamtui.ui.screens.audit import summarize  # the TUI's audit view says so too

    assert f"(risk {second.risk}) [edited by the user]" in summarize(proposals[1])
    assert f"(risk {second.risk}) [edited by the user]" in summarize(execution)
    # Snapshotted: undo puts the outside file back.
    report = undo()
    assert outside.read_text() == "keep me\n", report.describe()


def test_rejecting_the_edit_when_asked_again_runs_nothing(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    approver = ScriptedApprover(
        [_edit(command=f"rm {outside}"), Decision("reject", reason="no, not that")],
        default=Decision("reject", reason="stop"),
    )
    replies = [plan("Look"), shell("ls"), finish()]
    events, _ = run_agent(replies, tmp_path / "elsewhere", approver, max_failures=5)
    assert outside.exists()
    decision = _decisions(events)[0]
    assert decision.kind == "reject" and decision.reason == "no, not that"
    assert not _of(events, ActionFinished)


def test_an_edit_within_the_mode_runs_without_asking_again(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x\n")
    approver = ScriptedApprover([_edit(command="ls -la")])
    replies = [plan("Clean"), shell("rm keep.txt"), finish()]
    events, _ = run_agent(replies, tmp_path, approver, policy=Policy("readonly"))
    assert len(approver.seen) == 1  # ls is read-only: readonly mode runs it unasked
    assert (tmp_path / "keep.txt").exists()
    decision = _decisions(events)[0]
    assert decision.kind == "edit" and decision.edited is not None
    assert decision.edited.args["command"] == "ls -la"
    result = _of(events, ActionFinished)[0].result  # type: ignore[attr-defined]
    assert result.ok and "keep.txt" in result.output


def test_an_edit_is_snapshotted_as_what_it_is(tmp_path: Path) -> None:
    # The model proposed a read (no snapshot needed); the user's edit deletes files.
    for name in ("a.log", "b.log"):
        (tmp_path / name).write_text(f"{name}\n")
    approver = ScriptedApprover([_edit(command="rm -v -- a.log b.log"), Decision("approve")])
    replies = [plan("Logs"), shell("ls"), finish()]
    run_agent(replies, tmp_path, approver)
    assert approver.seen[1].risk == "destructive"
    assert not (tmp_path / "a.log").exists()
    report = undo()
    assert sorted(report.recreated) == ["a.log", "b.log"]
    assert (tmp_path / "a.log").read_text() == "a.log\n"


def test_an_edited_file_action_is_assessed_on_its_new_path(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "c.ini").write_text("port = 80\n")
    outside = _outside(tmp_path)
    edited = _edit("edit_file", path=str(outside), search="keep", replace="lost")
    approver = ScriptedApprover([edited, Decision("approve")])
    replies = [
        plan("Port"),
        act("edit_file", path="c.ini", search="port = 80", replace="port = 8080"),
        finish(),
    ]
    events, _ = run_agent(replies, ws, approver, policy=Policy("workspace"), max_failures=5)
    # workspace mode would run the original unasked; it is asked because the model's own
    # proposal... was inside. The edit goes outside, so the user is asked about it.
    proposed = _of(events, ActionProposed)[0]
    assert proposed.assessment.verdict == "auto"  # type: ignore[attr-defined]
    assert approver.seen == []  # nothing to edit: it ran as proposed
    assert (ws / "c.ini").read_text() == "port = 8080\n"

    # In ask mode the gate opens; the edit moves the write outside the workspace.
    (ws / "c.ini").write_text("port = 80\n")
    approver = ScriptedApprover([edited, Decision("approve")])
    events, _ = run_agent(replies, ws, approver, policy=Policy("ask"), max_failures=5)
    assert approver.seen[1].edited and approver.seen[1].risk == "outside_write"
    preview = _of(events, ActionEdited)[0].preview  # type: ignore[attr-defined]
    assert "-keep me" in preview and "+lost me" in preview
    assert outside.read_text() == "lost me\n" and (ws / "c.ini").read_text() == "port = 80\n"
    undo()
    assert outside.read_text() == "keep me\n"


def test_an_edit_into_git_is_refused_by_the_gate(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    approver = ScriptedApprover([_edit("write_file", path=".git/config", content="x")])
    replies = [plan("Write"), act("write_file", path="notes.txt", content="hi\n"), finish()]
    events, _ = run_agent(replies, tmp_path, approver, max_failures=5)
    decision = _decisions(events)[0]
    assert decision.kind == "reject" and decision.by == "gate"
    assert "edited action" in decision.reason
    assert not (tmp_path / ".git" / "config").exists()


def test_always_allow_on_an_edit_saves_the_edit_capped_at_its_class(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("b\na\n")

    def always(proposal: Proposal) -> Decision:
        assert proposal.edited
        return Decision("approve", by="user", always_allow=True)

    approver = ScriptedApprover([_edit(command="sort -o sorted.md notes.md"), always])
    replies = [plan("Sort"), shell("cat notes.md"), finish()]
    run_agent(replies, tmp_path, approver)
    assert (tmp_path / "sorted.md").read_text() == "a\nb\n"
    rules = load_saved_rules()
    assert [(r.pattern, r.risk) for r in rules] == [("sort", "workspace_write")]
    policy = Policy("ask", rules=tuple(rules))

    def verdict(command: str) -> str:
        action = Action(
            thought="", tool="shell", args={"command": command}, status="continue", plan_update=None
        )
        return assess(action, policy, tmp_path).verdict

    assert verdict("sort -o other.md notes.md") == "auto"
    assert verdict("sort -o /etc/passwd notes.md") == "ask"
    assert verdict("cat notes.md") == "ask"  # the original was never approved


def test_an_approver_that_keeps_editing_is_stopped(tmp_path: Path) -> None:
    counter = iter(range(100))

    def again(proposal: Proposal) -> Decision:
        return _edit(command=f"rm -rf dir{next(counter)}")

    approver = ScriptedApprover([again] * 50, default=Decision("reject", reason="x"))
    replies = [plan("Loop"), shell("ls"), finish()]
    events, _ = run_agent(replies, tmp_path, approver, max_failures=5)
    decision = _decisions(events)[0]
    assert decision.kind == "reject" and decision.by == "gate"
    assert len(_of(events, ActionEdited)) == MAX_EDITS + 1


def test_run_json_shows_the_edit_and_its_risk(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    approver = ScriptedApprover([_edit(command=f"rm {outside}"), Decision("approve")])
    replies = [plan("Look"), shell("ls"), finish()]
    events, _ = run_agent(replies, tmp_path / "elsewhere", approver, max_failures=5)
    dumped = [json.loads(json.dumps(e.to_dict(), default=str)) for e in events]
    edited = [e for e in dumped if e["type"] == "action_edited"]
    assert len(edited) == 1
    assert edited[0]["payload"]["action"]["args"]["command"] == f"rm {outside}"
    assert edited[0]["payload"]["assessment"]["risk"] == approver.seen[1].risk


def test_an_auto_edit_is_sandboxed_in_workspace_mode(tmp_path: Path) -> None:
    assert sandbox_status().available, sandbox_status().reason
    ws = tmp_path / "ws"
    ws.mkdir()
    approver = ScriptedApprover([_edit(command="echo hi > in.txt")])
    replies = [plan("Make"), shell("rm -rf build"), finish()]
    events, _ = run_agent(replies, ws, approver, policy=Policy("workspace"))
    result = _of(events, ActionFinished)[0].result  # type: ignore[attr-defined]
    assert result.ok and result.sandboxed and (ws / "in.txt").read_text() == "hi\n"


def test_the_terminal_approver_edits_every_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lamtui.console as console

    texts = iter(["host = old\n", "host = new\n"])
    monkeypatch.setattr(console, "_edit_in_editor", lambda text: next(texts))
    action = Action(
        thought="t",
        tool="edit_file",
        args={"path": "a.ini", "search": "port = 80", "replace": "port = 8080"},
        status="continue",
        plan_update=None,
    )
    proposal = Proposal("t1", 1, "edit", action, Assessment("ask", "workspace_write", ()))
    # e, then: a new path, edit the search text, edit the replacement text.
    out = io.StringIO()
    approver = console.TerminalApprover(io.StringIO("e\nb.ini\ne\ne\n"), out)
    decision = approver.decide(proposal)
    assert decision.kind == "edit" and decision.edited is not None
    assert decision.edited.args == {
        "path": "b.ini",
        "search": "host = old\n",
        "replace": "host = new\n",
    }
    # Enter keeps each argument; an edit that changes nothing goes back to the question.
    approver = console.TerminalApprover(io.StringIO("e\n\n\n\ny\n"), io.StringIO())
    assert approver.decide(proposal).kind == "approve"


def test_the_printer_shows_the_edit_with_its_own_risk(tmp_path: Path) -> None:
    from lamtui.console import EventPrinter

    outside = _outside(tmp_path)
    approver = ScriptedApprover([_edit(command=f"rm {outside}"), Decision("approve")])
    replies = [plan("Look"), shell("ls"), finish()]
    events, _ = run_agent(replies, tmp_path / "elsewhere", approver, max_failures=5)
    out = io.StringIO()
    printer = EventPrinter(out)
    for event in events:
        printer(event)
    text = out.getvalue()
    assert "risk: read_only" in text  # the proposal as the model made it ...
    edited_at = text.index(f"edited: $ rm {outside}")
    assert f"risk: {approver.seen[1].risk}" in text[edited_at:]  # ... then the edit's own


def test_an_edit_into_finish_is_refused(tmp_path: Path) -> None:
    done = Action(
        thought="", tool="finish", args={"summary": "x"}, status="finish", plan_update=None
    )
    approver = ScriptedApprover([Decision("edit", by="user", edited=done)])
    replies = [plan("Look"), shell("ls"), finish()]
    events, _ = run_agent(replies, tmp_path, approver, max_failures=5)
    decision = _decisions(events)[0]
    assert decision.kind == "reject" and decision.by == "gate"
