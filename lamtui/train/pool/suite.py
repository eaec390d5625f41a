"""The pool as an evaluation suite: the builtin suite's setup and checks on specs made in
memory, so `lamtui.eval.runner.TaskRunner` runs and judges pool tasks as it does the
builtin ones. Each EvalTask's data also names its template and part."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from lamtui.eval.builtin import BuiltinSuite
from lamtui.eval.suite import EvalTask
from lamtui.train.pool.generate import PoolTask

NAME = "pool"


class PoolSuite(BuiltinSuite):
    name = NAME

    def __init__(self, tasks: Sequence[PoolTask]) -> None:
        self._use([task.spec for task in tasks])
        self.pool = {task.id: task for task in tasks}

    def task(self, task: EvalTask) -> PoolTask:
        self.spec(task)  # the suite's message for a task it does not have
        return self.pool[task.id]

    def tasks(self, split: str | None = None) -> list[EvalTask]:
        out = []
        for task in super().tasks(split):
            item = self.pool[task.id]
            data = {**task.data, "template": item.template, "part": item.part}
            out.append(dataclasses.replace(task, data=data))
        return out
