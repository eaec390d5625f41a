"""Turn chat messages into prompt text.

Instruct models use the chat template stored in their GGUF. Base models get a plain
transcript that reads like a document they can continue: few-shot examples in the
messages become earlier turns of the same document. Both renderings are
append-only: the rendering of messages[:n] is a prefix of the rendering of
messages[:n+1] (before the generation cue), which keeps llama.cpp's KV cache warm.
"""

from __future__ import annotations

from lamtui.lam.base import Message

TURN_HEADERS = {"user": "### Input\n", "assistant": "### Output\n"}


def render_completion(messages: list[Message]) -> str:
    """A transcript for base models, ending with the cue for the model's next output."""
    parts: list[str] = []
    for message in messages:
        if message.role == "system":
            parts.append(message.content.rstrip() + "\n\n")
        else:
            parts.append(TURN_HEADERS[message.role] + message.content.rstrip() + "\n\n")
    parts.append(TURN_HEADERS["assistant"])
    return "".join(parts)
