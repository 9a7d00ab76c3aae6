"""The lesson's ``LessonHost`` on the app model, without Qt: a chapter's one-click set-up becomes app-model
intents (load a checkpoint, open a sample, apply a preset, surface tax, step-through).

The model loads and the input is decoded and encoded in the worker, so a set-up cannot run straight
through: the model and the sample are asked for at once (the app model follows the *requested* state, so
opening a sample right after asking for a model is safe), and every later step waits until the app is
*settled*: the model asked for is on screen and the input asked for is on screen and encoded. A preset
applied before that would be made for the old model's grid and replaced when the new model arrives.

The steps run on the next pass of the app's event loop (``schedule``, the app model's by default), after
``apply_setup`` has queued all of them, so ``events.done`` means the whole set-up is on screen;
``events.failed`` carries the reason when a step cannot be done (a missing sample, a worker error).

What only the window can do (bring a dock forward, show the mode's controls, switch the central view to world-model mode)
goes through a small ``LessonView``; without one those steps are no-ops.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Protocol

from jepa_explorer.app.events import Events
from jepa_explorer.app.inputs import same_source
from jepa_explorer.app.model import AppModel
from jepa_explorer.resources import assets_dir, checkpoints_dir


class LessonView(Protocol):
    """The window's part of a set-up."""

    def show_panel(self, name: str) -> None:
        """Bring the dock `name` ("distance", "pca", "pixels", "model") forward."""

    def set_mode(self, name: str) -> None:
        """The set-up's mode (after the app model has it): show its controls, e.g. the surface-tax switch ticked,
        world-model mode in place of the canvas for "world" (the canvas again for the others)."""


class AppLessonHost:
    """``lesson.host.LessonHost`` over an ``AppModel`` (see the module's docstring)."""

    def __init__(self, app: AppModel, view: LessonView | None = None, schedule: Callable | None = None) -> None:
        self.app, self.view = app, view
        self.schedule = schedule or app.schedule
        self.events = Events("done", "failed")
        self._queue: deque = deque()
        self._waiting = False  # a step is queued that needs the settled app
        self._scheduled = False
        self._failures = 0
        for event in (app.events.model, app.events.input, app.events.encoded):
            event.connect(lambda *_args: self._resume())
        app.events.error.connect(self._on_error)

    @property
    def busy(self) -> bool:
        return bool(self._queue) or self._scheduled

    # ------------------------------------------------------------ LessonHost

    def choose_model(self, name: str) -> None:
        self._queue.clear()  # a new set-up (it always starts with the model) replaces one still under way
        self._enqueue(self._choose_model, name, wait=False)

    def open_sample(self, name: str) -> None:
        self._enqueue(self._open_sample, name, wait=False)

    def apply_preset(self, name: str) -> None:
        self._enqueue(self.app.apply_preset, name)

    def set_mode(self, name: str) -> None:
        self._enqueue(self._set_mode, name)

    def show_panel(self, name: str) -> None:
        self._enqueue(self._show_panel, name)

    def start_step_through(self) -> None:
        self._enqueue(self._start_step_through)

    # ------------------------------------------------------------ the steps

    def _choose_model(self, name: str) -> None:
        path = str(checkpoints_dir() / name)
        if not same_source(self.app.checkpoint, path):  # the model asked for last is another one
            self.app.load_checkpoint(path)

    def _open_sample(self, name: str) -> None:
        for folder in ("samples", "clips"):
            path = assets_dir() / folder / name
            if path.is_file():
                if not self.app.open(str(path)):
                    self._fail(self.app.last_error or f"{name}: cannot be opened")
                return
        self._fail(f"{name}: not in assets/samples or assets/clips; check the chapter's set-up (jepa-explorer lesson --check)")

    def _set_mode(self, name: str) -> None:
        self.app.end_stages()
        if self.app.surface_tax != (name == "surface-tax"):
            self.app.set_surface_tax(name == "surface-tax")  # the app asks for the MAE comparison on images only
        if self.view is not None:
            self.view.set_mode(name)

    def _show_panel(self, name: str) -> None:
        if self.view is not None:
            self.view.show_panel(name)

    def _start_step_through(self) -> None:
        self.app.end_stages()
        self.app.advance_stage()  # the first press: stage 1, on the finished state

    # ------------------------------------------------------------ the queue

    def settled(self) -> bool:
        """The model asked for is on screen, and so is the input asked for, encoded by it."""
        app = self.app
        info, asked, shown, view = app.model_info, app.requested_input, app.input, app.input_view
        return (
            info is not None
            and same_source(info.source, app.checkpoint)
            and asked is not None
            and shown is not None
            and shown.request_id == asked.request_id
            and view is not None
            and view.request_id == asked.request_id
        )

    def _enqueue(self, step: Callable, *args, wait: bool = True) -> None:
        self._queue.append((step, args, wait))
        if not self._scheduled:
            self._scheduled = True
            self.schedule(self._run)

    def _run(self) -> None:
        self._scheduled = False
        while self._queue:
            step, args, wait = self._queue[0]
            if wait and not self.settled():
                self._waiting = True
                return  # _resume runs the rest when the model or the input arrives
            self._queue.popleft()
            failures = self._failures
            step(*args)
            if self._failures != failures:
                return  # the step failed: the rest of the set-up was dropped and `failed` sent
        self._waiting = False
        self.events.done.emit()

    def _resume(self) -> None:
        if self._waiting and self._queue and not self._scheduled and self.settled():
            self._scheduled = True
            self.schedule(self._run)  # after the views have taken the news

    def _on_error(self, _title: str, message: str) -> None:
        if self._queue:
            self._fail(message)

    def _fail(self, message: str) -> None:
        self._failures += 1
        self._queue.clear()
        self._waiting = False
        self.events.failed.emit(message)
