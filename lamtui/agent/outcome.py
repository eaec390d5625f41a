"""What really happened in a task, so that its outcome is true.

The model's `finish` is a claim. It is checked against the actions that ran: a task whose
last action failed, or whose every action was rejected, did not finish, whatever the
model says; memory and the trajectories (the LAM's training data) learn only true
successes. The ledger also keeps what the user rejected, so that an identical
re-proposal (after whitespace normalisation) is sent back to the model instead of being
shown to the user again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lamtui.contract.result import ActionResult
from lamtui.contract.schema import Action


def action_key(action: Action) -> str:
    """Tool and arguments with runs of whitespace collapsed: `ls  -la` is `ls -la`."""
    args = {k: " ".join(str(v).split()) for k, v in sorted(action.args.items())}
    return json.dumps([action.tool, args], ensure_ascii=False)


@dataclass
class Ledger:
    ran: int = 0  # actions that were executed (whatever their result)
    succeeded: int = 0
    last: ActionResult | None = None  # the last executed action's result
    rejected: dict[str, str] = field(default_factory=dict)  # action key -> reason

    def ran_action(self, result: ActionResult) -> None:
        self.ran += 1
        self.succeeded += int(result.ok)
        self.last = result

    def reject(self, action: Action, reason: str) -> None:
        self.rejected[action_key(action)] = reason

    def rejection_of(self, action: Action) -> str | None:
        """The reason given when this same action was rejected, or None."""
        return self.rejected.get(action_key(action))


def _what_failed(result: ActionResult) -> str:
    if result.timed_out:
        return "timed out"
    if result.exit_code is not None:
        return f"exited {result.exit_code}"
    return result.error or "failed"


def judge_finish(status: str, summary: str, ledger: Ledger) -> tuple[str, str]:
    """The true (outcome, summary) of a task the model ended with `finish`."""
    if status != "finish":
        return "failed", summary
    last = ledger.last
    if last is not None and not last.ok:
        return "failed", f"the last action {_what_failed(last)}; the model said: {summary}"
    if ledger.ran == 0 and ledger.rejected:
        return "gave_up", f"no action ran (every one was rejected); the model said: {summary}"
    return "finished", summary


def repeat_text(reason: str) -> str:
    """The model re-proposed a rejected action: say so in the next prompt."""
    why = f" The user's reason: {reason}." if reason else ""
    return (
        "You proposed again the exact action the user already rejected; it was not shown "
        f"to the user.{why} Propose a different action, or finish with status fail."
    )
