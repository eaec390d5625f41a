"""Training examples are rendered exactly as the agent prompts a trained LAM: the real
Agent (scripted replies, prompt style "lam") is run on a task, and the messages it sends
before each model call must equal the training conversation's prefix, token for token
after rendering."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lamtui.agent import prompts
from lamtui.agent.approval import Decision
from lamtui.agent.loop import AgentOptions
from lamtui.lam.render import render_completion
from lamtui.lam.scripted import ScriptedBackend
from lamtui.session import new_agent
from lamtui.train.examples import Turn, conversation
from lamtui.train.tokens import IGNORE, encode, segments


class _Examples:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def nearest(self, request: str, k: int = 2) -> list[tuple[str, str]]:
        return self.pairs[:k]


def _approve(_proposal: object) -> Decision:
    return Decision("approve", by="user")


def test_training_conversation_equals_the_agents_prompts(lamtui_home: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "dir1").mkdir(parents=True)
    (ws / "dir2").mkdir()
    (ws / "dir1" / "test.txt").write_text("hi\n")
    request = "copy test.txt from dir1 to dir2"
    shown = [("copy a file into a folder", "cp a.txt backup/")]
    title = prompts.short_title(request)
    turn = Turn(title, "Use cp.", "shell", {"command": "cp dir1/test.txt dir2/"}, observation="")
    summary = "Copied test.txt to dir2."
    # The agent's own run, on the real executor.
    plan = prompts.plan_json(title, [title])
    action = prompts.action_json(turn.thought, turn.tool, turn.args)
    finish = prompts.action_json("The request is done.", "finish", {"summary": summary}, "finish")
    backend = ScriptedBackend([plan, action, finish])
    backend.info = replace(backend.info, prompt_style="lam")
    agent = new_agent(
        backend,
        type("A", (), {"decide": staticmethod(_approve), "answer": staticmethod(lambda q: "")})(),
        ws,
        AgentOptions(record=False, undo=False, sandbox="never"),
        examples=_Examples(shown),
    )
    events = list(agent.run(request))
    assert events[-1].outcome == "finished"  # type: ignore[attr-defined]
    assert (ws / "dir2" / "test.txt").read_text() == "hi\n"
    turn.observation = (
        backend.requests[2]
        .messages[-1]
        .content.removeprefix("Observation: ")
        .removesuffix("\n" + prompts.DONE_CUE)
    )
    workspace = prompts.workspace_line(str(ws.resolve()), ["dir1/", "dir2/"])
    trained = conversation(request, workspace, shown, [turn], summary)
    assistant_at = [i for i, m in enumerate(trained) if m.role == "assistant"]
    assert len(assistant_at) == len(backend.requests) == 3
    for index, sent in zip(assistant_at, backend.requests, strict=True):
        assert render_completion(trained[:index]) == render_completion(sent.messages)
    assert [m.content for m in trained if m.role == "assistant"] == [plan, action, finish]


def test_segments_concatenate_to_the_rendered_transcript() -> None:
    messages = conversation(
        "count the lines in a.txt",
        prompts.workspace_line("/home/a", ["a.txt"]),
        [],
        [
            Turn(
                "Count",
                "wc -l counts lines.",
                "shell",
                {"command": "wc -l < a.txt"},
                "exit code 0\n3",
            )
        ],
        "3",
    )
    pieces = segments(messages)
    text = "".join(t for t, _ in pieces)
    # The transcript the backend renders before the last assistant turn is a prefix.
    last = max(i for i, m in enumerate(messages) if m.role == "assistant")
    assert text.startswith(render_completion(messages[:last]))
    assert [t for t, target in pieces if target][-1] == messages[last].content


def test_encode_learns_only_assistant_tokens_and_honours_no_loss() -> None:
    messages = conversation(
        "make run.sh executable",
        prompts.workspace_line("/srv", ["run.sh"]),
        [],
        [Turn("chmod", "x", "shell", {"command": "chmod +x run.sh"}, "exit code 0\n(no output)")],
        "Done.",
    )

    def tokenize(text: str) -> list[int]:
        return [ord(c) for c in text]

    full = encode(messages, tokenize, bos=1)
    assert full is not None
    learned = "".join(chr(t) for t in full.labels if t != IGNORE)
    targets = "".join(m.content for m in messages if m.role == "assistant")
    assert learned == targets
    skipped = encode(messages, tokenize, bos=1, no_loss=[1])
    assert skipped is not None
    assert skipped.targets == full.targets - len(messages[3].content)
    assert encode(messages, tokenize, bos=1, max_tokens=10) is None
