"""MaskLegend: the colour key of the layers (click a target chip to make it the current group) and the
always-visible mask statistics."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from jepa_explorer.gui import mask_edit, style
from jepa_explorer.gui.canvas import legend_entries
from jepa_explorer.masks.grid import PatchMasks


class MaskLegend(QWidget):
    groupSelected = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        self._chips_row = QHBoxLayout()
        self._chips_row.setSpacing(2)
        self._chips_row.addStretch(1)
        layout.addLayout(self._chips_row)
        self.stats_label = QLabel()
        self.stats_label.setObjectName("maskStats")
        self.hint_label = QLabel()
        self.hint_label.setStyleSheet(f"color: {style.WARN};")
        layout.addWidget(self.stats_label)
        layout.addWidget(self.hint_label)
        self._chips: list[QToolButton] = []

    def update_masks(self, masks: PatchMasks, current_group: int) -> None:
        entries = legend_entries(masks)
        while len(self._chips) < len(entries):
            chip = QToolButton()
            chip.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            chip.setCheckable(True)
            chip.setAutoRaise(True)
            index = len(self._chips)
            chip.clicked.connect(lambda _=False, i=index: self._chip_clicked(i))
            self._chips_row.insertWidget(len(self._chips), chip)
            self._chips.append(chip)
        for i, chip in enumerate(self._chips):
            visible = i < len(entries)
            chip.setVisible(visible)
            if not visible:
                continue
            label, rgb, count = entries[i]
            chip.setIcon(style.color_icon(rgb, 14))
            chip.setText(f"{label} ({count})")
            chip.setChecked(i >= 1 and i - 1 == current_group)
            chip.setToolTip(
                "Context: what the encoder sees"
                if i == 0
                else f"Target group {i}: predicted in its own sequence; click to paint into it with G"
            )
        self.stats_label.setText(mask_edit.describe(masks))
        hint = mask_edit.problem(masks)
        self.hint_label.setText(hint or "")
        self.hint_label.setVisible(bool(hint))

    def _chip_clicked(self, index: int) -> None:
        if index >= 1:
            self.groupSelected.emit(index - 1)
