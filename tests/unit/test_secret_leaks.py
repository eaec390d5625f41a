"""Secret leaks (issue 12, class 7): transformed values, cuts, streams, placeholders, and
every path out of the agent (events, the prompt, the audit log, trajectories, memory).
Leaks are judged by tests/leak_oracle.py, which decodes on its own."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtui.actions.bounded import MAX_LINE_CHARS, BoundedOutput
from lamtui.agent.events import ActionProposed, Event, ModelToken
from lamtui.agent.loop import AgentOptions
from lamtui.agent.redact_events import redacted_events
from lamtui.contract.risk import Assessment
from lamtui.lam.scripted import Reply, ScriptedBackend
from lamtui.paths import get_paths
from lamtui.record.audit import AuditLog
from lamtui.record.trajectory import TrajectoryRecorder
from lamtui.safety.policy import Policy
from lamtui.safety.redact import Redactor, StreamRedactor, redact_cut, redact_value
from lamtui.safety.redact_forms import base64_cores
from lamtui.safety.secrets import SecretStore
from lamtui.session import new_agent
from tests.functional.agent_helpers import ScriptedApprover, act, finish, plan, shell
from tests.leak_oracle import leaks
from tests.memory_keyring import MemoryKeyring

CANARY = "canary-Zq9xK2mW7vB4nR8t"
PLACE = "{{secret:CANARY}}"


@pytest.fixture
def redact() -> Redactor:
    return Redactor({"CANARY": CANARY})


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _tool(args: list[str], data: bytes) -> str:
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()


# -- transformed values ----------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "x", "xy", "xyz", "token=abcd", "a" * 50])
@pytest.mark.parametrize(
    "command",
    [
        ["base64"],
        ["base64", "-w0"],
        ["basenc", "--base64url"],
        ["rev"],
        ["xxd", "-p"],
        ["od", "-An", "-tx1"],
        ["xxd", "-p", "-u"],
        ["sh", "-c", "xxd | cut -c1-50"],  # offsets between the lines, no ASCII column
    ],
)
def test_transformed_values_are_redacted(redact: Redactor, prefix: str, command: list[str]) -> None:
    """The real tools' output, the value at every alignment inside a longer stream."""
    plaintext = f"{prefix}{CANARY}\nmore text after it\n".encode()
    out = _tool(command, plaintext)
    assert leaks(out, CANARY), f"the oracle must see the raw output leak: {out!r}"
    shown = redact(out)
    assert leaks(shown, CANARY) == [], (command, shown)
    assert "[REDACTED:CANARY:" in shown


def test_base64_cores_are_the_characters_the_value_alone_decides() -> None:
    data = CANARY.encode()
    cores = base64_cores(data)
    assert len(set(cores)) == 3
    for align, core in enumerate(cores):
        for before in (b"", b"\x00", b"\xff\xfe"):
            stream = b"P" * align + data + before
            padded = b"Q" * 3 + stream  # a whole number of groups ahead: same alignment
            assert core in base64.b64encode(stream).decode()
            assert core in base64.b64encode(padded).decode()


def test_json_and_url_escaped_values_are_redacted() -> None:
    value = 'p"ss\\w\u00f6rd/&?x'
    redact = Redactor({"PW": value})
    for text in (json.dumps({"a": value}), json.dumps(value, ensure_ascii=False)):
        assert redact(text) in (json.dumps({"a": "{{secret:PW}}"}), '"{{secret:PW}}"')
    from urllib.parse import quote

    assert "{{secret:PW}}" in redact("https://h/?q=" + quote(value, safe=""))


# -- placeholders ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["secret", "{{secret:", "secret:API", "API_KEY", "KEY}}", "}}{{", "CANA", "cret:C"]
)
def test_placeholders_survive_any_value(value: str) -> None:
    redact = Redactor({"CANARY": CANARY, "API_KEY": "zz-unrelated-zz", "OTHER": value})
    text = f"secret: {PLACE} token={PLACE} password={{{{secret:API_KEY}}}} x"
    shown = redact(text)
    assert PLACE in shown and "{{secret:API_KEY}}" in shown
    assert shown.count(PLACE) == 2 and shown.count("{{secret:API_KEY}}") == 1
    assert redact(shown) == shown  # redacting twice changes nothing


def test_assignment_pattern_keeps_a_placeholder_but_hides_a_raw_password() -> None:
    redact = Redactor()
    assert redact("secret:{{secret:API_KEY}}") == "secret:{{secret:API_KEY}}"
    assert redact("secret: {{secret:API_KEY}}") == "secret: {{secret:API_KEY}}"
    shown = redact("api_key={{secret:K}} and pwd=hunter22")
    assert shown == "api_key={{secret:K}} and pwd=[REDACTED]"
    assert redact("https://{{secret:U}}:hunter22@host") == "https://{{secret:U}}:[REDACTED]@host"


def test_a_value_dressed_as_a_placeholder_is_still_redacted(redact: Redactor) -> None:
    for text in (f"{{{{secret:{CANARY}}}}}", f"[REDACTED:{CANARY}:hex]"):
        assert leaks(redact(text), CANARY) == []
    plain = "hunter22abc"  # could pass for a name or a marker's kind
    redact = Redactor({"CANARY": plain})
    for text in (
        f"{{{{secret:{plain}}}}}",
        f"[REDACTED:CANARY:{plain}]",
        f"[REDACTED:{plain}:hex]",
    ):
        assert leaks(redact(text), plain) == [], redact(text)


def test_case_changed_values_are_redacted(redact: Redactor) -> None:
    shown = redact(f"{CANARY.upper()} {CANARY.lower()}")
    assert shown == "[REDACTED:CANARY:case] [REDACTED:CANARY:case]"


# -- cuts -------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", range(MAX_LINE_CHARS - len(CANARY) - 2, MAX_LINE_CHARS + 2))
def test_a_long_line_is_redacted_before_it_is_cut(redact: Redactor, offset: int) -> None:
    out = BoundedOutput(40, 40, redact=redact)
    out.feed(("." * offset + CANARY + ".....\n").encode())
    out.close()
    assert leaks(out.text(), CANARY, part=4) == [], out.text()[-40:]


@given(st.integers(min_value=0, max_value=len(CANARY) + 30), st.integers(1, 40))
@settings(max_examples=60, deadline=None)
def test_redact_cut_never_leaves_a_piece(offset: int, extra: int) -> None:
    redact = Redactor({"CANARY": CANARY})
    limit = 30
    text = "." * offset + CANARY + "." * extra
    shown = redact_cut(redact, text, limit)
    assert len(shown) <= limit
    assert leaks(shown, CANARY, part=4) == []


def test_a_line_flushed_in_pieces_never_splits_a_secret(redact: Redactor) -> None:
    """A line without newlines is flushed every 64 KiB: not inside the secret."""
    from lamtui.actions.bounded import LONG_LINE_FLUSH

    for shift in (-len(CANARY), -17, -12, -11, -6, -1, 0, 1):  # where the break falls
        saved = get_paths().data_dir / f"out{shift}.log"
        out = BoundedOutput(40, 40, save_to=saved, redact=redact)
        blob = "x" * (LONG_LINE_FLUSH + shift) + CANARY + "y" * 100
        live = "".join(out.feed(blob[i : i + 4096].encode()) for i in range(0, len(blob), 4096))
        live += out.close()
        for text in (live, saved.read_text(), out.text()):
            assert leaks(text, CANARY, part=4) == [], shift


def test_text_cut_elsewhere_loses_the_partial_value_at_its_edge(redact: Redactor) -> None:
    """The backstop for cuts made before redaction (e.g. a file read to its cap)."""
    cut_end = "." * 100 + CANARY[:10]
    cut_start = CANARY[-9:] + "." * 100
    marked = "." * 20 + CANARY[:12] + "\n[… file is 9999 bytes; only the first 32 are shown …]"
    for text in (cut_end, cut_start, marked):
        assert leaks(redact(text), CANARY, part=4) == [], redact(text)


# -- streams and events ------------------------------------------------------------------


@given(st.lists(st.integers(1, 9), min_size=1, max_size=40))
@settings(max_examples=80, deadline=None)
def test_a_stream_split_anywhere_shows_no_secret(sizes: list[int]) -> None:
    redact = Redactor({"CANARY": CANARY})
    text = f'{{"thought": "use {CANARY}", "args": {{"command": "echo {CANARY[::-1]}"}}}} ghp_'
    text += "a1B2c3D4e5F6g7H8i9J0k1L2m3N4 end"
    stream = StreamRedactor(redact)
    pieces, at = [], 0
    for size in sizes * 20:
        if at >= len(text):
            break
        pieces.append(stream.feed(text[at : at + size]))
        at += size
    pieces.append(stream.feed(text[at:]))
    pieces.append(stream.flush())
    shown = "".join(pieces)
    assert leaks(shown, CANARY, part=4) == [] and "ghp_a1B2" not in shown
    assert shown == redact.redact(text, edges=False)


def test_event_redaction_covers_every_field_and_streamed_tokens(redact: Redactor) -> None:
    from lamtui.agent.events import ActionFinished, TaskStarted
    from lamtui.contract.result import ActionResult
    from lamtui.contract.schema import Action

    action = Action(
        thought=CANARY, tool="shell", args={"command": f"echo {CANARY}"}, status="continue",
        plan_update=None,
    )  # fmt: skip
    tokens = [ModelToken("t", phase="action", text=CANARY[i : i + 3]) for i in range(0, 23, 3)]
    events: list[Event] = [
        TaskStarted("t", request=f"use {CANARY}", workspace="/w", model="m", environment={}),
        *tokens,
        ActionProposed("t", step=1, step_title=CANARY[:80], action=action,
                       assessment=Assessment("ask", "unknown", ()), preview=f"-key = {CANARY}\n"),
        ActionFinished("t", step=1, result=ActionResult(ok=True, output=CANARY[::-1])),
    ]  # fmt: skip
    out = list(redacted_events(iter(events), redact))
    dumped = json.dumps([e.to_dict() for e in out], default=str)
    assert leaks(dumped, CANARY, part=4) == []
    streamed = "".join(e.text for e in out if isinstance(e, ModelToken))
    assert streamed == PLACE
    proposed = next(e for e in out if isinstance(e, ActionProposed))
    assert proposed.action.args["command"] == f"echo {PLACE}"
    assert redact_value({"a": (CANARY, [CANARY])}, redact) == {"a": (PLACE, [PLACE])}


# -- the secret store ----------------------------------------------------------------------


def test_a_redactor_learns_secrets_set_or_used_after_it_was_made(
    memory_keyring: MemoryKeyring,
) -> None:
    store = SecretStore()
    store.set("OLD", "old-value-1234")
    redact = store.redactor()
    store.set("NEW", "new-value-5678")
    assert redact("new-value-5678 old-value-1234") == "{{secret:NEW}} {{secret:OLD}}"
    other = SecretStore()  # another process set it: learnt when it is substituted
    memory_keyring.set_password("lamtui", "LATE", "late-value-9012")
    late = other.redactor()
    assert other.substitute("{{secret:LATE}}") == "late-value-9012"
    assert late("late-value-9012") == "{{secret:LATE}}"


def test_one_unreadable_secret_does_not_hide_the_others(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set("A", "value-aaaa-1")
    store.set("B", "value-bbbb-2")
    memory_keyring.values.pop(("lamtui", "A"))  # listed in the index, gone from the keyring
    assert store.redactor()("value-bbbb-2") == "{{secret:B}}"


# -- records -------------------------------------------------------------------------------


def test_records_are_never_written_unredacted(tmp_path: Path) -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4"
    log = AuditLog(tmp_path / "audit.jsonl")  # no redactor given: patterns still apply
    log.write("x", "t", note=token, obj=Path(f"/tmp/{token}"))
    assert token not in (tmp_path / "audit.jsonl").read_text()
    recorder = TrajectoryRecorder("t", token, "/w", {})
    recorder.save(recorder.build([], "finished", token), tmp_path / "t.jsonl")
    assert token not in (tmp_path / "t.jsonl").read_text()


# -- the agent end to end in-process: every sink -------------------------------------------


def _files_text(root: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes().decode("utf-8", errors="replace")


def test_agent_leaks_the_canary_nowhere(
    tmp_path: Path, lamtui_home: Path, memory_keyring: MemoryKeyring
) -> None:
    from lamtui.config import MemorySettings
    from lamtui.memory import MemoryStore
    from lamtui.memory.embedding import HashingEmbeddingFunction

    secrets = SecretStore()
    secrets.set("CANARY", CANARY)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.txt").write_text(CANARY + "\n")
    replies: list[Reply] = [
        plan("Use the token"),
        act("write_file", path="conf.ini", content=f"key = {PLACE}\n"),
        act("write_file", path="conf.ini", content="key = changed\n"),  # the diff shows the old
        shell("rev notes.txt; base64 notes.txt; printf x | cat - notes.txt | base64"),
        shell(f"head -c 1990 /dev/zero | tr '\\0' .; cat notes.txt; echo {PLACE} | xxd -p"),
        act("read_file", path="notes.txt"),
        finish("used the token"),
    ]
    backend = ScriptedBackend(replies)
    memory = MemoryStore.open(
        MemorySettings(), None, embedding_function=HashingEmbeddingFunction(), seed=False,
        redact=secrets.redactor(),
    )  # fmt: skip
    try:
        agent = new_agent(
            backend, ScriptedApprover(), ws, AgentOptions(policy=Policy("ask")),
            secrets=secrets, memory=memory,
        )  # fmt: skip
        events = list(agent.run(f"use my token {CANARY} please"))
        memory.remember_fact(f"the token is {CANARY}")
    finally:
        memory.close()
    assert (ws / "conf.ini").read_text() == "key = changed\n"
    proposals = [e for e in events if isinstance(e, ActionProposed)]
    assert "-key = {{secret:CANARY}}" in proposals[1].preview  # the diff, redacted
    dumped = "\n".join(json.dumps(e.to_dict(), default=str) for e in events)
    assert leaks(dumped, CANARY) == []
    assert "[REDACTED:CANARY:reversed]" in dumped and "[REDACTED:CANARY:base64]" in dumped
    assert "[REDACTED:CANARY:hex]" in dumped
    for request in backend.requests:  # the prompt
        assert leaks("\n".join(m.content for m in request.messages), CANARY) == []
    seen = 0
    for path, text in _files_text(lamtui_home):
        if get_paths().undo_dir in path.parents:
            continue  # undo pre-images: tests/e2e/test_secret_leaks_cli.py checks them
        assert leaks(text, CANARY) == [], path
        seen += get_paths().memory_dir in path.parents
    assert seen, "memory wrote no files"
