"""Small building blocks of the lesson pages: labelled text, answer buttons, a scrolling page."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from jepa_explorer.gui import style

MAX_COLUMN_PX = 1150  # at scale 1; the panel scales it with the type


def label(text: str = "", role: str = "body", rich: bool = False) -> QLabel:
    """A word-wrapped label; `role` picks its size in the panel's style sheet (title, heading, body, muted…)."""
    widget = QLabel(text)
    widget.setProperty("role", role)
    widget.setWordWrap(True)
    widget.setTextFormat(Qt.RichText if rich else Qt.PlainText)
    widget.setTextInteractionFlags(Qt.NoTextInteraction)
    widget.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
    return widget


def field(name: str, text: str) -> QLabel:
    """ "Name: text" with the name in the muted colour, as one wrapped paragraph."""
    return label(f"<span style='color:{style.MUTED}'>{html.escape(name)}</span>&nbsp; {html.escape(text)}", rich=True)


def button(text: str, tip: str, slot=None, clip: bool = False) -> QPushButton:
    """A button that never takes the keyboard focus: the panel keeps it, so its keys always reach the panel.
    `clip`: a long label may be cut off in a narrow panel (the tooltip has it all) rather than widen the panel."""
    widget = QPushButton(text)
    widget.setToolTip(tip)
    widget.setFocusPolicy(Qt.NoFocus)
    widget.setProperty("role", "answer")
    widget.setCursor(Qt.PointingHandCursor)
    if clip:  # a button does not wrap its text
        widget.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        widget.setMinimumWidth(widget.fontMetrics().horizontalAdvance(text[:12]) + 24)
    if slot is not None:
        widget.clicked.connect(slot)
    return widget


class Page(QScrollArea):
    """A vertical page that scrolls when the window is small; `body` is the layout to fill."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setFocusPolicy(Qt.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # text wraps; a narrow dock clips long buttons
        outer = QWidget()
        row = QHBoxLayout(outer)  # a centred column: long lines are hard to read on a wide projector
        row.setContentsMargins(0, 0, 0, 0)
        self.column = QWidget()
        self.column.setObjectName("lessonPage")
        self.column.setMaximumWidth(MAX_COLUMN_PX)
        row.addWidget(self.column)
        self.body = QVBoxLayout(self.column)
        self.body.setContentsMargins(24, 16, 24, 16)
        self.body.setSpacing(12)
        self.setWidget(outer)

    def set_column_width(self, pixels: int) -> None:
        self.column.setMaximumWidth(pixels)

    def clear(self) -> None:
        """Remove every widget and spacer of the page (it is rebuilt for each chapter or card)."""
        while self.body.count():
            item = self.body.takeAt(0)
            if item.widget() is not None:
                _delete_widget(item.widget())
            elif item.layout() is not None:
                _delete_layout(item.layout())


def _delete_widget(widget) -> None:
    widget.hide()  # gone from the screen now; Qt frees it at the next turn of the event loop
    widget.setParent(None)
    widget.deleteLater()


def _delete_layout(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            _delete_widget(item.widget())
        elif item.layout() is not None:
            _delete_layout(item.layout())
    layout.deleteLater()
