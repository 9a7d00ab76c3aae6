"""What a mode (presentation, step-through) changes in the window's layout, saved before and put back
after, so that leaving the mode leaves no trace: the window's geometry and full-screen state, the docks'
and toolbars' visibility and sizes (QMainWindow.saveState), the menu bar, the dock titles, the font."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QRect, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMainWindow


@dataclass
class LayoutSnapshot:
    geometry: QByteArray
    rect: QRect  # the window's own geometry: restoreGeometry fits a window to the screen, this does not
    window_state: Qt.WindowState
    state: QByteArray
    menu_visible: bool
    dock_titles: dict[str, str]
    dock_visible: dict[str, bool]

    @classmethod
    def take(cls, window: QMainWindow, docks: dict) -> LayoutSnapshot:
        return cls(
            window.saveGeometry(),
            QRect(window.geometry()),
            window.windowState(),
            window.saveState(),
            window.menuBar().isVisible() or window.menuBar().isVisibleTo(window),
            {key: dock.windowTitle() for key, dock in docks.items()},
            {key: dock.isVisibleTo(window) for key, dock in docks.items()},
        )

    def restore(self, window: QMainWindow, docks: dict, geometry: bool = True) -> None:
        """Put the layout back; `geometry`: the window's size, place and full-screen state too."""
        for key, title in self.dock_titles.items():
            docks[key].setWindowTitle(title)
        if geometry:
            window.menuBar().setVisible(self.menu_visible)
            if window.isFullScreen():
                window.showNormal()
            window.restoreGeometry(self.geometry)
            window.setWindowState(self.window_state)
            if not self.window_state & (Qt.WindowFullScreen | Qt.WindowMaximized):
                window.setGeometry(self.rect)
        window.restoreState(self.state)
        for key, visible in self.dock_visible.items():  # restoreState skips docks it saved as tabs behind others
            if docks[key].isVisibleTo(window) != visible:
                docks[key].setVisible(visible)


@dataclass
class FontSnapshot:
    """The application font and style sheet (presentation mode enlarges both; see style.set_font_scale)."""

    font: QFont
    style_sheet: str

    @classmethod
    def take(cls) -> FontSnapshot:
        app = QApplication.instance()
        return cls(QFont(app.font()), app.styleSheet())

    def restore(self) -> None:
        app = QApplication.instance()
        app.setStyleSheet(self.style_sheet)
        app.setFont(self.font)
