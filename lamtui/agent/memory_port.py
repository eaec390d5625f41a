"""What the agent asks of memory, and how it survives memory failing: any MemoryUnavailable
becomes one warning notice, after which the task (and the agent) carry on without it.
Also the worked examples a trained LAM is shown, and remembered tasks as such examples."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from lamtui.agent.events import AgentEvent, Notice
from lamtui.contract.schema import Action
from lamtui.memory.errors import MemoryUnavailable

if TYPE_CHECKING:
    from lamtui.memory.recall import Recall

# Memory demonstrations below this embedding similarity are not shown as worked
# examples: the bundled model copies whatever example it sees, relevant or not.
DEMONSTRATION_FLOOR = 0.55


class AgentMemory(Protocol):
    """What the agent needs of memory (lamtui.memory.MemoryStore; the eval's read-only
    view). Every method may raise MemoryUnavailable."""

    def recall(self, request: str, k: int = 3) -> Recall: ...
    def remember_task(self, record: dict[str, Any]) -> str | None: ...
    def remember_rejection(
        self, action: dict[str, Any], reason: str, request: str
    ) -> str | None: ...
    def remember_fact(self, text: str) -> str: ...


class ExampleSource(Protocol):
    """Worked (request, command) examples for the trained LAM's prompt
    (lamtui.memory.examples.ExampleIndex)."""

    def nearest(self, request: str, k: int = 2) -> list[tuple[str, str]]: ...


def demo_pair(demo: dict[str, Any]) -> tuple[str, str] | None:
    """A remembered task as a (request, command) example: its first shell action."""
    for action in demo.get("actions") or []:
        if isinstance(action, dict) and action.get("tool") == "shell":
            command = str((action.get("args") or {}).get("command", "")).strip()
            if command:
                return str(demo.get("request", "")).strip(), command
    return None


class MemoryPort:
    """The agent's memory, or none (off, failed to open, or failed since). Each call
    yields at most one notice and never raises MemoryUnavailable."""

    def __init__(self, memory: AgentMemory | None) -> None:
        self.memory = memory

    @property
    def available(self) -> bool:
        return self.memory is not None

    def recall(self, task_id: str, request: str) -> Generator[AgentEvent, None, Recall | None]:
        """What memory holds about the request; None without memory or without a match."""
        if self.memory is None:
            return None
        try:
            found = self.memory.recall(request)
        except MemoryUnavailable as exc:
            yield self._lost(task_id, exc)
            return None
        return found if found.items else None

    def remember_task(self, task_id: str, record: dict[str, Any]) -> Iterator[AgentEvent]:
        if self.memory is None:
            return
        try:
            entry_id = self.memory.remember_task(record)
        except MemoryUnavailable as exc:
            yield self._lost(task_id, exc)
            return
        if entry_id:
            yield Notice(task_id, level="info", message=f"remembered this task ({entry_id})")

    def remember_rejection(
        self, task_id: str, action: Action, reason: str, request: str
    ) -> Iterator[AgentEvent]:
        if self.memory is None:
            return
        try:
            self.memory.remember_rejection(action.model_dump(mode="json"), reason, request)
        except MemoryUnavailable as exc:
            yield self._lost(task_id, exc)

    def remember_fact(self, task_id: str, fact: str) -> Generator[AgentEvent, None, str]:
        """Store a fact; its entry id. Raises MemoryUnavailable after its notice: a
        "remember ..." request has nothing else to do, so its failure is the outcome."""
        if self.memory is None:
            raise MemoryUnavailable("memory is turned off")
        try:
            return self.memory.remember_fact(fact)
        except MemoryUnavailable as exc:
            yield self._lost(task_id, exc)
            raise

    def _lost(self, task_id: str, exc: MemoryUnavailable) -> Notice:
        """Memory failed: say so once and carry on without it."""
        self.memory = None
        return Notice(task_id, level="warning", message=f"working without memory: {exc}")
