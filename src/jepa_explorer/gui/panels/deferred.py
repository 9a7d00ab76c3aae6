"""Panels that draw only when someone can see them, and no more often than they are asked to.

A dock that is closed, a tab behind another tab, or a window not yet shown gets no drawing: the panel
keeps the latest result and draws it (``_flush``) when it comes to the front. ``RateLimit`` spaces a
panel's redraws (fewer during a brush stroke), the latest request winning.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDockWidget


class RateLimit:
    """Calls ``draw()`` at most once per ``interval_ms`` (0: no limit); a request that comes sooner waits on
    a timer, and several waiting requests cost one draw. ``draw`` returns whether it drew anything (only a
    real draw starts the next interval)."""

    def __init__(self, parent: QObject, draw: Callable[[], bool], next_pass: bool = False):
        """`next_pass`: draw on the next event-loop pass even when due, not at once (a slow panel then
        paints in a pass of its own, apart from the others)."""
        self.interval_ms = 0
        self._draw, self._next_pass, self._drawn_at = draw, next_pass, 0.0
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)

    def request(self) -> None:
        wait = self.interval_ms - (time.perf_counter() - self._drawn_at) * 1e3
        if wait <= 0 and not self._next_pass:
            self.flush()
        elif not self._timer.isActive():
            self._timer.start(max(0, math.ceil(wait)))

    def flush(self) -> None:
        self._timer.stop()
        if self._draw():
            self._drawn_at = time.perf_counter()

    def cancel(self) -> None:
        self._timer.stop()


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
