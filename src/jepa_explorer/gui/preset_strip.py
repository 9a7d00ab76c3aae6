"""PresetStrip: the mask presets as one-click buttons, as many as the toolbar has room for, the rest under
"More ▾".

Qt's own toolbar overflow hides whatever does not fit behind a small "»" that nobody finds on a projector; a
strip that knows its width keeps the first presets one click away and names the menu that holds the others.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QMenu, QSizePolicy, QToolButton, QWidget


class PresetStrip(QWidget):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None):
        super().__init__(parent)
        self.actions_ = list(actions)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.buttons: list[QToolButton] = []
        for action in self.actions_:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            layout.addWidget(button)
            self.buttons.append(button)
        self.more_menu = QMenu(self)
        self.more = QToolButton()
        self.more.setText("More ▾")
        self.more.setToolTip("The presets that do not fit here (keys 1-9 reach every preset)")
        self.more.setMenu(self.more_menu)
        self.more.setPopupMode(QToolButton.InstantPopup)
        self.more.setAutoRaise(True)
        layout.addWidget(self.more)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Preferred)
        self.fit(None)

    def full_width(self) -> int:
        """The width with every preset shown and no menu."""
        spacing = self.layout().spacing()
        return sum(b.sizeHint().width() for b in self.buttons) + spacing * (len(self.buttons) - 1)

    def fit(self, width: int | None) -> int:
        """Show the presets that fit in `width` px (None: all), the others under "More ▾"; returns how many
        are shown."""
        spacing = self.layout().spacing()
        shown = len(self.buttons)
        if width is not None and self.full_width() > width:
            room = width - self.more.sizeHint().width() - spacing
            shown, used = 0, 0
            for button in self.buttons:
                need = button.sizeHint().width() + (spacing if shown else 0)
                if used + need > room:
                    break
                used, shown = used + need, shown + 1
        for i, button in enumerate(self.buttons):
            button.setVisible(i < shown)
        self.more_menu.clear()
        for action in self.actions_[shown:]:
            self.more_menu.addAction(action)
        self.more.setVisible(shown < len(self.buttons))
        self.updateGeometry()
        return shown

    def hidden_actions(self) -> list[QAction]:
        return list(self.more_menu.actions()) if self.more.isVisibleTo(self) else []
