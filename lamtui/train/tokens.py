"""Examples → token ids and labels, exactly as the agent's prompts are rendered.

The rendering is lam.render.render_completion's: a user turn is `### Input\\n` + text +
`\\n\\n`, an assistant turn `### Output\\n` + JSON. The text before each assistant turn
is tokenized on its own (as llama.cpp tokenizes the prompt it is given, ending with the
`### Output\\n` cue) and the target after it, so no token straddles the boundary."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lamtui.lam.base import Message
from lamtui.lam.render import TURN_HEADERS

IGNORE = -100
Tokenize = Callable[[str], list[int]]


def segments(messages: Sequence[Message]) -> list[tuple[str, bool]]:
    """(text, is_target) pieces whose concatenation is the whole transcript. Each piece
    that precedes a target ends with the assistant cue."""
    out: list[tuple[str, bool]] = []
    pending = ""
    for message in messages:
        if message.role == "assistant":
            out.append((pending + TURN_HEADERS["assistant"], False))
            out.append((message.content.rstrip(), True))
            pending = "\n\n"
        elif message.role == "system":
            pending += message.content.rstrip() + "\n\n"
        else:
            pending += TURN_HEADERS[message.role] + message.content.rstrip() + "\n\n"
    return out


@dataclass
class Encoded:
    ids: list[int]
    labels: list[int]  # IGNORE where no loss is taken

    @property
    def targets(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE)


def encode(
    messages: Sequence[Message],
    tokenize: Tokenize,
    bos: int | None,
    no_loss: Sequence[int] = (),
    max_tokens: int = 1024,
) -> Encoded | None:
    """Ids and labels; assistant turn i (0 = the plan) is learned unless i is in no_loss.
    None when the example is longer than max_tokens or has nothing to learn."""
    ids: list[int] = [bos] if bos is not None else []
    labels: list[int] = [IGNORE] * len(ids)
    turn = -1
    for text, is_target in segments(messages):
        piece = tokenize(text)
        if is_target:
            turn += 1
            learn = turn not in no_loss
            ids.extend(piece)
            labels.extend(piece if learn else [IGNORE] * len(piece))
        else:
            ids.extend(piece)
            labels.extend([IGNORE] * len(piece))
    if len(ids) > max_tokens:
        return None
    encoded = Encoded(ids, labels)
    return encoded if encoded.targets else None
