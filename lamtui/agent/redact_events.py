"""Every event Agent.run yields passes through here: the TUI, `lamtui run --json` and
the plain printer all read events, so redacting them once covers what is shown.
Streamed model tokens are redacted as a stream, so a secret split across tokens is
still found whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from lamtui.agent.events import AgentEvent, ModelToken
from lamtui.safety.redact import StreamRedactor, redact_value


def redacted_events(
    events: Iterator[AgentEvent], redact: Callable[[str], str]
) -> Iterator[AgentEvent]:
    stream = StreamRedactor(redact)
    pending: ModelToken | None = None  # the last token event, to carry the held text
    try:
        for event in events:
            match event:
                case ModelToken():
                    if pending is not None and pending.phase != event.phase:
                        yield from _flushed(stream, pending)
                    pending = event
                    shown = stream.feed(event.text)
                    if shown:
                        yield replace(event, text=shown)
                case _:
                    if pending is not None:
                        yield from _flushed(stream, pending)
                        pending = None
                    yield redact_value(event, redact)
        if pending is not None:
            yield from _flushed(stream, pending)
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()  # a consumer that stops early stops the agent too


def _flushed(stream: StreamRedactor, last: ModelToken) -> Iterator[AgentEvent]:
    rest = stream.flush()
    if rest:
        yield replace(last, text=rest)
