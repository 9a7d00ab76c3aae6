"""CanvasView: the image with the patch grid, the context/target layers, and the painting tools.

View coordinates are patches (x = column, y = row), so a mouse position maps to a patch by flooring.
The masks, the tools and the undo history live in the app model: the canvas draws what the model holds
(listening to its events) and turns mouse presses, moves and releases into the model's stroke intents.

View-only state lives here: zoom and pan (wheel; middle button or Shift+drag; ``reset_zoom``), the masks'
opacity, and a feature overlay of the input's actual embeddings (its PCA colours, or the cosine similarity
of one Ctrl+clicked patch with every other, as in the DINOv2 feature demos) at its own opacity. Patches that
are neither context nor target are hatched ("not used"); each target group is outlined in its colour so
overlapping groups read, its number on a patch of its own.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem

from jepa_explorer.analysis.feature_maps import (
    cosine_similarity_map,
    grid_frame,
    pca_colour_map,
    similarity_levels,
    similarity_rgba,
)
from jepa_explorer.app.model import AppModel
from jepa_explorer.gui import style
from jepa_explorer.masks.grid import PatchMasks

FEATURE_MODES = {  # key: (label, tooltip)
    "off": ("None", "Only the image and the masks"),
    "pca": ("PCA colours", "Each patch in the colour of its actual embedding (RGB = PC 1-3): alike patches, alike colours"),
    "similarity": (
        "Similarity",
        "Ctrl+click a patch: how alike every patch's actual embedding is to it (cosine; "
        "bright = most alike, dark = least, scaled to this picture's range)",
    ),
}
SIMILARITY_COLORMAP = "viridis"
ZOOM_STEP = 1.0015  # per wheel unit (one notch = 120): a notch zooms by ~20%
UNUSED_RGBA = (230, 230, 235, 120)  # the hatch of the patches that are neither context nor target


def run_cells(cells: np.ndarray) -> list[tuple[int, int, int]]:
    """(row, first col, last col + 1) for each horizontal run of True cells in a bool [H, W] grid: a few
    rectangles instead of one per cell."""
    cells = np.asarray(cells, bool)
    padded = np.pad(cells, ((0, 0), (1, 1))).astype(np.int8)
    change = np.diff(padded, axis=1)  # +1 where a run starts, -1 one past where it ends
    start_rows, starts = np.nonzero(change == 1)
    _, ends = np.nonzero(change == -1)  # row-major order: the i-th end closes the i-th start
    return list(zip(start_rows.tolist(), starts.tolist(), ends.tolist()))


def outline_segments(cells: np.ndarray) -> np.ndarray:
    """float [2K, 2]: the K unit edges (pairs of points, x = column, y = row) between the cells of a bool
    [H, W] region and the cells outside it: its outline, holes included."""
    cells = np.pad(np.asarray(cells, bool), 1)
    # vectorised: a stroke on a 64×64 grid redraws thousands of edges per mouse move
    rows, cols = np.nonzero(cells[1:, 1:-1] != cells[:-1, 1:-1])  # horizontal edges at y = row
    horizontal = np.stack([cols, rows, cols + 1, rows], axis=1)
    rows, cols = np.nonzero(cells[1:-1, 1:] != cells[1:-1, :-1])  # vertical edges at x = col
    vertical = np.stack([cols, rows, cols, rows + 1], axis=1)
    return np.concatenate([horizontal, vertical]).astype(float).reshape(-1, 2)


def label_cell(target: np.ndarray, taken: set) -> tuple[int, int] | None:
    """The (row, col) for a group's number: its top-left patch that no earlier label holds (reading order)."""
    rows, cols = np.nonzero(target)
    for cell in zip(rows.tolist(), cols.tolist()):
        if cell not in taken:
            return cell
    return (int(rows[0]), int(cols[0])) if rows.size else None


class CanvasView(pg.GraphicsView):
    patchHovered = Signal(int)  # flat patch index (t·H·W + row·W + col, t the shown time step), or -1
    viewChanged = Signal()  # a view setting changed (opacity, overlay, similarity patch): the controls follow

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
        self.feature_item = pg.ImageItem()  # the PCA-colour or similarity map of the actual embeddings
        self.feature_item.setZValue(3)
        self.feature_item.hide()
        self.overlay_item = pg.ImageItem()
        self.overlay_item.setZValue(5)
        self.hatch_item = QGraphicsPathItem()  # "not used": neither context nor target
        self.hatch_item.setPen(pg.mkPen(None))
        # a Qt pattern brush is cosmetic: the stripes keep their spacing on screen whatever the zoom
        self.hatch_item.setBrush(QBrush(QColor(*UNUSED_RGBA), Qt.BDiagPattern))
        self.hatch_item.setZValue(5.5)
        self.similarity_marker = QGraphicsRectItem()  # the patch the similarity map is of
        self.similarity_marker.setPen(pg.mkPen(255, 255, 255, 255, width=3, cosmetic=True, style=Qt.DashLine))
        self.similarity_marker.setZValue(11)
        self.similarity_marker.hide()
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
        items = (self.image_item, self.feature_item, self.overlay_item, self.hatch_item, self.grid_item, self.hover_item,
                 self.similarity_marker, self.busy_text)  # fmt: skip
        for item in items:
            self.viewbox.addItem(item)
        self._group_labels: list[pg.TextItem] = []
        self._group_outlines: list[QGraphicsPathItem] = []
        self._group_drawn: list = []  # per group: what its label and outline were last drawn from
        self._hatch_key = self._groups_key = None  # what the hatch and the group outlines were last drawn from
        self.mask_opacity = 1.0
        self.feature_mode = "off"
        self.feature_opacity = 0.6
        self.similarity_index: int | None = None  # flat index of the Ctrl+clicked patch
        self._similarity_lut = pg.colormap.get(SIMILARITY_COLORMAP).getLookupTable(nPts=256, alpha=False)
        self._pan_from = None  # the scene point a pan drag started at
        self.setToolTip(
            "Paint with the left button (right erases) · wheel zooms, middle button or Shift+drag pans, 0 fits · "
            "Ctrl+click a patch for its similarity map"
        )

        self.app = app
        self.grid_pen_width = 1.0
        self._image: np.ndarray | None = None
        self._grid: tuple | None = None  # the grid the items are placed for
        self._hover = -1
        self._hover_cell: tuple[int, int] | None = None
        self._range_for: tuple | None = None  # the grid the view range was fitted to
        # redraws are coalesced: several mouse moves between two frames cost one overlay update
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self._redraw)
        self._on_masks(app.masks)
        app.events.masks.connect(self._on_masks)
        app.events.input.connect(self._on_input)
        app.events.time_step.connect(lambda _step: self._on_time_step())
        app.events.encoded.connect(lambda _view: self._draw_features())
        app.events.notice.connect(self.set_busy)
        # the hover line under the canvas is re-read with every new result (or a hint that replaces it)
        app.events.prediction.connect(lambda _prediction: self._rehover())
        app.events.hint.connect(lambda _text: self._rehover())

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
        self._draw_features()

    def _on_input(self, _input) -> None:
        """A new picture or clip window: what was hovered or Ctrl+clicked belongs to the old one."""
        self.similarity_index = None
        self._set_hover(-1, None)
        self.hover_item.hide()
        self._show_step()
        self.reset_zoom()

    def _on_time_step(self) -> None:
        self._show_step()
        if self._hover_cell is not None:  # the same place, on the new step
            self._set_hover(self._index(*self._hover_cell), self._hover_cell)

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

    # ------------------------------------------------------------------ view settings

    def set_mask_opacity(self, opacity: float) -> None:
        """0 (the image alone) to 1 (the masks as painted); the hatch and outlines fade with them."""
        self.mask_opacity = float(np.clip(opacity, 0.0, 1.0))
        for item in (self.overlay_item, self.hatch_item, *self._group_outlines):
            item.setOpacity(self.mask_opacity)
        self.viewChanged.emit()

    def set_feature_mode(self, mode: str) -> None:
        """ "off", "pca" (the PCA-colour map) or "similarity" (of the Ctrl+clicked patch)."""
        if mode not in FEATURE_MODES:
            raise ValueError(f"feature overlay must be one of {', '.join(FEATURE_MODES)}, not {mode!r}")
        self._fade_masks_for(mode)
        self.feature_mode = mode
        self._draw_features()
        self.viewChanged.emit()

    def _fade_masks_for(self, mode: str) -> None:
        """Turning an overlay on fades opaque masks to 30%: at full strength they hide it (the slider undoes it)."""
        if self.feature_mode == "off" and mode != "off" and self.mask_opacity > 0.3:
            self.set_mask_opacity(0.3)

    def step_mask_opacity(self) -> None:
        """100% -> 50% -> 0% -> 100% (the O key)."""
        self.set_mask_opacity(0.5 if self.mask_opacity > 0.75 else 0.0 if self.mask_opacity > 0.25 else 1.0)

    def step_feature_mode(self) -> None:
        """none -> PCA colours -> similarity -> none (the V key)."""
        modes = list(FEATURE_MODES)
        self.set_feature_mode(modes[(modes.index(self.feature_mode) + 1) % len(modes)])

    def set_feature_opacity(self, opacity: float) -> None:
        self.feature_opacity = float(np.clip(opacity, 0.0, 1.0))
        self.feature_item.setOpacity(self.feature_opacity)
        self.viewChanged.emit()

    def show_similarity(self, index: int | None) -> None:
        """The similarity map of patch `index` (flat, any time step) over the image; None: no patch."""
        self.similarity_index = None if index is None or index < 0 else int(index)
        if self.similarity_index is not None:
            self._fade_masks_for("similarity")
            self.feature_mode = "similarity"
        self._draw_features()
        self.viewChanged.emit()

    def feature_values(self) -> np.ndarray | None:
        """float [H, W] similarity (similarity mode) or uint8 [H, W, 3] PCA colours of the shown step: what the
        feature overlay shows (None: nothing)."""
        view, grid = self.app.input_view, self.app.grid_shape
        if self.feature_mode == "off" or view is None or len(view.actual) != int(np.prod(grid)):
            return None
        if self.feature_mode == "pca":
            return pca_colour_map(view.actual_rgb, grid, self.app.time_step)
        if self.similarity_index is None or self.similarity_index >= len(view.actual):
            return None
        similarity = cosine_similarity_map(view.actual, self.similarity_index)
        self.similarity_range = similarity_levels(similarity, self.similarity_index)  # the colours' scale
        return grid_frame(similarity, grid, self.app.time_step)

    def _draw_features(self) -> None:
        values = self.feature_values()
        if values is None:
            self.feature_item.hide()
            self.similarity_marker.hide()
            return
        if values.dtype == np.uint8:
            style.show_uint8(self.feature_item, values)
            self.similarity_marker.hide()
        else:
            style.show_uint8(self.feature_item, similarity_rgba(values, self._similarity_lut, levels=self.similarity_range))
            t_len, height, width = self.app.grid_shape
            step, rest = divmod(self.similarity_index, height * width)
            style.outline_patch(self.similarity_marker, rest, (height, width))
            self.similarity_marker.setVisible(step == min(self.app.time_step, t_len - 1))
        self.feature_item.setRect(QRectF(0, 0, values.shape[1], values.shape[0]))
        self.feature_item.setOpacity(self.feature_opacity)
        self.feature_item.show()

    # ------------------------------------------------------------------ zoom and pan

    @property
    def full_rect(self) -> QRectF:
        height, width = self.grid_hw
        return QRectF(0, 0, width, height)

    def reset_zoom(self) -> None:
        self.viewbox.setRange(self.full_rect, padding=0.01)

    def zoom_by(self, factor: float, center: QPointF | None = None) -> None:
        """`factor` > 1 zooms in, around `center` (view coordinates; default the view's centre)."""
        # no pyqtgraph view limits: with a locked aspect they shrink the fitted range when the widget's shape
        # changes; the zoom stops at about a patch and a half, and zooming out ends at the whole picture
        shown, full = self.viewbox.viewRect(), self.full_rect
        if factor > 1 and min(shown.width(), shown.height()) / factor < 1.5:
            return
        if factor < 1 and shown.width() / factor >= full.width() and shown.height() / factor >= full.height():
            self.reset_zoom()
            return
        center = center if center is not None else shown.center()
        self.viewbox.scaleBy((1 / factor, 1 / factor), center=center)

    @property
    def zoomed(self) -> bool:
        """Whether less than the whole grid is in view."""
        shown, full = self.viewbox.viewRect(), self.full_rect
        return shown.width() < full.width() * 0.98 and shown.height() < full.height() * 0.98

    def wheelEvent(self, ev):
        delta = ev.angleDelta().y()
        if delta:
            center = self.viewbox.mapSceneToView(self.mapToScene(ev.position().toPoint()))
            self.zoom_by(ZOOM_STEP**delta, center)
        ev.accept()

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
        # zoom in to a patch or two, out to the whole grid, never pan it off screen
        if self._range_for != (height, width):  # another step of the same clip keeps the zoom
            self._range_for = (height, width)
            self.viewbox.setRange(rect, padding=0.01)

    def _redraw(self) -> None:
        masks = self.app.masks
        t = min(self.app.time_step, masks.grid_shape[0] - 1)
        frame_targets = [target[t] for target in masks.targets]
        staged = self.stage_overlay is not None
        if staged:  # the step-through shows a stage of the loop instead of the masks
            overlay = self.stage_overlay[min(t, len(self.stage_overlay) - 1)]
        else:
            overlay = style.mask_overlay(masks.context[t], frame_targets)
        style.show_uint8(self.overlay_item, overlay)
        unused = ~masks.context[t]
        for target in frame_targets:
            unused &= ~target
        self._unused = unused
        # a stroke repaints the overlay per edit, but the hatch and the group outlines change only when their
        # cells do: rebuilding their paths and curves each time cost several ms of the UI thread per edit
        hatch_key = (unused.shape, unused.tobytes())
        if hatch_key != self._hatch_key:
            self._hatch_key = hatch_key
            path = QPainterPath()
            for row, first, end in run_cells(unused):
                path.addRect(QRectF(first, row, end - first, 1))
            self.hatch_item.setPath(path)
        self.hatch_item.setVisible(not staged)
        groups_key = (not staged, unused.shape, tuple(target.tobytes() for target in frame_targets))
        if groups_key != self._groups_key:
            self._groups_key = groups_key
            self._draw_groups(frame_targets, show_outlines=not staged)

    def unused_cells(self) -> np.ndarray:
        """bool [H, W]: the shown step's patches drawn hatched as not used."""
        return self._unused.copy()

    def _draw_groups(self, frame_targets: list, show_outlines: bool) -> None:
        """Each group's outline in its colour and its number on a patch no other number holds."""
        taken: set = set()
        for k, target in enumerate(frame_targets):
            if k == len(self._group_labels):  # labels are reused: creating items per edit is slow
                self._add_group_items(k)
            cell = label_cell(target, taken)
            if cell is not None:
                taken.add(cell)
            # a stroke changes one group: the others keep their text, position and curve (redrawing every
            # group's label and outline per edit cost the UI thread several ms)
            key = (target.shape, target.tobytes(), cell, show_outlines)
            if self._group_drawn[k] == key:
                continue
            self._group_drawn[k] = key
            label = self._group_labels[k]
            label.setVisible(cell is not None)
            if cell is not None:
                label.setPos(cell[1] + 0.5, cell[0] + 0.5)
            self._set_outline(k, outline_segments(target) if show_outlines else np.zeros((0, 2)))
        for k in range(len(frame_targets), len(self._group_labels)):
            if self._group_drawn[k] is not None:
                self._group_drawn[k] = None
                self._group_labels[k].setVisible(False)
                self._set_outline(k, np.zeros((0, 2)))

    def _set_outline(self, k: int, segments: np.ndarray) -> None:
        # a path item paints in C++: a PlotCurveItem per group repainted through Python on every canvas paint
        path = QPainterPath()
        for (x0, y0), (x1, y1) in segments.reshape(-1, 2, 2).tolist():
            path.moveTo(x0, y0)
            path.lineTo(x1, y1)
        self._group_outlines[k].setPath(path)

    def _add_group_items(self, k: int) -> None:
        """Group k's number label and outline curve, made once and reused."""
        font = QFont()
        font.setBold(True)
        font.setPointSize(11)
        label = pg.TextItem(str(k + 1), color=(255, 255, 255), anchor=(0.5, 0.5), border=pg.mkPen(0, 0, 0, 200))
        label.fill = pg.mkBrush(*style.target_rgb(k), 230)
        label.setFont(font)
        label.setZValue(9)
        self.viewbox.addItem(label)
        self._group_labels.append(label)
        outline = QGraphicsPathItem()
        outline.setPen(pg.mkPen(*style.target_rgb(k), 255, width=3, cosmetic=True))
        outline.setZValue(7)
        outline.setOpacity(self.mask_opacity)
        self.viewbox.addItem(outline)
        self._group_outlines.append(outline)
        self._group_drawn.append(None)

    def group_outline(self, group: int) -> np.ndarray:
        """float [2K, 2] the outline segments drawn for target group `group` (tests read them)."""
        path = self._group_outlines[group].path()  # read back from what is drawn, not from the cache
        points = [path.elementAt(i) for i in range(path.elementCount())]
        return np.array([(p.x, p.y) for p in points], float).reshape(-1, 2)

    # ------------------------------------------------------------------ mouse

    def _patch_at(self, pos) -> tuple[int, int]:
        point = self.viewbox.mapSceneToView(self.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos))
        return int(np.floor(point.y())), int(np.floor(point.x()))

    def patch_center(self, row: int, col: int):
        """Widget (viewport) coordinates of a patch centre: what tests and the benchmark click on."""
        scene = self.viewbox.mapViewToScene(QPointF(col + 0.5, row + 0.5))
        return self.mapFromScene(scene)

    def _index(self, row: int, col: int) -> int:
        height, width = self.grid_hw
        return (self.app.time_step * height + row) * width + col

    def mousePressEvent(self, ev):
        panning = ev.button() == Qt.MiddleButton or (ev.button() == Qt.LeftButton and ev.modifiers() & Qt.ShiftModifier)
        if panning:
            self._pan_from = self.viewbox.mapSceneToView(self.mapToScene(ev.position().toPoint()))
            self.setCursor(Qt.ClosedHandCursor)
            ev.accept()
            return
        if ev.button() not in (Qt.LeftButton, Qt.RightButton):
            return super().mousePressEvent(ev)
        row, col = self._patch_at(ev.position())
        if ev.button() == Qt.LeftButton and ev.modifiers() & Qt.ControlModifier:  # a question, not a stroke
            if self.app.inside(row, col):
                self.show_similarity(self._index(row, col))
            ev.accept()
            return
        if self.app.begin_stroke(row, col, erase=ev.button() == Qt.RightButton):
            self._outline(row, col)
            ev.accept()

    def mouseMoveEvent(self, ev):
        if self._pan_from is not None:
            here = self.viewbox.mapSceneToView(self.mapToScene(ev.position().toPoint()))
            self.viewbox.translateBy(x=self._pan_from.x() - here.x(), y=self._pan_from.y() - here.y())
            ev.accept()  # the point under the mouse stays the one grabbed: _pan_from is unchanged in view coordinates
            return
        row, col = self._patch_at(ev.position())
        if self.app.stroking:
            self.app.stroke_to(row, col)
            self._outline(row, col)
            ev.accept()
            return
        inside = self.app.inside(row, col)
        self._set_hover(self._index(row, col) if inside else -1, (row, col) if inside else None)
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev):
        if self._pan_from is not None:
            self._pan_from = None
            self.setCursor(Qt.CrossCursor)
            ev.accept()
            return
        if not self.app.stroking:
            return super().mouseReleaseEvent(ev)
        self.app.end_stroke()
        ev.accept()

    def leaveEvent(self, ev):
        self._set_hover(-1, None)
        super().leaveEvent(ev)

    def _set_hover(self, index: int, cell: tuple[int, int] | None) -> None:
        self._hover_cell = cell
        if index != self._hover:
            self._hover = index
            self.highlight_patch(index)
            self.patchHovered.emit(index)

    def _rehover(self) -> None:
        """A new result: the hovered patch's line is read again (the outline stays where the mouse is)."""
        if self._hover >= 0:
            self.patchHovered.emit(self._hover)

    @property
    def hovered(self) -> int:
        """The flat index of the patch under the mouse, or -1."""
        return self._hover

    def _outline(self, row: int, col: int) -> None:
        """Outline the patch the brush is on (clipped to the grid)."""
        height, width = self.grid_hw
        row, col = int(np.clip(row, 0, height - 1)), int(np.clip(col, 0, width - 1))
        self.highlight_patch((self.app.time_step * height + row) * width + col)
