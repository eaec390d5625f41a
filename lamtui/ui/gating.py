"""The gate and the model's questions on the app's side. The worker's approver
(approver.py) posts GateRequested / AnswerRequested and waits on a Reply; this opens the
gate modal or turns the input box into an answer box, and resolves the Reply with what the
user chose. Cancelling or quitting resolves a pending one at once, with a rejection (or no
answer), so the worker never waits for a screen that is gone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lamtui.ui.core import AppCore
from lamtui.ui.messages import AnswerRequested, GateRequested
from lamtui.ui.widgets.prompt import PromptInput

if TYPE_CHECKING:
    from lamtui.agent.events import Decision
    from lamtui.ui.approver import Reply
    from lamtui.ui.screens.gate import GateScreen


class Gating(AppCore):
    _gate: tuple[GateScreen, Reply[Decision]] | None = None
    _answer: Reply[str | None] | None = None

    def on_gate_requested(self, message: GateRequested) -> None:
        from lamtui.agent.events import Decision
        from lamtui.ui.approver import CLOSED
        from lamtui.ui.screens.gate import GateScreen

        reply: Reply[Decision] = message.reply
        if self._quitting.is_set() or reply.done:
            reply.resolve(CLOSED)
            return
        screen = GateScreen(message.proposal)
        self._gate = (screen, reply)
        self.activity.set_activity("waiting for your decision: y / n / e / a", busy=False)

        def decided(decision: Decision | None) -> None:
            reply.resolve(decision or Decision("reject", by="user"))
            self._gate = None
            self.refresh_bindings()

        self.push_screen(screen, decided)
        self.refresh_bindings()

    def on_answer_requested(self, message: AnswerRequested) -> None:
        reply: Reply[str | None] = message.reply
        if self._quitting.is_set() or reply.done:
            reply.resolve(None)
            return
        self._answer = reply
        self.prompt.ask(message.question)
        self.prompt.focus()

    @property
    def gate_open(self) -> bool:
        """The gate is open: nothing else may open over it."""
        return self._gate is not None

    def give_answer(self, answer: str | None) -> None:
        if self._answer is not None:
            self._answer.resolve(answer)
        self.end_question()

    def end_question(self) -> None:
        self._answer = None
        for prompt in self.query(PromptInput):
            if prompt.question:
                prompt.end_question()

    def release_prompts(self, closing: bool) -> None:
        """Give the waiting worker its answer now (cancel or quit): reject, no answer."""
        if self._gate is not None:
            from lamtui.ui.approver import CANCELLED, CLOSED

            decision = CLOSED if closing else CANCELLED
            screen, reply = self._gate
            reply.resolve(decision)
            if screen in self.screen_stack and not closing:
                screen.pop_until_active()
                screen.dismiss(decision)
            self._gate = None
        if self._answer is not None:
            self._answer.resolve(None)
            if not closing:
                self.end_question()
