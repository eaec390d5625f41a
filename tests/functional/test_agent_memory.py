"""The agent with a real memory store (Chroma on disk in a temporary LAMTUI_HOME; the
model-free embedder stands in for llama.cpp so these run in seconds): recall before
planning, remembering after, rejections, "remember ..." requests, and a store that fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lamtui.agent.events import Decision, Event, MemoryUsed, Notice, TaskFinished
from lamtui.agent.loop import AgentOptions
from lamtui.config import MemorySettings
from lamtui.lam.scripted import ScriptedBackend
from lamtui.memory import MemoryStore, MemoryUnavailable
from lamtui.memory.embedding import HashingEmbeddingFunction
from lamtui.safety.policy import Policy
from lamtui.session import new_agent
from tests.functional.agent_helpers import ScriptedApprover, finish, plan, shell

REQUEST = "count the lines of notes.txt in the workspace"


@pytest.fixture
def store() -> Iterator[MemoryStore]:
    opened = MemoryStore.open(
        MemorySettings(), None, embedding_function=HashingEmbeddingFunction(), seed=False
    )
    yield opened
    opened.close()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.txt").write_text("a\nb\nc\n")
    return ws


def run(
    request: str,
    replies: list[str],
    workspace: Path,
    memory: Any,
    approver: ScriptedApprover | None = None,
) -> tuple[list[Event], ScriptedBackend]:
    backend = ScriptedBackend(replies)
    agent = new_agent(
        backend,
        approver or ScriptedApprover(),
        workspace,
        AgentOptions(policy=Policy("ask")),
        memory=memory,
    )
    return list(agent.run(request)), backend


def _finished(events: list[Event]) -> TaskFinished:
    last = events[-1]
    assert isinstance(last, TaskFinished)
    return last


def test_a_successful_task_is_remembered_and_recalled_once_for_a_similar_request(
    store: MemoryStore, workspace: Path
) -> None:
    events, _ = run(
        REQUEST, [plan("count"), shell("wc -l notes.txt"), finish("3 lines")], workspace, store
    )
    assert _finished(events).outcome == "finished"
    assert any(isinstance(e, Notice) and "remembered this task" in e.message for e in events)
    assert store.counts()["task"] == 1

    events, backend = run(
        "count the lines of notes.txt please",
        [plan("count"), shell("wc -l notes.txt"), finish("3 lines")],
        workspace,
        store,
    )
    used = [e for e in events if isinstance(e, MemoryUsed)]
    assert len(used) == 1
    assert used[0].items[0]["kind"] == "task"
    assert used[0].items[0]["text"].startswith(REQUEST)
    # Placed once, in the first user message: every later prompt extends the first one.
    prompts = [[m.content for m in r.messages] for r in backend.requests]
    first_user = prompts[0][-1]
    assert "Memory (" in first_user and "wc -l notes.txt" in first_user
    # ... and replayed as a worked example right before the request.
    messages = backend.requests[0].messages
    assert messages[-2].role == "assistant" and '"finish"' in messages[-2].content
    replayed = [m for m in messages[:-1] if "wc -l notes.txt" in m.content]
    assert len(replayed) == 1
    assert f"Request: {REQUEST}" in [m.content.split("\n")[0] for m in messages[:-1]]
    for later in prompts[1:]:
        assert later[: len(prompts[0])] == prompts[0]
        assert sum("Memory (" in text for text in later) == 1
    # The same task done the same way again is a duplicate, not another entry.
    before = store.counts()["task"]
    run(REQUEST, [plan("count"), shell("wc -l notes.txt"), finish("3")], workspace, store)
    assert store.counts()["task"] == before


def test_a_failed_task_and_a_task_with_nothing_done_are_not_remembered(
    store: MemoryStore, workspace: Path
) -> None:
    events, _ = run(REQUEST, [plan("count"), finish("cannot", status="fail")], workspace, store)
    assert _finished(events).outcome == "failed"
    events, _ = run(
        REQUEST, [plan("count"), shell("false"), finish("gave up", "fail")], workspace, store
    )
    assert store.counts()["task"] == 0


def test_a_user_rejection_and_its_reason_become_a_warning_next_time(
    store: MemoryStore, workspace: Path
) -> None:
    approver = ScriptedApprover([Decision("reject", by="user", reason="never delete my notes")])
    run(
        "clean up notes.txt in the workspace",
        [plan("clean"), shell("rm notes.txt"), finish("left it", "fail")],
        workspace,
        store,
        approver,
    )
    assert (workspace / "notes.txt").exists()
    assert store.counts()["rejection"] == 1

    events, backend = run(
        "clean up notes.txt in the workspace",
        [plan("clean"), finish("nothing to do")],
        workspace,
        store,
    )
    used = next(e for e in events if isinstance(e, MemoryUsed))
    assert [i["kind"] for i in used.items] == ["rejection"]
    first_user = backend.requests[0].messages[-1].content
    assert "Avoid:" in first_user and "never delete my notes" in first_user


def test_a_policy_rejection_is_not_a_user_preference(store: MemoryStore, workspace: Path) -> None:
    approver = ScriptedApprover([Decision("reject", by="policy:readonly", reason="read-only")])
    replies = [plan("count"), shell("touch x"), finish("no", "fail")]
    run(REQUEST, replies, workspace, store, approver)
    assert store.counts()["rejection"] == 0


def test_remember_requests_store_a_fact_without_calling_the_model(
    store: MemoryStore, workspace: Path
) -> None:
    events, backend = run("remember that I use podman, not docker", [], workspace, store)
    done = _finished(events)
    assert done.outcome == "finished" and "podman" in done.summary
    assert backend.requests == []
    assert [e.text for e in store.entries("fact")] == ["I use podman, not docker"]
    store.remember_fact("my projects live in ~/code")
    store.remember_fact("I prefer tabs over spaces")

    events, backend = run(
        "list the running podman containers", [plan("list"), finish("none")], workspace, store
    )
    used = next(e for e in events if isinstance(e, MemoryUsed))
    assert used.items[0]["kind"] == "fact"
    assert "I use podman, not docker" in backend.requests[0].messages[-1].content


def test_secrets_in_a_task_are_not_stored(store: MemoryStore, workspace: Path) -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4"
    run(
        f"count the lines of notes.txt, my token is {token}",
        [plan("count"), shell(f"wc -l notes.txt # {token}"), finish("3")],
        workspace,
        store,
    )
    exported = str([e.to_json() for e in store.entries("task")])
    assert store.counts()["task"] == 1
    assert token not in exported


class _BrokenMemory:
    """A store whose server went away: every call raises MemoryUnavailable."""

    def __init__(self) -> None:
        self.calls = 0

    def recall(self, request: str, k: int = 3) -> Any:
        self.calls += 1
        raise MemoryUnavailable("memory recall failed: server down", "start the server")

    def remember_task(self, record: dict[str, Any]) -> str | None:
        self.calls += 1
        raise MemoryUnavailable("memory write failed")


def test_a_failing_store_is_reported_once_and_the_task_still_runs(workspace: Path) -> None:
    broken = _BrokenMemory()
    events, _ = run(
        REQUEST, [plan("count"), shell("wc -l notes.txt"), finish("3 lines")], workspace, broken
    )
    assert _finished(events).outcome == "finished"
    warnings = [e for e in events if isinstance(e, Notice) and e.level == "warning"]
    assert len(warnings) == 1
    assert "working without memory" in warnings[0].message
    assert "server down" in warnings[0].message
    assert broken.calls == 1  # not asked again after it failed


def test_trajectories_record_which_memories_were_used(store: MemoryStore, workspace: Path) -> None:
    from lamtui.record.trajectory import load_trajectories

    run(REQUEST, [plan("count"), shell("wc -l notes.txt"), finish("3")], workspace, store)
    run(REQUEST, [plan("count"), shell("wc -l notes.txt"), finish("3")], workspace, store)
    records = list(load_trajectories())
    assert records[0]["memory"] == []
    assert records[1]["memory"][0]["kind"] == "task"
