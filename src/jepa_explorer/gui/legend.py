"""MaskLegend: the colour key of the layers (click a target chip to make it the current group), the hatched
"not used" patches, the always-visible mask statistics, and the canvas's view controls (mask opacity, the
feature overlay and its opacity, fit to window)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QSlider, QToolButton, QVBoxLayout, QWidget

from jepa_explorer.app import mask_edit
from jepa_explorer.gui import style
from jepa_explorer.gui.panels.explain import ExplainButton
from jepa_explorer.gui.steady_text import SteadyText
from jepa_explorer.masks.grid import PatchMasks

CHIP_STYLE = "QToolButton { padding: 2px 2px; }"  # tighter than the toolbar's buttons: six chips share a row
PREMADE_CHIPS = 6  # context + 5 target groups
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" for a widget's size


def legend_entries(masks: PatchMasks) -> list[tuple[str, tuple[int, int, int], int]]:
    """(label, colour, patches) for the legend: context, then each target group."""
    counts = [masks.context] + list(masks.targets)
    return [(*legend_style(i), int(layer.sum())) for i, layer in enumerate(counts)]


def unused_count(masks: PatchMasks) -> int:
    """Patches that are neither context nor target (all time steps)."""
    return int(masks.context.size - (masks.context | masks.target_union).sum())


def hatch_icon(size: int = 14) -> QIcon:
    """The swatch of the "not used" patches: the canvas's hatch on the image's dark."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(60, 62, 70))
    painter = QPainter(pixmap)
    painter.fillRect(0, 0, size, size, QBrush(QColor(230, 230, 235), Qt.BDiagPattern))
    painter.end()
    return QIcon(pixmap)


CANVAS_HELP = (
    "The picture is cut into patches. <b>Context</b> (blue) is what the context encoder sees; each "
    "<b>target</b> group (outlined, numbered) is predicted from the context alone; <b>hatched</b> patches are "
    "not used at all.<br><br><b>Zoom</b>: mouse wheel; <b>pan</b>: middle button or Shift+drag; <b>0</b> fits "
    "the picture again.<br><b>Masks</b> slider: fade the masks to see the picture (key O).<br><b>Overlay</b>: "
    "<i>PCA colours</i> paints each patch in the colour of its actual embedding (RGB = its first three principal "
    "components): patches the encoder finds alike get alike colours. <i>Similarity</i>: Ctrl+click a patch to "
    "see how alike every patch's embedding is to it (cosine similarity; bright = alike), as in the DINOv2 demos."
)


def short_label(index: int) -> str:
    """The chip's label where the full ones do not fit side by side (a narrow canvas column)."""
    return "Ctx" if index == 0 else f"T{index}"


def chip_text(index: int | None, count, compact: bool) -> str:
    """A chip's text: "Target 1 (9)", or compact "T1 9"; index None is the "not used" chip."""
    if index is None:  # compact: the hatched icon and the count (its tooltip names it)
        return f"{count}" if compact else f"Not used ({count})"
    return f"{short_label(index)} {count}" if compact else f"{legend_style(index)[0]} ({count})"


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
        self.unused_chip = QToolButton()  # the hatched "not used" patches: a key, not a layer to paint
        self.unused_chip.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.unused_chip.setAutoRaise(True)
        self.unused_chip.setStyleSheet(CHIP_STYLE)
        self.unused_chip.setIcon(hatch_icon())
        self.unused_chip.setText("Not used (0)")
        self.unused_chip.setToolTip("Hatched on the canvas: patches that are neither context nor target (the model ignores them)")
        self._chips_row.insertWidget(0, self.unused_chip)  # after the chips (they are inserted before it)
        layout.insertLayout(1, self._build_view_row())  # under the chips, above the statistics
        self._chips: list[QToolButton] = []
        self._chips_fit = None  # (count digits, font, compact) the chips' fixed sizes were measured for
        self._counts: list[int] = []
        self.compact = False  # short chip labels ("T1 (9)"): the full ones do not fit the width
        self._full_widths: list[int] = []  # each chip's width with its full label
        # made up front, hidden: creating a chip mid-stroke (a new target group) polished a new button and
        # re-laid out the window in the same pass as a prediction (a part of the longest stall)
        self._ensure_chips(PREMADE_CHIPS)
        for i, chip in enumerate(self._chips):
            chip.setVisible(False)
            # polish it and render its icon and text once now, not on its first show (slow, mid-stroke)
            chip.setText(f"{legend_style(i)[0]} (0)")
            chip.ensurePolished()
            chip.sizeHint()

    def _build_view_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        self.mask_slider = self._slider(100, "Masks' opacity: fade them to see the picture beneath (O steps it)")
        self.overlay_box = QComboBox()
        from jepa_explorer.gui.canvas import FEATURE_MODES

        for key, (label, tip) in FEATURE_MODES.items():
            self.overlay_box.addItem(label, key)
            self.overlay_box.setItemData(self.overlay_box.count() - 1, tip, Qt.ToolTipRole)
        self.overlay_box.setToolTip(
            "Overlay the actual embeddings on the picture: their PCA colours, or the similarity to a Ctrl+clicked patch (V)"
        )
        self.overlay_slider = self._slider(60, "The overlay's opacity")
        self.fit_button = QToolButton()
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Show the whole picture again after a zoom (0)")
        self.explain = ExplainButton("The canvas", CANVAS_HELP)
        for widget in (QLabel("Masks"), self.mask_slider, QLabel("Overlay"), self.overlay_box, self.overlay_slider):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.fit_button)
        row.addWidget(self.explain)
        return row

    @staticmethod
    def _slider(value: int, tip: str) -> QSlider:
        slider = QSlider(Qt.Horizontal)
        slider.setRange(0, 100)
        slider.setValue(value)
        slider.setMinimumWidth(40)
        slider.setMaximumWidth(110)
        slider.setToolTip(tip)
        return slider

    def bind_canvas(self, canvas) -> None:
        """The view controls drive the canvas's view settings and follow them (keys, Ctrl+click)."""
        self.mask_slider.valueChanged.connect(lambda v: canvas.set_mask_opacity(v / 100))
        self.overlay_slider.valueChanged.connect(lambda v: canvas.set_feature_opacity(v / 100))
        self.overlay_box.currentIndexChanged.connect(lambda i: canvas.set_feature_mode(self.overlay_box.itemData(i)))
        self.fit_button.clicked.connect(canvas.reset_zoom)

        def follow() -> None:
            for widget, value in ((self.mask_slider, round(canvas.mask_opacity * 100)),
                                  (self.overlay_slider, round(canvas.feature_opacity * 100)),
                                  (self.overlay_box, self.overlay_box.findData(canvas.feature_mode))):  # fmt: skip
                setter = widget.setCurrentIndex if widget is self.overlay_box else widget.setValue
                current = widget.currentIndex() if widget is self.overlay_box else widget.value()
                if current != value:
                    widget.blockSignals(True)
                    setter(value)
                    widget.blockSignals(False)

        canvas.viewChanged.connect(follow)

    def bind(self, app) -> None:
        """Follow the app model's masks (once per pass) and current group; a chip click picks a group."""
        app.events.masks_settled.connect(lambda masks: self.update_masks(masks, app.current_group))
        app.events.tool.connect(lambda: self.update_masks(app.masks, app.current_group))
        self.groupSelected.connect(app.select_group)

    def update_masks(self, masks: PatchMasks, current_group: int) -> None:
        entries = legend_entries(masks)
        self._ensure_chips(len(entries))
        # every chip's count, the unused chip's last: what a switch between full and short labels writes again
        self._counts = [entry[2] for entry in entries] + [0] * (len(self._chips) - len(entries)) + [unused_count(masks)]
        self._fit_chips(len(str(masks.context.size)))
        for i, chip in enumerate(self._chips):
            visible = i < len(entries)
            if chip.isVisibleTo(self) != visible:
                chip.setVisible(visible)
                self._compact_due = True
            if not visible:
                continue
            label, rgb, count = entries[i]
            self._style_chip(chip, i, label, rgb)
            text = chip_text(i, count, self.compact)
            if chip.text() != text:
                chip.setText(text)
            checked = i >= 1 and i - 1 == current_group
            if chip.isChecked() != checked:
                chip.setChecked(checked)
        if getattr(self, "_compact_due", False):  # another number of groups: do the full labels still fit?
            self._compact_due = False
            self._choose_labels()
        unused = chip_text(None, self._counts[-1], self.compact)
        if self.unused_chip.text() != unused:
            self.unused_chip.setText(unused)
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
            chip.setStyleSheet(CHIP_STYLE)
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
        key = (digits, self._chips[0].font().key(), self.compact)
        if key == self._chips_fit:
            return
        self._chips_fit = key
        self._full_widths = []
        for i, chip in enumerate(self._chips):
            shown = chip.text()
            chip.setMinimumSize(0, 0)
            chip.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
            chip.ensurePolished()  # measured in the style sheet's font, not the default one
            chip.setText(chip_text(i, "8" * digits, False))
            size = chip.sizeHint()
            self._full_widths.append(size.width())
            if self.compact:
                chip.setText(chip_text(i, "8" * digits, True))
                size = chip.sizeHint()
            chip.setText(shown)
            chip.setFixedSize(size)
        shown = self.unused_chip.text()
        self.unused_chip.setMinimumSize(0, 0)
        self.unused_chip.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
        self.unused_chip.ensurePolished()
        self.unused_chip.setText(chip_text(None, "8" * digits, False))
        size = self.unused_chip.sizeHint()
        self._full_widths.append(size.width())
        if self.compact:
            self.unused_chip.setText(chip_text(None, "8" * digits, True))
            size = self.unused_chip.sizeHint()
        self.unused_chip.setText(shown)
        self.unused_chip.setFixedSize(size)

    def refresh_fonts(self) -> None:
        """Measure the chips again (call after the application font changes, as presentation mode does)."""
        if self._chips_fit is not None:
            digits, self._chips_fit = self._chips_fit[0], None
            self._fit_chips(digits)
            self._choose_labels()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._choose_labels()

    def _choose_labels(self) -> None:
        """Full chip labels when they fit side by side, short ones ("T1 (9)") when they do not."""
        if self._chips_fit is None or not self._full_widths:
            return
        chips = [*self._chips, self.unused_chip]  # _full_widths: the chips', then the unused chip's
        shown = [w for w, chip in zip(self._full_widths, chips) if chip.isVisibleTo(self) or chip is self.unused_chip]
        compact = sum(shown) + self._chips_row.spacing() * len(shown) + 12 > self.width()
        if compact != self.compact:
            self.compact = compact
            digits, self._chips_fit = self._chips_fit[0], None
            self._fit_chips(digits)
            counts = self._counts
            for i, (chip, count) in enumerate(zip([*self._chips, self.unused_chip], counts)):
                chip.setText(chip_text(None if chip is self.unused_chip else i, count, compact))

    def _chip_clicked(self, index: int) -> None:
        if index >= 1:
            self.groupSelected.emit(index - 1)
