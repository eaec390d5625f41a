"""Workspace mode runs a change unasked only when undo holds what it overwrites (issue 12,
class 4): the snapshot comes before the decision, and anything it could not keep (a
target that cannot be placed, a stored secret's value, a file too large) turns "auto"
into a question."""

from __future__ import annotations

from pathlib import Path

from lamtui.actions.undo import undo
from lamtui.agent.events import ActionDecided, ActionFinished, ActionProposed, Decision, Event
from lamtui.agent.loop import AgentOptions
from lamtui.lam.scripted import ScriptedBackend
from lamtui.paths import get_paths
from lamtui.safety.policy import Policy
from lamtui.safety.secrets import SecretStore
from lamtui.session import new_agent
from tests.functional.agent_helpers import ScriptedApprover, act, finish, plan, run_agent, shell

CANARY = "canary-Zq9xK2mW7vB4nR8t"


def _by_step(events: list[Event], kind: type) -> dict[int, Event]:
    return {e.step: e for e in events if isinstance(e, kind)}  # type: ignore[attr-defined]


def test_sed_over_a_glob_runs_unasked_and_is_undone(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("name = 'a'\n")
    (tmp_path / "src" / "b.py").write_text("other = 'a'\n")
    approver = ScriptedApprover()
    replies = [plan("Rename"), shell("sed -i 's/a/b/' src/*.py"), finish()]
    events, _ = run_agent(replies, tmp_path, approver, policy=Policy("workspace"))
    decided = _by_step(events, ActionDecided)[1]
    assert decided.decision.by == "policy:workspace" and approver.seen == []  # type: ignore[attr-defined]
    assert (tmp_path / "src" / "a.py").read_text() == "nbme = 'a'\n"
    report = undo()
    assert sorted(report.restored) == ["src/a.py", "src/b.py"] and not report.skipped
    assert (tmp_path / "src" / "a.py").read_text() == "name = 'a'\n"
    assert (tmp_path / "src" / "b.py").read_text() == "other = 'a'\n"


def test_a_target_undo_cannot_place_is_asked_about(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("a\n")
    approver = ScriptedApprover([Decision("reject", by="test", reason="no")])
    command = "find . -name '*.py' -exec sed -i s/a/b/ {} +"
    events, _ = run_agent(
        [plan("Edit"), shell(command), finish()], tmp_path, approver, policy=Policy("workspace")
    )
    proposed = _by_step(events, ActionProposed)[1]
    assessment = proposed.assessment  # type: ignore[attr-defined]
    assert assessment.risk == "workspace_write" and assessment.verdict == "ask"
    assert "not run unasked" in assessment.reasons[0]
    assert len(approver.seen) == 1 and 1 not in _by_step(events, ActionFinished)
    assert (tmp_path / "a.py").read_text() == "a\n"
    # The rejected step is closed: undo sees nothing changed and no interrupted step.
    report = undo()
    assert report.restored == [] and not any("interrupted" in why for _, why in report.skipped)


def test_overwriting_a_file_that_holds_a_stored_secret_asks(tmp_path: Path) -> None:
    secrets = SecretStore("file")
    secrets.set("TOKEN", CANARY)
    (tmp_path / "conf.ini").write_text(f"token = {CANARY}\n")
    (tmp_path / ".env").write_text(f"TOKEN={CANARY}\n")
    (tmp_path / "plain.txt").write_text("plain\n")
    approver = ScriptedApprover()  # approves when asked
    replies = [
        plan("Edit"),
        act("write_file", path="plain.txt", content="changed\n"),
        act("write_file", path="conf.ini", content="token = none\n"),
        shell("sed -i 's/TOKEN/KEY/' .env"),
        finish(),
    ]
    agent = new_agent(
        ScriptedBackend(replies), approver, tmp_path, AgentOptions(policy=Policy("workspace")),
        secrets=secrets,
    )  # fmt: skip
    events = list(agent.run("edit the config"))
    decided = _by_step(events, ActionDecided)
    assert decided[1].decision.by == "policy:workspace"  # type: ignore[attr-defined]
    assert decided[2].decision.by == "test" and decided[3].decision.by == "test"  # type: ignore[attr-defined]
    assert len(approver.seen) == 2
    assert "stored secret" in approver.seen[0].assessment.reasons[0]
    assert (tmp_path / ".env").read_text() == f"KEY={CANARY}\n"
    for path in get_paths().undo_dir.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    report = undo()
    assert report.restored == ["plain.txt"]
    # No copy was kept of either: both are left as the task left them.
    assert (tmp_path / "conf.ini").read_text() == "token = none\n"
    assert (tmp_path / ".env").read_text() == f"KEY={CANARY}\n"


def test_full_auto_mode_still_runs_it(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("a\n")
    approver = ScriptedApprover()
    command = "find . -name '*.py' -exec sed -i s/a/b/ {} +"
    run_agent([plan("Edit"), shell(command), finish()], tmp_path, approver, policy=Policy("auto"))
    assert approver.seen == [] and (tmp_path / "a.py").read_text() == "b\n"


def test_a_plain_star_does_not_sweep_in_a_large_git_directory(tmp_path: Path) -> None:
    objects = tmp_path / ".git" / "objects"
    objects.mkdir(parents=True)
    for i in range(2100):  # more than the snapshot's file limit
        (objects / f"{i:04}").write_text("x")
    (tmp_path / "a.txt").write_text("a\n")
    approver = ScriptedApprover()
    replies = [plan("Edit"), shell("sed -i 's/a/b/' *"), finish()]
    events, _ = run_agent(replies, tmp_path, approver, policy=Policy("workspace"))
    assert approver.seen == [] and (tmp_path / "a.txt").read_text() == "b\n"
    assert undo().restored == ["a.txt"] and (tmp_path / "a.txt").read_text() == "a\n"
    # With dotglob the same pattern does reach .git/: too much to keep, so it asks.
    approver = ScriptedApprover([Decision("reject", by="test", reason="no")])
    replies = [plan("Edit"), shell("shopt -s dotglob; sed -i 's/a/b/' *"), finish()]
    events, _ = run_agent(replies, tmp_path, approver, policy=Policy("workspace"))
    assert len(approver.seen) == 1 and (tmp_path / "a.txt").read_text() == "a\n"
    assert not any(isinstance(e, ActionFinished) for e in events)
