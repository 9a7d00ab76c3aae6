"""The "?" button every panel carries: a click opens a short explanation of what the panel shows and how to
read it, in a popup that closes with the next click anywhere (a learner's aid; nothing modal)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFrame, QLabel, QToolButton, QVBoxLayout, QWidget

from jepa_explorer.gui import style

POPUP_WIDTH = 420  # px: a readable measure of text


class ExplainPopup(QFrame):
    def __init__(self, title: str, html_text: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.Popup)
        self.setObjectName("explainer")
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet(f"QFrame#explainer {{ background: {style.PANEL}; border: 1px solid #5aa0ff; border-radius: 6px; }}")
        self.label = QLabel(f"<b>{title}</b><br>{html_text}")
        self.label.setTextFormat(Qt.RichText)
        self.label.setWordWrap(True)
        self.label.setFixedWidth(POPUP_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.label)

    def text(self) -> str:
        return self.label.text()


class ExplainButton(QToolButton):
    """A "?" that shows `html_text` under itself."""

    def __init__(self, title: str, html_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setText("?")
        self.setObjectName("explainButton")
        self.setToolTip(f"What is this? ({title})")
        self.setStyleSheet(
            "QToolButton#explainButton { font-weight: bold; border: 1px solid #5aa0ff; border-radius: 9px; padding: 0px 6px; }"
        )
        self.popup = ExplainPopup(title, html_text, self)
        self.clicked.connect(self.show_popup)

    def show_popup(self) -> None:
        self.popup.adjustSize()
        where = self.mapToGlobal(QPoint(0, self.height()))
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None:  # stay on screen: right-aligned under the button when it sits on the right edge
            where.setX(max(screen.left(), min(where.x(), screen.right() - self.popup.width())))
            where.setY(min(where.y(), screen.bottom() - self.popup.height()))
        self.popup.move(where)
        self.popup.show()
