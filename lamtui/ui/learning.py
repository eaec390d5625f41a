""" "Learn from my approvals" on the app's side: how much is new since the last training
(counted in a thread worker: it reads the whole trajectory file), the training run as a
child process (learn_child.py) whose lines reach the UI as messages through the bridge,
its progress in the learn panel, and at the end the before/after figures and a question
before the new adapter becomes the default (`lamtui models use`). Quitting interrupts the
child, which saves its checkpoint; the app waits for that, briefly."""

from __future__ import annotations

import contextlib
import io
from functools import partial
from pathlib import Path

from textual import on
from textual.message import Message

from lamtui.errors import LamtuiError
from lamtui.ui.learn_child import ChildResult, Progress, TrainingChild, manifest_figures
from lamtui.ui.loader import ModelLoading
from lamtui.ui.messages import TaskEnded
from lamtui.ui.widgets.learn_panel import LearnPanel

GATE_RETRY_SECONDS = 1.0  # the question waits while the gate is open
NOTHING_NEW_NOTICE = "nothing new to learn from since the last training: nothing was started"
CountKey = tuple[int, int]


class LearnCounted(Message):
    def __init__(
        self, key: CountKey, text: str, anything_new: bool, start: bool, error: str = ""
    ) -> None:
        super().__init__()
        self.key, self.text, self.anything_new, self.start = key, text, anything_new, start
        self.error = error


class LearnLine(Message):
    def __init__(self, text: str, progress: Progress | None) -> None:
        super().__init__()
        self.text, self.progress = text, progress


class LearnEnded(Message):
    def __init__(self, result: ChildResult) -> None:
        super().__init__()
        self.result = result


class DefaultSwitched(Message):
    def __init__(self, text: str, error: str = "", reload: str = "") -> None:
        super().__init__()
        self.text, self.error, self.reload = text, error, reload


def counts_text(new_examples: int, new_pairs: int) -> str:
    return (
        f"{new_examples} new approved trajectories and {new_pairs} rejections (preference "
        "pairs) since the last training"
    )


def _trajectory_key() -> CountKey:
    from lamtui.record.trajectory import trajectories_file

    try:
        st = trajectories_file().stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


class Learning(ModelLoading):
    _learn_child: TrainingChild | None = None
    _learn_checking = False  # the count before a start is running
    _learn_counting = False
    _learn_recount = False  # something changed while a count ran: count again after it
    _learn_counts = ""  # the palette's help text, from the last count
    _learn_key: CountKey | None = None  # the trajectory file when it was counted

    @property
    def learn_panel(self) -> LearnPanel:
        return self.query_one(LearnPanel)

    @property
    def learning(self) -> bool:
        return self._learn_child is not None

    # -- counting -------------------------------------------------------------------

    def learn_summary(self) -> str:
        """The palette's help text; a count runs in the background when it may be stale."""
        if self._learn_counting:
            self._learn_recount = True
        else:
            self._learn_counting = True
            self.run_worker(
                partial(self._count, False), group="learn", thread=True, exit_on_error=False
            )
        return self._learn_counts or "counting your approvals and rejections..."

    def _count(self, start: bool) -> None:
        """Worker: what is new since the last training (collect reads the whole file)."""
        key = _trajectory_key()
        if not start and key == self._learn_key and self._learn_counts:
            self.bridge.post(LearnCounted(key, self._learn_counts, True, start))
            return
        try:
            from lamtui.train.from_user import collect

            data = collect()
        except Exception as exc:  # even a bug below must not leave a start pending forever
            error = f"cannot read the trajectories: {exc}"
            self.bridge.post(LearnCounted((0, 0), error, False, start, error))
            return
        text = counts_text(data.new_examples, data.new_pairs)
        self.bridge.post(LearnCounted(key, text, data.anything_new, start))

    def on_learn_counted(self, message: LearnCounted) -> None:
        self._learn_counts, self._learn_key = message.text, message.key
        if not message.start:
            self._learn_counting = False
            if self._learn_recount:
                self._learn_recount = False
                self.learn_summary()
            return
        self._learn_checking = False
        if message.error:
            self.notify(message.error, title="learn", severity="error")
        elif not message.anything_new:
            self.notify(f"{NOTHING_NEW_NOTICE} ({message.text})", title="learn")
        else:
            self._start_child(message.text)

    @on(TaskEnded)
    def _recount_after_task(self, _: TaskEnded) -> None:
        # Called besides the runner's handler: the task's trajectory is in the file now.
        self.learn_summary()

    # -- training -------------------------------------------------------------------

    def learn_from_approvals(self) -> None:
        if self._learn_child is not None or self._learn_checking:
            self.notify("training is already running (see the line above the input box)",
                        severity="warning")  # fmt: skip
            return
        self._learn_checking = True
        self.run_worker(partial(self._count, True), group="learn", thread=True, exit_on_error=False)

    def _start_child(self, counts: str) -> None:
        post = self.bridge.post
        try:
            self._learn_child = TrainingChild(
                lambda text, progress: post(LearnLine(text, progress)),
                lambda result: post(LearnEnded(result)),
                self.workspace,
            )
        except OSError as exc:
            self.notify(f"could not start training: {exc}", title="learn", severity="error")
            return
        self.learn_panel.begin(f"starting ({counts})")
        self.notify(f"training in the background on {counts}", title="learn")

    def on_learn_line(self, message: LearnLine) -> None:
        if message.progress is not None:
            self.learn_panel.show_progress(message.progress)
        else:
            self.learn_panel.show_line(message.text)

    def on_learn_ended(self, message: LearnEnded) -> None:
        result = message.result
        self._learn_child, self._learn_key = None, None  # what was used has changed
        self.learn_panel.end()
        self.learn_summary()
        if result.stopped:
            return  # the app is closing
        if result.code == 0 and result.nothing_new:
            self.notify(NOTHING_NEW_NOTICE, title="learn")
        elif result.code == 0 and result.adapter is not None:
            self._finished(result.adapter)
        elif result.code == 3:
            self.notify(f"training was interrupted: {result.last_line}", severity="warning")
        else:
            line = result.last_line or "no output"
            self.notify(f"training failed (exit code {result.code}): {line}",
                        title="learn", severity="error", timeout=15)  # fmt: skip

    def _finished(self, adapter: Path) -> None:
        from lamtui.lam.adapters import read_manifest

        try:
            figures = manifest_figures(read_manifest(adapter))
        except LamtuiError as exc:
            self.notify(f"training finished, but {exc}", title="learn", severity="error")
            return
        self._offer_default(adapter, figures)

    def _offer_default(self, adapter: Path, figures: str) -> None:
        from lamtui.ui.screens.confirm import ConfirmScreen

        if self.gate_open:  # nothing opens over the gate: ask once it is answered
            self.set_timer(GATE_RETRY_SECONDS, partial(self._offer_default, adapter, figures))
            return
        body = f"New adapter {adapter.stem}\n{figures}"

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(partial(self._use, adapter), group="learn", thread=True,
                                exit_on_error=False)  # fmt: skip
            else:
                self.notify(f"the default model is unchanged; later: lamtui models use "
                            f"{adapter.stem}", title="learn")  # fmt: skip

        question = f"Make {adapter.stem} the default model?"
        self.push_screen(ConfirmScreen("Learning finished", body, question), answered)

    def _use(self, adapter: Path) -> None:
        """Worker: `lamtui models use` (it hashes the base model), its lines as a notice."""
        from lamtui.commands.models_use import use

        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                use(str(adapter))
        except (OSError, LamtuiError) as exc:
            self.bridge.post(DefaultSwitched("", error=str(exc)))
            return
        self.bridge.post(DefaultSwitched(out.getvalue().strip(), reload=self._reload_name(adapter)))

    def _reload_name(self, adapter: Path) -> str:
        """The catalog name the app runs, when that name now means the new adapter."""
        from lamtui.lam.adapters import entry_adapter
        from lamtui.lam.catalog import load_catalog

        name = self.settings.model.name if self.settings is not None else ""
        try:
            entry = next((e for e in load_catalog() if e.name == name and e.adapter), None)
        except LamtuiError:
            return ""
        if entry is None or entry_adapter(entry).resolve() != adapter.resolve():
            return ""
        return name

    def on_default_switched(self, message: DefaultSwitched) -> None:
        if message.error:
            self.notify(f"the default was not switched: {message.error}", severity="error")
            return
        self.notify(message.text, title="default model")
        if message.reload and self.task_running:
            self.notify("the running task keeps the model it started with", title="default model")
        elif message.reload:
            self.switch_model(message.reload)  # load the new default now

    # -- quitting -------------------------------------------------------------------

    def stop_learning(self) -> None:
        if self._learn_child is not None:
            self._learn_child.stop()

    def wait_learning(self) -> None:
        """The app is gone: interrupt the child (if exit() did not) and let it save its
        checkpoint, for a bounded time."""
        if self._learn_child is not None:
            self._learn_child.stop()
            self._learn_child.wait_stopped()
