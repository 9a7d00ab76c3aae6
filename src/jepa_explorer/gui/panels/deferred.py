"""Panels that draw only when someone can see them.

A dock that is closed, a tab behind another tab, or a window not yet shown gets no drawing: the panel
keeps the latest result and draws it (``_flush``) when it comes to the front.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDockWidget


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
