"""MaskLegend: the colour key of the layers (click a target chip to make it the current group) and the
always-visible mask statistics."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from jepa_explorer.app import mask_edit
from jepa_explorer.gui import style
from jepa_explorer.gui.steady_text import SteadyText
from jepa_explorer.masks.grid import PatchMasks

PREMADE_CHIPS = 6  # context + 5 target groups
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" for a widget's size


def legend_entries(masks: PatchMasks) -> list[tuple[str, tuple[int, int, int], int]]:
    """(label, colour, patches) for the legend: context, then each target group."""
    counts = [masks.context] + list(masks.targets)
    return [(*legend_style(i), int(layer.sum())) for i, layer in enumerate(counts)]


def legend_style(index: int) -> tuple[str, tuple[int, int, int]]:
    """(label, colour) of legend entry `index`: 0 the context, k target group k."""
    return ("Context", style.CONTEXT_RGB) if index == 0 else (f"Target {index}", style.target_rgb(index - 1))


class MaskLegend(QWidget):
    groupSelected = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        # counts change with every patch a stroke paints: if the text widths reached the window's layout,
        # each edit would re-lay out and repaint every dock (the longest UI stalls, measured); the legend
        # takes the width it is given instead
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        self._chips_row = QHBoxLayout()
        self._chips_row.setSpacing(2)
        self._chips_row.addStretch(1)
        layout.addLayout(self._chips_row)
        self.stats_label = SteadyText(template="Context 100% (4096 patches)  ·  Targets 4096 patches in 6 groups  ·  grid 64×64")
        self.stats_label.setObjectName("maskStats")
        self.hint_label = QLabel()
        self.hint_label.setStyleSheet(f"color: {style.WARN};")
        layout.addWidget(self.stats_label)
        layout.addWidget(self.hint_label)
        self._chips: list[QToolButton] = []
        self._chips_fit = None  # (count digits, font) the chips' fixed sizes were measured for
        # made up front, hidden: creating a chip mid-stroke (a new target group) polished a new button and
        # re-laid out the window in the same pass as a prediction (a part of the longest stall)
        self._ensure_chips(PREMADE_CHIPS)
        for i, chip in enumerate(self._chips):
            chip.setVisible(False)
            # polish it and render its icon and text once now, not on its first show (slow, mid-stroke)
            chip.setText(f"{legend_style(i)[0]} (0)")
            chip.ensurePolished()
            chip.sizeHint()

    def bind(self, app) -> None:
        """Follow the app model's masks (once per pass) and current group; a chip click picks a group."""
        app.events.masks_settled.connect(lambda masks: self.update_masks(masks, app.current_group))
        app.events.tool.connect(lambda: self.update_masks(app.masks, app.current_group))
        self.groupSelected.connect(app.select_group)

    def update_masks(self, masks: PatchMasks, current_group: int) -> None:
        entries = legend_entries(masks)
        self._ensure_chips(len(entries))
        self._fit_chips(len(str(masks.context.size)))
        for i, chip in enumerate(self._chips):
            visible = i < len(entries)
            if chip.isVisibleTo(self) != visible:
                chip.setVisible(visible)
            if not visible:
                continue
            label, rgb, count = entries[i]
            self._style_chip(chip, i, label, rgb)
            text = f"{label} ({count})"
            if chip.text() != text:
                chip.setText(text)
            checked = i >= 1 and i - 1 == current_group
            if chip.isChecked() != checked:
                chip.setChecked(checked)
        stats = mask_edit.describe(masks)
        if self.stats_label.text() != stats:
            self.stats_label.setText(stats)
        hint = mask_edit.problem(masks) or ""
        if self.hint_label.text() != hint:
            self.hint_label.setText(hint)
        if self.hint_label.isVisibleTo(self) != bool(hint):
            self.hint_label.setVisible(bool(hint))

    def _style_chip(self, chip: QToolButton, i: int, label: str, rgb) -> None:
        if chip.property("rgb") != rgb:  # a new icon per update is slow: the colour of chip i never changes
            chip.setProperty("rgb", rgb)
            chip.setIcon(style.color_icon(rgb, 14))
            chip.setToolTip(
                "Context: what the encoder sees"
                if i == 0
                else f"Target group {i}: predicted in its own sequence; click to paint into it with G"
            )

    def _ensure_chips(self, count: int) -> None:
        while len(self._chips) < count:
            chip = QToolButton()
            chip.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            chip.setCheckable(True)
            chip.setAutoRaise(True)
            index = len(self._chips)
            self._style_chip(chip, index, *legend_style(index))
            chip.clicked.connect(lambda _=False, i=index: self._chip_clicked(i))
            self._chips_row.insertWidget(len(self._chips), chip)
            self._chips.append(chip)
            self._chips_fit = None  # the new chip is measured with the next update

    def _fit_chips(self, digits: int) -> None:
        """Each chip as wide as its label with the largest count the grid allows, fixed: a count that grows
        with every patch of a stroke then changes no geometry (a fixed-size widget's new text stops at it)."""
        key = (digits, self._chips[0].font().key())
        if key == self._chips_fit:
            return
        self._chips_fit = key
        for i, chip in enumerate(self._chips):
            shown = chip.text()
            chip.setMinimumSize(0, 0)
            chip.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
            chip.setText(f"{legend_style(i)[0]} ({'8' * digits})")
            chip.ensurePolished()  # measured in the style sheet's font, not the default one
            size = chip.sizeHint()
            chip.setText(shown)
            chip.setFixedSize(size)

    def refresh_fonts(self) -> None:
        """Measure the chips again (call after the application font changes, as presentation mode does)."""
        if self._chips_fit is not None:
            digits, self._chips_fit = self._chips_fit[0], None
            self._fit_chips(digits)

    def _chip_clicked(self, index: int) -> None:
        if index >= 1:
            self.groupSelected.emit(index - 1)
