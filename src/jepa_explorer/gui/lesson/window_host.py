"""An interim ``LessonHost`` over today's ``MainWindow``, so the lesson panel can set the real window up before
the Qt-free app model (``jepa_explorer.app``) implements the protocol itself.

The window loads models and decodes clips in its worker, so a set-up cannot run straight through: the host
queues the calls ``apply_setup`` makes and runs each once the window has finished the one before (a model
is shown, an input is encoded). ``done`` fires when the whole set-up is on screen, ``failed`` with the
reason when a step cannot be done. It reaches into a few of the window's attributes (the step-through's
stage, the surface-tax box, the docks); once the app model owns that state, this file goes.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from jepa_explorer.resources import assets_dir, checkpoints_dir

WORLD_MODE_MISSING = "World-model mode is not in this version yet: showing the future-frames view instead."


class MainWindowHost(QObject):
    done = Signal()
    failed = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self._queue: deque = deque()
        self._waiting: str | None = None  # "model" or "input": what the window must show before the next step
        self._scheduled = False
        window.modelShown.connect(lambda _info: self._resume("model"))
        window.inputShown.connect(lambda _view: self._resume("input"))
        window.errorShown.connect(self._on_error)

    @property
    def busy(self) -> bool:
        return self._waiting is not None or bool(self._queue)

    # ------------------------------------------------------------ LessonHost

    def choose_model(self, name: str) -> None:
        self._queue.clear()  # a new set-up (it always starts with the model) replaces one still under way
        self._waiting = None
        self._enqueue(self._choose_model, name)

    def open_sample(self, name: str) -> None:
        self._enqueue(self._open_sample, name)

    def apply_preset(self, name: str) -> None:
        self._enqueue(self.window.apply_preset, name)

    def show_panel(self, name: str) -> None:
        self._enqueue(self._show_panel, name)

    def set_mode(self, name: str) -> None:
        self._enqueue(self._set_mode, name)

    def start_step_through(self) -> None:
        self._enqueue(self._start_step_through)

    # ------------------------------------------------------------ the steps

    def _choose_model(self, name: str) -> str | None:
        path = checkpoints_dir() / name
        current = self.window.checkpoint_source
        if self.window.model_info is not None and current and Path(current).resolve() == path.resolve():
            return None  # already loaded: nothing to wait for
        self.window.load_checkpoint(str(path))
        return "model"

    def _open_sample(self, name: str) -> str | None:
        for folder in ("samples", "clips"):
            path = assets_dir() / folder / name
            if path.is_file():
                return "input" if self.window.open_image(str(path)) else None
        self._fail(f"{name}: not in assets/samples or assets/clips; check the chapter's set-up (jepa-explorer lesson --check)")
        return None

    def _set_mode(self, name: str) -> None:
        window = self.window
        self._end_step_through()
        box = window.pixel_panel.tax_box
        if name != "surface-tax":
            box.setChecked(False)  # also when disabled (a video model): it would come back on with the next image
        elif box.isEnabled():
            box.setChecked(True)
        if name == "world":
            window.statusBar().showMessage(WORLD_MODE_MISSING, 10000)

    def _show_panel(self, name: str) -> None:
        dock = self.window.docks[name]
        dock.show()
        dock.raise_()

    def _end_step_through(self) -> None:
        from jepa_explorer.gui.presentation import STAGES

        if getattr(self.window, "_step", None) is not None:
            self.window._step = len(STAGES) - 1
            self.window.step_loop()  # one more press past the last stage ends it and restores the panels

    def _start_step_through(self) -> None:
        self._end_step_through()
        self.window.step_loop()  # the first press: stage 1

    # ------------------------------------------------------------ the queue

    def _enqueue(self, step, *args) -> None:
        # run on the next event-loop turn, once apply_setup has queued every step: `done` then means all of them
        if not self._queue and not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self._run)
        self._queue.append((step, args))

    def _run(self) -> None:
        self._scheduled = False
        while self._waiting is None and self._queue:
            step, args = self._queue.popleft()
            self._waiting = step(*args)
        if self._waiting is None and not self._queue:
            self.done.emit()

    def _resume(self, event: str) -> None:
        if self._waiting == event:
            self._waiting = None
            self._run()

    def _on_error(self, message: str) -> None:
        if self._waiting is not None:
            self._fail(message)

    def _fail(self, message: str) -> None:
        self._queue.clear()
        self._waiting = None
        self.failed.emit(message)
