from __future__ import annotations

import io

from lamtui.agent.approval import Proposal
from lamtui.console import TerminalApprover
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action

ACTION = Action(
    thought="t", tool="shell", args={"command": "ls"}, status="continue", plan_update=None
)
PROPOSAL = Proposal("t1", 1, "look", ACTION, Assessment("ask", "read_only", ()))


def _approver(text: str) -> tuple[TerminalApprover, io.StringIO]:
    out = io.StringIO()
    return TerminalApprover(io.StringIO(text), out), out


def test_yes_no_reason_always() -> None:
    assert _approver("y\n")[0].decide(PROPOSAL).kind == "approve"
    rejected = _approver("n\nuse ls -la\n")[0].decide(PROPOSAL)
    assert rejected.kind == "reject" and rejected.reason == "use ls -la"
    always = _approver("a\n")[0].decide(PROPOSAL)
    assert always.kind == "approve" and always.always_allow


def test_edit_then_approve_and_bad_answers() -> None:
    approver, out = _approver("what\ne\nls -la\n")
    decision = approver.decide(PROPOSAL)
    assert decision.kind == "edit" and decision.edited is not None
    assert decision.edited.args == {"command": "ls -la"}
    assert "please answer" in out.getvalue()


def test_closed_input_rejects_and_gives_no_answer() -> None:
    approver, _ = _approver("")
    assert approver.decide(PROPOSAL).kind == "reject"
    assert approver.answer("which?") is None
    assert _approver("blue\n")[0].answer("which?") == "blue"
