"""CanvasView: the image with the patch grid, the context/target layers, and the painting tools.

View coordinates are patches (x = column, y = row), so a mouse position maps to a patch by flooring.
The canvas owns the masks being edited and their undo history; every change during a stroke emits
`masksChanged`, which the window turns into a prediction request.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from jepa_explorer.gui import mask_edit, style
from jepa_explorer.gui.mask_edit import Layer, MaskHistory
from jepa_explorer.masks.grid import PatchMasks


class CanvasView(pg.GraphicsView):
    masksChanged = Signal(object)  # PatchMasks, on every edit (also mid-stroke)
    strokeFinished = Signal(object)  # PatchMasks, when the mouse is released
    patchHovered = Signal(int)  # flat patch index (t·H·W + row·W + col, t the shown time step), or -1
    historyChanged = Signal()
    toolChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent, background=style.BACKGROUND)
        self.setMinimumSize(240, 240)
        self.viewbox = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.viewbox.setMouseEnabled(False, False)
        self.viewbox.setDefaultPadding(0.01)
        self.setCentralItem(self.viewbox)
        self.viewport().setMouseTracking(True)
        self.setCursor(Qt.CrossCursor)

        self.image_item = pg.ImageItem()
        # the photo changes only with the input: cache it at screen resolution instead of rescaling per frame
        self.image_item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.overlay_item = pg.ImageItem()
        self.overlay_item.setZValue(5)
        self.grid_item = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(255, 255, 255, 70, width=1))
        self.grid_item.setZValue(6)
        self.grid_item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)  # changes only with the grid or the view size
        self.hover_item = QGraphicsRectItem()
        self.hover_item.setPen(pg.mkPen(255, 255, 120, 230, width=3, cosmetic=True))
        self.hover_item.setZValue(10)
        self.hover_item.hide()
        self.busy_text = pg.TextItem("", color=style.TEXT, anchor=(0.5, 0.5), fill=pg.mkBrush(0, 0, 0, 170))
        self.busy_text.setZValue(20)
        font = QFont()
        font.setPointSize(16)
        self.busy_text.setFont(font)
        for item in (self.image_item, self.overlay_item, self.grid_item, self.hover_item, self.busy_text):
            self.viewbox.addItem(item)
        self._group_labels: list[pg.TextItem] = []

        self.masks = PatchMasks.empty((1, 8, 8))
        self.history = MaskHistory()
        self.layer = Layer.CONTEXT
        self.rect_mode = False
        self.brush_size = 1
        self.current_group = 0
        self.time_step = 0  # the token time step shown and painted on (video; always 0 for images)
        self.paint_span = "all"  # video: paint a tube through "all" steps, on "this" step, or "from" here to the end
        self.grid_pen_width = 1.0
        self._image: np.ndarray | None = None
        self._stroke: dict | None = None
        self._hover = -1
        # redraws are coalesced: several mouse moves between two frames cost one overlay update
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self._redraw)
        self.set_masks(PatchMasks.empty((1, 8, 8)), record=False)

    # ------------------------------------------------------------------ state

    @property
    def stroking(self) -> bool:
        """True between the press and the release of a brush stroke."""
        return self._stroke is not None

    @property
    def grid_hw(self) -> tuple[int, int]:
        return self.masks.grid_shape[1], self.masks.grid_shape[2]

    def set_image(self, rgb: np.ndarray | None) -> None:
        """uint8 [S, S, 3], the square the model sees (any display resolution)."""
        self._image = rgb
        if rgb is None:
            self.image_item.clear()
        else:
            style.show_uint8(self.image_item, rgb)
        self._place_items()

    def set_masks(self, masks: PatchMasks, record: bool = True) -> None:
        """Replace the masks (preset, scene, undo); `record` puts the old state on the undo stack."""
        if record and masks.grid_shape == self.masks.grid_shape:
            self.history.push(self.masks)
        elif masks.grid_shape != self.masks.grid_shape:
            self.history.clear()
        grid_changed = masks.grid_shape != self.masks.grid_shape
        self.masks = masks.copy()
        self.time_step = min(self.time_step, self.masks.grid_shape[0] - 1)
        self.current_group = min(self.current_group, max(0, len(self.masks.targets) - 1))
        if grid_changed:
            self._place_items()
        self._redraw()
        self.historyChanged.emit()
        self.masksChanged.emit(self.masks.copy())

    stage_overlay: np.ndarray | None = None  # uint8 RGBA [T, H, W, 4] replacing the mask layer (step-through)

    def set_stage_overlay(self, rgba: np.ndarray | None) -> None:
        """Show a picture per patch over the image instead of the masks (None: the masks again)."""
        self.stage_overlay = rgba
        self._redraw()

    def set_time_step(self, step: int) -> None:
        """Show (and paint on) token time step `step` of a video grid."""
        step = int(np.clip(step, 0, self.masks.grid_shape[0] - 1))
        if step != self.time_step:
            self.time_step = step
            self._redraw()

    def set_paint_span(self, span: str) -> None:
        if span not in ("all", "this", "from"):
            raise ValueError(f"paint span must be all, this or from, not {span!r}")
        self.paint_span = span
        self.toolChanged.emit()

    def painted_steps(self) -> np.ndarray | None:
        """bool [T] of the steps a stroke writes to, or None for all of them."""
        t_len = self.masks.grid_shape[0]
        if t_len == 1 or self.paint_span == "all":
            return None
        steps = np.zeros(t_len, dtype=bool)
        if self.paint_span == "this":
            steps[self.time_step] = True
        else:
            steps[self.time_step :] = True
        return steps

    def set_layer(self, layer: Layer) -> None:
        self.layer = Layer(layer)
        self.toolChanged.emit()

    def set_rect_mode(self, on: bool) -> None:
        self.rect_mode = bool(on)
        self.toolChanged.emit()

    def set_brush_size(self, size: int) -> None:
        self.brush_size = int(max(1, min(size, max(self.grid_hw))))
        self.toolChanged.emit()

    def set_current_group(self, group: int) -> None:
        if 0 <= group < len(self.masks.targets):
            self.current_group = group
            self.toolChanged.emit()

    def set_busy(self, text: str | None) -> None:
        self.busy_text.setText(text or "")
        self.busy_text.setVisible(bool(text))

    def set_grid_pen_width(self, width: float) -> None:
        self.grid_pen_width = width
        self.grid_item.setPen(pg.mkPen(255, 255, 255, 90, width=width))
        self.hover_item.setPen(pg.mkPen(255, 255, 120, 230, width=2 + 2 * width, cosmetic=True))

    def undo(self) -> None:
        previous = self.history.undo(self.masks)
        if previous is not None:
            self.set_masks(previous, record=False)

    def redo(self) -> None:
        following = self.history.redo(self.masks)
        if following is not None:
            self.set_masks(following, record=False)

    def apply(self, edit) -> None:
        """One undoable whole-mask edit, e.g. `canvas.apply(mask_edit.fill_context)`."""
        self.set_masks(edit(self.masks), record=True)

    def highlight_patch(self, index: int) -> None:
        """Outline patch `index` (flat; its row and column on the shown step), e.g. when it is hovered in
        the PCA panel; -1 hides."""
        style.outline_patch(self.hover_item, index, self.grid_hw)

    # ------------------------------------------------------------------ drawing

    def _place_items(self) -> None:
        height, width = self.grid_hw
        rect = QRectF(0, 0, width, height)
        self.image_item.setRect(rect)
        self.overlay_item.setRect(rect)
        xs, ys = [], []
        for c in range(width + 1):
            xs += [c, c]
            ys += [0, height]
        for r in range(height + 1):
            xs += [0, width]
            ys += [r, r]
        self.grid_item.setData(np.array(xs, float), np.array(ys, float))
        self.busy_text.setPos(width / 2, height / 2)
        self.viewbox.setRange(rect, padding=0.01)

    def _redraw(self) -> None:
        t = self.time_step
        frame_targets = [target[t] for target in self.masks.targets]
        if self.stage_overlay is not None:  # the step-through shows a stage of the loop instead of the masks
            overlay = self.stage_overlay[min(t, len(self.stage_overlay) - 1)]
        else:
            overlay = style.mask_overlay(self.masks.context[t], frame_targets)
        style.show_uint8(self.overlay_item, overlay)
        font = QFont()
        font.setBold(True)
        font.setPointSize(11)
        for k, target in enumerate(frame_targets):
            if k == len(self._group_labels):  # labels are reused: creating items per edit is slow
                label = pg.TextItem("", color=(255, 255, 255), anchor=(0.5, 0.5))
                label.setFont(font)
                label.setZValue(8)
                self.viewbox.addItem(label)
                self._group_labels.append(label)
            label = self._group_labels[k]
            rows, cols = np.nonzero(target)
            label.setVisible(rows.size > 0)
            if rows.size:
                label.setText(str(k + 1))
                label.fill = pg.mkBrush(*style.target_rgb(k), 200)
                label.setPos(cols.min() + 0.5, rows.min() + 0.5)  # top-left patch of the group: never on a neighbour
        for label in self._group_labels[len(frame_targets) :]:
            label.setVisible(False)

    # ------------------------------------------------------------------ mouse

    def _patch_at(self, pos) -> tuple[int, int]:
        point = self.viewbox.mapSceneToView(self.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos))
        return int(np.floor(point.y())), int(np.floor(point.x()))

    def _inside(self, row: int, col: int) -> bool:
        height, width = self.grid_hw
        return 0 <= row < height and 0 <= col < width

    def patch_center(self, row: int, col: int):
        """Widget (viewport) coordinates of a patch centre: what tests and the benchmark click on."""
        scene = self.viewbox.mapViewToScene(QPointF(col + 0.5, row + 0.5))
        return self.mapFromScene(scene)

    def mousePressEvent(self, ev):
        if ev.button() not in (Qt.LeftButton, Qt.RightButton):
            return super().mousePressEvent(ev)
        row, col = self._patch_at(ev.position())
        if not self._inside(row, col):
            return
        layer = Layer.ERASE if ev.button() == Qt.RightButton else self.layer
        base = self.masks.copy()
        group = None
        if layer == Layer.TARGET_NEW or (layer == Layer.TARGET and not base.targets):
            base, group = mask_edit.with_new_group(base)
        elif layer == Layer.TARGET:
            group = min(self.current_group, len(base.targets) - 1)
        self._stroke = {
            "before": self.masks.copy(),
            "base": base,
            "layer": layer,
            "group": group,
            "start": (row, col),
            "last": (row, col),
            "cells": np.zeros(self.grid_hw, bool),
        }
        self._stroke_to(row, col)
        ev.accept()

    def mouseMoveEvent(self, ev):
        row, col = self._patch_at(ev.position())
        if self._stroke is not None:
            self._stroke_to(row, col)
            ev.accept()
            return
        height, width = self.grid_hw
        index = (self.time_step * height + row) * width + col if self._inside(row, col) else -1
        if index != self._hover:
            self._hover = index
            self.highlight_patch(index)
            self.patchHovered.emit(index)
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev):
        if self._stroke is None:
            return super().mouseReleaseEvent(ev)
        stroke, self._stroke = self._stroke, None
        cleaned = self.masks.without_empty_targets()
        if stroke["group"] is not None and stroke["group"] < len(cleaned.targets):
            self.current_group = stroke["group"]
        if cleaned != self.masks:
            self.masks = cleaned
            self._redraw()
            self.masksChanged.emit(self.masks.copy())
        if self.masks != stroke["before"]:
            self.history.push(stroke["before"])
            self.historyChanged.emit()
        self.toolChanged.emit()
        self.strokeFinished.emit(self.masks.copy())
        ev.accept()

    def leaveEvent(self, ev):
        if self._hover != -1:
            self._hover = -1
            self.highlight_patch(-1)
            self.patchHovered.emit(-1)
        super().leaveEvent(ev)

    def _stroke_to(self, row: int, col: int) -> None:
        stroke = self._stroke
        height, width = self.grid_hw
        row_c, col_c = int(np.clip(row, 0, height - 1)), int(np.clip(col, 0, width - 1))
        if self.rect_mode:
            cells = mask_edit.rect_cells(self.grid_hw, stroke["start"], (row_c, col_c))
            stroke["cells"] = cells  # the rectangle replaces itself while dragging
        else:
            if not self._inside(row, col):
                return
            stroke["cells"] = stroke["cells"] | mask_edit.line_cells(self.grid_hw, stroke["last"], (row, col), self.brush_size)
            stroke["last"] = (row, col)
        edited = mask_edit.paint(stroke["base"], stroke["cells"], stroke["layer"], stroke["group"], self.painted_steps())
        if edited != self.masks:
            self.masks = edited
            self._redraw_timer.start()
            self.masksChanged.emit(self.masks.copy())
        self.highlight_patch((self.time_step * height + row_c) * width + col_c)


def legend_entries(masks: PatchMasks) -> list[tuple[str, tuple[int, int, int], int]]:
    """(label, colour, patches) for the legend: context, then each target group."""
    counts = [masks.context] + list(masks.targets)
    return [(*legend_style(i), int(layer.sum())) for i, layer in enumerate(counts)]


def legend_style(index: int) -> tuple[str, tuple[int, int, int]]:
    """(label, colour) of legend entry `index`: 0 the context, k target group k."""
    return ("Context", style.CONTEXT_RGB) if index == 0 else (f"Target {index}", style.target_rgb(index - 1))


def pen(color: QColor, width: float = 1.0) -> QPen:
    return pg.mkPen(color, width=width)
