"""What the command palette's entries do (commands.py lists them): the policy mode, the
memory used by a task, undoing the last task, exporting trajectories. Slow work (undo,
export) runs in a thread worker and reports back in the log and a notification."""

from __future__ import annotations

import time
from dataclasses import replace

from textual import work
from textual.notifications import SeverityLevel

from lamtui.contract.modes import POLICY_MODES, as_policy_mode
from lamtui.errors import LamtuiError
from lamtui.ui.core import error_text
from lamtui.ui.runner import TaskRunner


class PaletteActions(TaskRunner):
    def set_policy_mode(self, mode: str) -> None:
        if mode not in POLICY_MODES:
            self.notify(f"unknown policy mode {mode!r}", severity="error")
            return
        self.policy_mode = self._policy_override = mode
        self.status.set(policy=mode)
        agent = self._agent
        if agent is not None:  # takes effect from the running task's next action
            agent.options.policy = replace(agent.options.policy, mode=as_policy_mode(mode))
        self.notify(f"policy mode: {mode}")

    def show_memory(self) -> None:
        self._memory_report("forget one with `lamtui memory forget ID`")

    def forget_memory(self) -> None:
        # Forgetting is destructive and the palette has no confirmation: name the command.
        self._memory_report("to forget one: `lamtui memory forget ID` (`lamtui memory list`)")

    def _memory_report(self, hint: str) -> None:
        from lamtui.agent.events import MemoryUsed

        if self.memory_link.store is None:
            state = "not opened yet" if not self.memory_link.tried else "off or unavailable"
            self.notify(f"memory is {state}; {hint}", title="memory")
            return
        record = self.viewed_record()
        used = [e for e in (record.events if record else []) if isinstance(e, MemoryUsed)]
        lines = [f"{i['id']}  {i['text'][:70]}" for e in used for i in e.items]
        body = "\n".join(lines) if lines else "no memories were used for this task"
        self.notify(f"{body}\n{hint}", title="memory used by this task", timeout=15)

    def undo_last_task(self) -> None:
        if self.task_running:
            self.notify("wait for the running task to finish first", severity="warning")
            return
        if not self.tasks:
            self.notify("no task in this session to undo")
            return
        self._undo(list(self.tasks)[-1])

    @work(thread=True, group="undo", exclusive=True)
    def _undo(self, task_id: str) -> None:
        from lamtui.actions.undo import undo

        severity: SeverityLevel = "information"
        try:
            text = undo(task_id).describe()
        except LamtuiError as exc:
            text, severity = f"undo: {exc}", "error"
        self.call_from_thread(self._report, text, severity)

    @work(thread=True, group="export", exclusive=True)
    def export_trajectories(self) -> None:
        import json

        from lamtui.paths import get_paths
        from lamtui.record.trajectory import chat_examples, load_trajectories

        name = f"trajectories-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
        out = get_paths().data_dir / "exports" / name
        count = 0
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as fh:
                for trajectory in load_trajectories():
                    for example in chat_examples(trajectory):
                        fh.write(json.dumps(example, ensure_ascii=False) + "\n")
                        count += 1
        except (OSError, LamtuiError) as exc:
            self.call_from_thread(self._report, f"export failed: {exc}", "error")
            return
        self.call_from_thread(self._report, f"exported {count} examples to {out}", "information")

    def _report(self, text: str, severity: SeverityLevel) -> None:
        self.action_log.write(error_text(text) if severity == "error" else text)
        self.notify(text, severity=severity)
