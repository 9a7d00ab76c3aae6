"""Panels that draw only when someone can see them, and no more often than they are asked to.

A dock that is closed, a tab behind another tab, or a window not yet shown gets no drawing: the panel
keeps the latest result and draws it (``_flush``) when it comes to the front. ``RateLimit`` spaces a
panel's redraws (fewer during a brush stroke), the latest request winning; the slow ones wait their turn in
``PASSES``, which draws one of them per event-loop pass.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDockWidget


class PassQueue:
    """Draws that run one per event-loop pass, in the order asked. Qt paints everything made dirty in a pass
    together, so two slow panels updated in one pass freeze the window for the sum of their paints; one per
    pass lets input (the next brush move) be handled between them."""

    def __init__(self):
        self._waiting: dict = {}  # an ordered set of RateLimits
        self._timer = None

    def add(self, job: RateLimit) -> None:
        self._waiting[job] = None
        if self._timer is None:  # made on first use: a QTimer needs the application
            self._timer = QTimer()
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self._run_next)
        if not self._timer.isActive():
            self._timer.start(0)

    def discard(self, job: RateLimit) -> None:
        self._waiting.pop(job, None)

    def _run_next(self) -> None:
        if self._waiting:
            job = next(iter(self._waiting))
            job.flush()  # removes it from the queue
        if self._waiting:
            self._timer.start(0)


PASSES = PassQueue()


class RateLimit:
    """Calls ``draw()`` at most once per ``interval_ms`` (0: no limit); a request that comes sooner waits on
    a timer, and several waiting requests cost one draw. ``draw`` returns whether it drew anything (only a
    real draw starts the next interval)."""

    def __init__(self, parent: QObject, draw: Callable[[], bool], next_pass: bool = False):
        """`next_pass`: draw in a later event-loop pass even when due, not at once: a slow panel queues in
        ``PASSES`` and paints in a pass of its own, apart from the result that asked and from the others."""
        self.interval_ms = 0
        self.next_pass = next_pass
        self._draw, self._drawn_at = draw, 0.0
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._due)
        if parent is not None:  # a panel closed while its draw waits in the queue: the draw goes with it
            parent.destroyed.connect(lambda *_: PASSES.discard(self))

    def request(self) -> None:
        wait = self.interval_ms - (time.perf_counter() - self._drawn_at) * 1e3
        if wait > 0:
            if not self._timer.isActive():
                self._timer.start(math.ceil(wait))
        else:
            self._due()

    def _due(self) -> None:
        if self.next_pass:
            PASSES.add(self)
        else:
            self.flush()

    def flush(self) -> None:
        self._timer.stop()
        PASSES.discard(self)
        if self._draw():
            self._drawn_at = time.perf_counter()

    def cancel(self) -> None:
        self._timer.stop()
        PASSES.discard(self)


class DeferredDrawing:
    """Mixin for a QWidget panel with a ``_flush()`` that draws its pending result."""

    def _flush(self) -> None:
        raise NotImplementedError

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._flush()

    def event(self, event) -> bool:
        if event.type() == QEvent.ParentChange and isinstance(self.parentWidget(), QDockWidget):
            # a tab of docks keeps its hidden pages "visible": their dock says when they come to the front
            self.parentWidget().visibilityChanged.connect(self._on_dock_visibility)
        return super().event(event)

    def _on_dock_visibility(self, visible: bool) -> None:
        if visible:
            self._flush()

    def _on_screen(self) -> bool:
        """False for a closed dock, a hidden tab or a window not shown: drawing for nobody is skipped."""
        return self.isVisible() and not self.visibleRegion().isEmpty()
