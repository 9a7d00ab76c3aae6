"""CanvasView: the image with the patch grid, the context/target layers, and the painting tools.

View coordinates are patches (x = column, y = row), so a mouse position maps to a patch by flooring.
The masks, the tools and the undo history live in the app model: the canvas draws what the model holds
(listening to its events) and turns mouse presses, moves and releases into the model's stroke intents.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from jepa_explorer.app.model import AppModel
from jepa_explorer.gui import style
from jepa_explorer.masks.grid import PatchMasks


class CanvasView(pg.GraphicsView):
    patchHovered = Signal(int)  # flat patch index (t·H·W + row·W + col, t the shown time step), or -1

    def __init__(self, app: AppModel, parent=None):
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

        self.app = app
        self.grid_pen_width = 1.0
        self._image: np.ndarray | None = None
        self._grid: tuple | None = None  # the grid the items are placed for
        self._hover = -1
        # redraws are coalesced: several mouse moves between two frames cost one overlay update
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self._redraw)
        self._on_masks(app.masks)
        app.events.masks.connect(self._on_masks)
        app.events.input.connect(lambda _input: self._show_step())
        app.events.time_step.connect(lambda _step: self._show_step())
        app.events.notice.connect(self.set_busy)

    # ------------------------------------------------------------------ state

    @property
    def grid_hw(self) -> tuple[int, int]:
        return self.app.grid_hw

    def _on_masks(self, masks: PatchMasks) -> None:
        if masks.grid_shape != self._grid:
            self._grid = masks.grid_shape
            self._place_items()
            self._redraw()
        elif self.app.stroking:
            self._redraw_timer.start()  # several moves between two frames cost one overlay update
        else:
            self._redraw()

    def _show_step(self) -> None:
        """The input's picture of the shown time step, and that step's masks."""
        self.set_image(self.app.display_square)
        self._redraw()

    def set_image(self, rgb: np.ndarray | None) -> None:
        """uint8 [S, S, 3], the square the model sees (any display resolution)."""
        self._image = rgb
        if rgb is None:
            self.image_item.clear()
        else:
            style.show_uint8(self.image_item, rgb)
        self._place_items()

    stage_overlay: np.ndarray | None = None  # uint8 RGBA [T, H, W, 4] replacing the mask layer (step-through)

    def set_stage_overlay(self, rgba: np.ndarray | None) -> None:
        """Show a picture per patch over the image instead of the masks (None: the masks again)."""
        self.stage_overlay = rgba
        self._redraw()

    def set_busy(self, text: str | None) -> None:
        self.busy_text.setText(text or "")
        self.busy_text.setVisible(bool(text))

    def set_grid_pen_width(self, width: float) -> None:
        self.grid_pen_width = width
        self.grid_item.setPen(pg.mkPen(255, 255, 255, 90, width=width))
        self.hover_item.setPen(pg.mkPen(255, 255, 120, 230, width=2 + 2 * width, cosmetic=True))

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
        masks = self.app.masks
        t = min(self.app.time_step, masks.grid_shape[0] - 1)
        frame_targets = [target[t] for target in masks.targets]
        if self.stage_overlay is not None:  # the step-through shows a stage of the loop instead of the masks
            overlay = self.stage_overlay[min(t, len(self.stage_overlay) - 1)]
        else:
            overlay = style.mask_overlay(masks.context[t], frame_targets)
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

    def patch_center(self, row: int, col: int):
        """Widget (viewport) coordinates of a patch centre: what tests and the benchmark click on."""
        scene = self.viewbox.mapViewToScene(QPointF(col + 0.5, row + 0.5))
        return self.mapFromScene(scene)

    def mousePressEvent(self, ev):
        if ev.button() not in (Qt.LeftButton, Qt.RightButton):
            return super().mousePressEvent(ev)
        row, col = self._patch_at(ev.position())
        if self.app.begin_stroke(row, col, erase=ev.button() == Qt.RightButton):
            self._outline(row, col)
            ev.accept()

    def mouseMoveEvent(self, ev):
        row, col = self._patch_at(ev.position())
        if self.app.stroking:
            self.app.stroke_to(row, col)
            self._outline(row, col)
            ev.accept()
            return
        height, width = self.grid_hw
        index = (self.app.time_step * height + row) * width + col if self.app.inside(row, col) else -1
        if index != self._hover:
            self._hover = index
            self.highlight_patch(index)
            self.patchHovered.emit(index)
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev):
        if not self.app.stroking:
            return super().mouseReleaseEvent(ev)
        self.app.end_stroke()
        ev.accept()

    def leaveEvent(self, ev):
        if self._hover != -1:
            self._hover = -1
            self.highlight_patch(-1)
            self.patchHovered.emit(-1)
        super().leaveEvent(ev)

    @property
    def hovered(self) -> int:
        """The flat index of the patch under the mouse, or -1."""
        return self._hover

    def _outline(self, row: int, col: int) -> None:
        """Outline the patch the brush is on (clipped to the grid)."""
        height, width = self.grid_hw
        row, col = int(np.clip(row, 0, height - 1)), int(np.clip(col, 0, width - 1))
        self.highlight_patch((self.app.time_step * height + row) * width + col)
