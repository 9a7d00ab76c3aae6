"""PcaPanel: all actual patch embeddings in the image's PCA plane, predicted target embeddings with arrows to
their actual ones, and the PCA-RGB feature images (actual, and context + predictions).

Hovering a patch (here or on the canvas) rings its points and, for a prediction, draws a dotted line to the
*nearest actual patch* of that prediction (computed by the engine: ``GroupResult.nearest_actual``): is the
guess closest to its own patch, or to some other one? "Thumbnails" puts each patch's picture on its point
(the Embedding Projector's sprites), on demand."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QApplication, QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from jepa_explorer.app import results
from jepa_explorer.gui import style
from jepa_explorer.gui.panels.deferred import DeferredDrawing, RateLimit
from jepa_explorer.gui.panels.explain import ExplainButton


def arrowhead_polygons(tails: np.ndarray, tips: np.ndarray, size: float) -> np.ndarray:
    """[M, 3, 2] triangles (tip, left, right) for arrows from `tails` [M, 2] to `tips` [M, 2], in the same
    (device) units as `size`, the head's length; a head is never longer than 60% of its arrow, and
    zero-length arrows get none (M counts only the arrows that get one)."""
    tails, tips = np.asarray(tails, float).reshape(-1, 2), np.asarray(tips, float).reshape(-1, 2)
    delta = tips - tails
    length = np.hypot(delta[:, 0], delta[:, 1])
    keep = length > 1e-6
    tips, delta, length = tips[keep], delta[keep], length[keep]
    unit = delta / length[:, None] if length.size else delta
    normal = np.column_stack([-unit[:, 1], unit[:, 0]])
    head = np.minimum(size, 0.6 * length)[:, None]
    base = tips - unit * head
    return np.stack([tips, base + normal * head * 0.45, base - normal * head * 0.45], axis=1)


class ArrowHeads(pg.GraphicsObject):
    """Filled arrowheads of a fixed size on screen for many arrows at once: one item, one path per paint.
    `setData` only stores the arrays; the triangles are made in device coordinates when painting, so they
    keep their shape whatever the plot's aspect ratio or zoom."""

    def __init__(self, size: float = 9.0, pen=None, brush=None):
        super().__init__()
        self.size = float(size)
        self.pen = pg.mkPen(pen if pen is not None else (255, 255, 255, 170))
        self.brush = pg.mkBrush(brush if brush is not None else (255, 255, 255, 170))
        self.tails = np.zeros((0, 2))
        self.tips = np.zeros((0, 2))

    def setData(self, tails, tips) -> None:
        self.prepareGeometryChange()
        self.tails = np.asarray(tails, float).reshape(-1, 2)
        self.tips = np.asarray(tips, float).reshape(-1, 2)
        self.informViewBoundsChanged()
        self.update()

    def clear(self) -> None:
        self.setData(np.zeros((0, 2)), np.zeros((0, 2)))

    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        if not len(self.tips):
            return (None, None)
        return (float(self.tips[:, ax].min()), float(self.tips[:, ax].max()))

    def boundingRect(self):
        if not len(self.tips):
            return QRectF()
        (x0, y0), (x1, y1) = self.tips.min(axis=0), self.tips.max(axis=0)
        pad_x, pad_y = self.pixelWidth() * self.size, self.pixelHeight() * self.size  # 0 before the item is in a view
        return QRectF(x0 - pad_x, y0 - pad_y, x1 - x0 + 2 * pad_x, y1 - y0 + 2 * pad_y)

    def viewTransformChanged(self):
        self.prepareGeometryChange()  # the padding is in pixels: a zoom changes the bounding rectangle

    def paint(self, painter, *args):
        if not len(self.tips):
            return
        t = painter.transform()
        m = np.array([[t.m11(), t.m12()], [t.m21(), t.m22()]])
        offset = np.array([t.dx(), t.dy()])
        triangles = arrowhead_polygons(self.tails @ m + offset, self.tips @ m + offset, self.size)
        path = QPainterPath()
        for tri in triangles:
            path.moveTo(*tri[0])
            path.lineTo(*tri[1])
            path.lineTo(*tri[2])
            path.closeSubpath()
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setPen(self.pen)
        painter.setBrush(self.brush)
        painter.drawPath(path)
        painter.restore()


STROKE_REDRAWS_PER_S = 10
SCATTER_TITLE = "patch embeddings (PCA of this image)"
CLIP_SCATTER_TITLE = "patch embeddings (PCA of this clip, every step)"
MAX_THUMBNAILS = 256  # patch pictures on points: the shown step's patches, every k-th beyond this many
THUMBNAIL_SHARE = 0.06  # a thumbnail's side, as a share of the plot's range
HELP = (
    "Each <b>dot</b> is one patch's actual embedding (what the target encoder makes of it), placed by its first "
    "two <b>principal components</b> and coloured by the first three (RGB): patches the encoder finds alike sit "
    "together and share a colour.<br><br>Each <b>★</b> is a prediction for a target patch, in its group's colour; "
    "the <b>arrow</b> goes to that patch's actual embedding (ringed): a short arrow is a good guess.<br>Hover a "
    "patch (here or on the canvas): a dotted line goes from its prediction to the <b>nearest actual patch</b> "
    "(◆) — its own patch when the guess is specific, another one when it is generic.<br><b>Thumbnails</b> puts "
    "each patch's picture on its dot.<br>Right: the same colours on the picture, actual and with the predictions "
    "in the targets. The wheel zooms the plot."
)
# two lines: the image column is narrow, and a title wider than it pushes the images out of the panel
ACTUAL_TITLE = "actual features<br>(RGB = PC 1-3)"
PREDICTED_TITLE = "context +<br>predicted targets"


class PcaPanel(DeferredDrawing, QWidget):
    patchHovered = Signal(int)  # flat patch index or -1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.input_view = None
        self.prediction = None
        self._grid_hw = (8, 8)
        self._hover = -1

        self.plots = pg.GraphicsLayoutWidget()
        self.scatter_plot = self.plots.addPlot(row=0, col=0, rowspan=2)
        self.scatter_plot.setMenuEnabled(False)
        self.scatter_plot.hideButtons()
        self.scatter_plot.showGrid(x=True, y=True, alpha=0.15)
        self.arrows = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(255, 255, 255, 140, width=1.5))
        self.actual_points = pg.ScatterPlotItem(
            size=8, pen=pg.mkPen(0, 0, 0, 120), hoverable=True, hoverPen=pg.mkPen(255, 255, 120, width=2), hoverSize=14
        )
        self.target_rings = pg.ScatterPlotItem(size=14, brush=None)
        self.predicted_points = pg.ScatterPlotItem(
            symbol="star",
            size=15,
            pen=pg.mkPen(255, 255, 255, 220),
            hoverable=True,
            hoverPen=pg.mkPen(255, 255, 120, width=2),
            hoverSize=20,
        )
        self.highlight = pg.ScatterPlotItem(size=24, brush=None, pen=pg.mkPen(255, 255, 120, width=3))
        # the nearest actual patch of the hovered prediction(s): a dotted line and a diamond
        self.nearest_line = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(120, 230, 255, 230, width=2, style=Qt.DotLine))
        self.nearest_marker = pg.ScatterPlotItem(symbol="d", size=16, brush=None, pen=pg.mkPen(120, 230, 255, width=2.5))
        self.actual_points.opts["tip"] = self._actual_tip
        self.predicted_points.opts["tip"] = self._predicted_tip
        self.arrowheads = ArrowHeads(size=9, pen=pg.mkPen(255, 255, 255, 170, width=1), brush=pg.mkBrush(255, 255, 255, 170))
        # video: the hovered position's path through time, actual (solid) and predicted (dashed, where it is a target)
        self.actual_path = pg.PlotCurveItem(pen=pg.mkPen(255, 255, 120, 230, width=2.5))
        self.predicted_path = pg.PlotCurveItem(pen=pg.mkPen(255, 170, 60, 230, width=2.5, style=Qt.DashLine))
        items = (self.arrows, self.arrowheads, self.actual_points, self.target_rings, self.predicted_points, self.highlight)
        for item in (*items, self.actual_path, self.predicted_path, self.nearest_line, self.nearest_marker):
            self.scatter_plot.addItem(item)
        self._thumbnails: list[pg.ImageItem] = []
        self.video = False
        # the range follows the points on a coarse grid (see _fit_range), not pyqtgraph's per-update auto range
        self.scatter_plot.disableAutoRange()
        self._user_range = False
        self._shown_range = None
        self.scatter_plot.vb.sigRangeChangedManually.connect(self._on_manual_range)
        # the axes (and their grid lines) change only with the range: blit them from a cache otherwise
        for axis in ("left", "bottom"):
            self.scatter_plot.getAxis(axis).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self._ring_pens: list = []
        self._star_brushes: list = []
        self._pending = None  # the prediction to draw next: on the next event-loop pass, or when the panel is shown
        # drawn in a pass of its own (deferred.PASSES), after the distance panel's heatmap and numbers: the window
        # then paints them apart, handling input in between (halves the longest stall); several results cost one draw
        self._redraws = RateLimit(self, self._draw_pending, next_pass=True)
        self.actual_points.sigHovered.connect(self._on_hover)
        self.predicted_points.sigHovered.connect(self._on_hover)

        self.actual_box = self._image_box(0)
        self.predicted_box = self._image_box(1)
        self.actual_image, self.predicted_image = pg.ImageItem(), pg.ImageItem()
        self.actual_box.addItem(self.actual_image)
        self.predicted_box.addItem(self.predicted_image)
        self.plots.ci.layout.setColumnStretchFactor(0, 3)
        self.plots.ci.layout.setColumnStretchFactor(1, 1)

        self.caption = QLabel("★ prediction → its actual embedding (ringed) · hover: ◆ its nearest actual patch")
        self.caption.setStyleSheet(f"color: {style.MUTED};")
        self.caption.setWordWrap(True)
        self.caption.setToolTip("Stars: predicted target embeddings; arrows: to the actual embedding of the same patch")
        self.thumbs_box = QCheckBox("Thumbnails")
        self.thumbs_box.setToolTip("Put each patch's picture on its point (the shown step's patches)")
        self.thumbs_box.toggled.connect(lambda _on: self._draw_thumbnails())
        self.explain = ExplainButton("Embeddings (PCA)", HELP)
        self.plots.setToolTip("")  # the points carry their own tooltips
        self.actual_box.setToolTip("Each patch in the colour of its actual embedding (RGB = PC 1-3)")
        self.predicted_box.setToolTip("The same, with each target patch in the colour of its prediction")
        bottom = QHBoxLayout()
        bottom.addWidget(self.caption, 1)
        bottom.addWidget(self.thumbs_box)
        bottom.addWidget(self.explain)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plots, 1)
        layout.addLayout(bottom)
        self.refresh_fonts()

    def refresh_fonts(self) -> None:
        """Titles and axis labels in the application's font size (call again when it changes, as presentation
        mode does; the tick numbers follow it by themselves)."""
        self.scatter_plot.setTitle(CLIP_SCATTER_TITLE if self.video else SCATTER_TITLE, size=style.plot_text_size())
        self._set_image_titles()
        for name in ("left", "bottom"):
            self.scatter_plot.getAxis(name).label.setFont(QApplication.font())

    def _image_box(self, row: int) -> pg.ViewBox:
        plot = self.plots.addPlot(row=row, col=1)
        for axis in ("left", "bottom"):
            plot.hideAxis(axis)
        plot.setAspectLocked(True)
        plot.invertY(True)
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        return plot

    # ------------------------------------------------------------------ API

    def bind(self, app) -> None:
        """Follow the app model: the encoded input, its predictions, hints, the time step and strokes."""
        app.events.encoded.connect(lambda view: self.set_input(view, app.grid_hw))
        app.events.prediction.connect(self.show_prediction)
        app.events.hint.connect(lambda _text: self.clear_prediction())
        app.events.input.connect(lambda _input: self.set_time_step(app.time_step))
        app.events.time_step.connect(self.set_time_step)
        app.events.stroking.connect(self.set_stroking)

    def set_input(self, input_view, grid_hw: tuple[int, int]) -> None:
        self.input_view = input_view
        self.prediction = None
        self._grid_hw = grid_hw
        video = len(input_view.actual_pca) > grid_hw[0] * grid_hw[1]
        if video != self.video:
            self.video = video
            self.refresh_fonts()
        self._set_image_titles()
        coords = input_view.actual_pca
        xy = np.zeros((coords.shape[0], 2))
        xy[:, : min(2, coords.shape[1])] = coords[:, :2]
        self._xy = xy
        brushes = [pg.mkBrush(*map(int, c)) for c in input_view.actual_rgb]
        self.actual_points.setData(x=xy[:, 0], y=xy[:, 1], brush=brushes, data=np.arange(len(xy)))
        ratio = np.asarray(input_view.pca.explained_variance_ratio)
        self.scatter_plot.setLabel("bottom", f"PC 1 ({ratio[0]:.0%} of variance)" if ratio.size > 0 else "PC 1")
        self.scatter_plot.setLabel("left", f"PC 2 ({ratio[1]:.0%})" if ratio.size > 1 else "PC 2")
        self._set_feature_image(self.actual_image, self.actual_box, input_view.actual_rgb)
        self._set_feature_image(self.predicted_image, self.predicted_box, input_view.actual_rgb)
        self.arrows.setData([], [])
        self.arrowheads.clear()
        self.target_rings.clear()
        self.predicted_points.clear()
        self._pending = None
        self._user_range = False
        self._shown_range = None
        self._fit_range(xy)
        self.highlight_patch(-1)
        self._draw_thumbnails()

    def show_prediction(self, prediction) -> None:
        if self.input_view is None:
            return
        self.prediction = self._pending = prediction
        if self._on_screen():  # a closed dock or a hidden tab draws it when it is shown
            self._redraws.request()

    stroking = False

    def set_stroking(self, on: bool) -> None:
        """While a brush stroke goes on: at most STROKE_REDRAWS_PER_S redraws, and a range that only grows (a
        new range redraws the axes and the grid: the slowest redraws measured). The stroke's end shows the
        latest result at once, in a range fitted to it."""
        if on == self.stroking:
            return
        self.stroking = on
        self._redraws.interval_ms = 1000 // STROKE_REDRAWS_PER_S if on else 0
        if not on and self.prediction is not None and self._on_screen():
            self._pending = self.prediction
            self._redraws.request()

    def _flush(self) -> None:
        self._redraws.flush()

    def _draw_pending(self) -> bool:
        pending, self._pending = self._pending, None
        drawn = pending is not None and pending is self.prediction
        if drawn:
            self._draw(pending)
        return drawn

    def _draw(self, prediction) -> None:
        preds, actuals, ring_pens, star_brushes, star_data = [], [], [], [], []
        for k, group in enumerate(prediction.groups):
            pred = np.zeros((len(group.target_indices), 2))
            pred[:, : min(2, group.predicted_pca.shape[1])] = group.predicted_pca[:, :2]
            preds.append(pred)
            actuals.append(self._xy[group.target_indices])
            ring_pen, star_brush = self._group_style(k)
            ring_pens += [ring_pen] * len(pred)
            star_brushes += [star_brush] * len(pred)
            star_data.append(np.asarray(group.target_indices, int))
        pred = np.concatenate(preds) if preds else np.zeros((0, 2))
        actual = np.concatenate(actuals) if actuals else np.zeros((0, 2))
        segments = np.stack([pred, actual], axis=1).reshape(-1, 2)  # pred, actual, pred, actual, ...
        self.arrows.setData(segments[:, 0], segments[:, 1])
        self.arrowheads.setData(pred, actual)  # each head sits on the actual embedding, pointing away from the prediction
        self.target_rings.setData(x=actual[:, 0], y=actual[:, 1], pen=ring_pens)
        self.predicted_points.setData(
            x=pred[:, 0], y=pred[:, 1], brush=star_brushes, data=np.concatenate(star_data) if star_data else np.zeros(0, int)
        )
        style.show_uint8(self.predicted_image, self._grid_rgb(results.predicted_feature_rgb(prediction, self.input_view)))
        self._fit_range(np.concatenate([self._xy, pred]))

    def clear_prediction(self) -> None:
        self.prediction = None
        self._pending = None
        self.arrows.setData([], [])
        self.arrowheads.clear()
        self.target_rings.clear()
        self.predicted_points.clear()

    def highlight_patch(self, index: int) -> None:
        if self.input_view is None or index is None or index < 0 or index >= len(self._xy):
            self.highlight.clear()
            self.actual_path.setData([], [])
            self.predicted_path.setData([], [])
            self.nearest_line.setData([], [])
            self.nearest_marker.clear()
            self.nearest_shown = []
            return
        self._draw_paths(index)
        points = [self._xy[index]]
        segments, nearest = [], []
        if self.prediction is not None:
            for group in self.prediction.groups:
                where = np.flatnonzero(group.target_indices == index)
                if where.size:
                    guess = group.predicted_pca[where[0], :2]
                    points.append(guess)
                    closest = int(group.nearest_actual[where[0]])
                    nearest.append(closest)
                    segments += [guess, self._xy[closest]]
        points = np.array(points)
        self.highlight.setData(x=points[:, 0], y=points[:, 1])
        self.nearest_shown = nearest  # flat indices of the nearest actual patches drawn (tests read them)
        if segments:
            line = np.array(segments)
            self.nearest_line.setData(line[:, 0], line[:, 1])
            marks = self._xy[nearest]
            self.nearest_marker.setData(x=marks[:, 0], y=marks[:, 1])
        else:
            self.nearest_line.setData([], [])
            self.nearest_marker.clear()

    nearest_shown: list = []

    def nearest_line_data(self) -> np.ndarray:
        """[2K, 2] the (prediction, nearest actual) point pairs drawn (tests read them)."""
        x, y = self.nearest_line.getData()
        return np.column_stack([x, y]) if x is not None and len(x) else np.zeros((0, 2))

    # ------------------------------------------------------------------ tooltips and thumbnails

    def _where(self, index: int) -> str:
        height, width = self._grid_hw
        step, rest = divmod(int(index), height * width)
        row, col = divmod(rest, width)
        return f"patch row {row}, col {col}" + (f", step {step + 1}" if self.video else "")

    def _actual_tip(self, x, y, data) -> str:
        return f"{self._where(data)}: its actual embedding" if data is not None else ""

    def _predicted_tip(self, x, y, data) -> str:
        if data is None:
            return ""
        text = f"{self._where(data)}: the prediction for this target patch"
        if self.prediction is not None:
            for group in self.prediction.groups:
                where = np.flatnonzero(group.target_indices == int(data))
                if where.size:
                    closest = int(group.nearest_actual[where[0]])
                    own = " (its own patch)" if closest == int(data) else ""
                    text += f"\nnearest actual patch: {self._where(closest)}{own}"
                    break
        return text

    def _thumbnail_pixels(self) -> np.ndarray | None:
        """uint8 [S, S, 3] of the shown step, as the model sees it."""
        pixels = getattr(self.input_view, "pixels", None)
        if pixels is None:
            return None
        pixels = np.asarray(pixels)
        return pixels[min(self.time_step, len(pixels) - 1)] if pixels.ndim == 4 else pixels

    def _draw_thumbnails(self) -> None:
        """Each patch's picture on its point (the shown step's patches; every k-th past MAX_THUMBNAILS)."""
        for item in self._thumbnails:
            self.scatter_plot.removeItem(item)
        self._thumbnails = []
        pixels = self._thumbnail_pixels() if self.thumbs_box.isChecked() and self.input_view is not None else None
        if pixels is None:
            return
        height, width = self._grid_hw
        size_y, size_x = pixels.shape[0] // height, pixels.shape[1] // width
        first = min(self.time_step, max(0, len(self._xy) // (height * width) - 1)) * height * width
        every = max(1, int(np.ceil(height * width / MAX_THUMBNAILS)))
        extent = np.ptp(self._xy, axis=0) if len(self._xy) else np.ones(2)
        side = np.where(extent > 0, extent, 1.0) * THUMBNAIL_SHARE
        for cell in range(0, height * width, every):
            row, col = divmod(cell, width)
            item = pg.ImageItem()
            style.show_uint8(
                item, np.ascontiguousarray(pixels[row * size_y : (row + 1) * size_y, col * size_x : (col + 1) * size_x])
            )
            x, y = self._xy[first + cell]
            # the plot's y axis points up: flip the picture so it is upright
            item.setRect(QRectF(x - side[0] / 2, y + side[1] / 2, side[0], -side[1]))
            item.setZValue(-1)  # under the stars and arrows
            self.scatter_plot.addItem(item)
            self._thumbnails.append(item)

    def thumbnail_count(self) -> int:
        return len(self._thumbnails)

    def _draw_paths(self, index: int) -> None:
        """Video: the embeddings of the hovered patch's position at every time step, in time order."""
        height, width = self._grid_hw
        steps = len(self._xy) // (height * width)
        if steps < 2:
            return
        position = index % (height * width)
        along = position + np.arange(steps) * height * width  # flat indices of this position at t = 0, 1, ...
        self.actual_path.setData(self._xy[along, 0], self._xy[along, 1])
        predicted = {}
        if self.prediction is not None:
            for group in self.prediction.groups:
                for row, target in enumerate(group.target_indices):
                    predicted.setdefault(int(target), group.predicted_pca[row, :2])
        # the dashed path starts at the last actual point before the first predicted step
        path = [self._xy[i] if i not in predicted else predicted[i] for i in along]
        first = next((t for t, i in enumerate(along) if i in predicted), None)
        if first is None:
            self.predicted_path.setData([], [])
            return
        start = max(0, first - 1)
        xy = np.array(path[start:])
        self.predicted_path.setData(xy[:, 0], xy[:, 1])

    def path_data(self) -> tuple[np.ndarray, np.ndarray]:
        """([K, 2] actual, [L, 2] predicted) path points of the hovered position (tests read them)."""

        def xy(curve):
            x, y = curve.getData()
            return np.column_stack([x, y]) if x is not None and len(x) else np.zeros((0, 2))

        return xy(self.actual_path), xy(self.predicted_path)

    def predicted_coordinates(self) -> np.ndarray:
        """[M, 2] coordinates of the predicted points shown (tests read them)."""
        self._flush()
        x, y = self.predicted_points.getData()
        return np.column_stack([x, y]) if x is not None else np.zeros((0, 2))

    # ------------------------------------------------------------------ helpers

    def arrow_geometry(self) -> tuple[np.ndarray, np.ndarray]:
        """(tails, tips) [M, 2] of the arrows shown: from each predicted embedding to its actual one."""
        self._flush()
        return self.arrowheads.tails.copy(), self.arrowheads.tips.copy()

    def _group_style(self, k: int):
        """The ring pen and star brush of target group k, made once (new pens per update are slow)."""
        while len(self._ring_pens) <= k:
            rgb = style.target_rgb(len(self._ring_pens))
            self._ring_pens.append(pg.mkPen(*rgb, width=2.5))
            self._star_brushes.append(pg.mkBrush(*rgb))
        return self._ring_pens[k], self._star_brushes[k]

    def _fit_range(self, xy: np.ndarray) -> None:
        """Show all points, the range snapped outward to 1/8 of the actual cloud's extent: it changes (and the
        axes are redrawn) only when a prediction leaves the current cells; a zoom by the user is kept."""
        if self._user_range or not len(xy):
            return
        extent = np.ptp(self._xy, axis=0) if len(self._xy) else np.ones(2)
        step = np.where(extent > 0, extent / 8, 1.0)
        low = np.floor(xy.min(axis=0) / step) * step
        high = np.ceil(xy.max(axis=0) / step) * step
        wanted = (float(low[0]), float(high[0]), float(low[1]), float(high[1]))
        shown = self._shown_range
        if self.stroking and shown is not None:  # grow only: see set_stroking
            wanted = (min(wanted[0], shown[0]), max(wanted[1], shown[1]), min(wanted[2], shown[2]), max(wanted[3], shown[3]))
        if wanted != shown:
            self._shown_range = wanted
            self.scatter_plot.setRange(xRange=wanted[:2], yRange=wanted[2:], padding=0.04)

    def _on_manual_range(self, *_) -> None:
        self._user_range = True

    time_step = 0  # video: the time step whose feature images are shown

    def _set_image_titles(self) -> None:
        step = f"<br>step {self.time_step + 1}" if self.video else ""
        self.actual_box.setTitle(ACTUAL_TITLE + step, size=style.plot_text_size(0.8))
        self.predicted_box.setTitle(PREDICTED_TITLE + step, size=style.plot_text_size(0.8))

    def set_time_step(self, step: int) -> None:
        changed = int(step) != self.time_step
        self.time_step = int(step)
        if self.video:
            self._set_image_titles()
            if changed and self.thumbs_box.isChecked():
                self._draw_thumbnails()
        if self.input_view is not None:
            self._set_feature_image(self.actual_image, self.actual_box, self.input_view.actual_rgb)
            p = self.prediction
            rgb = results.predicted_feature_rgb(p, self.input_view) if p is not None else self.input_view.actual_rgb
            style.show_uint8(self.predicted_image, self._grid_rgb(rgb))

    def _grid_rgb(self, rgb_flat: np.ndarray) -> np.ndarray:
        height, width = self._grid_hw
        frames = max(1, len(rgb_flat) // (height * width))
        start = min(self.time_step, frames - 1) * height * width
        return rgb_flat[start : start + height * width].reshape(height, width, 3)

    def _set_feature_image(self, item: pg.ImageItem, box, rgb_flat: np.ndarray) -> None:
        height, width = self._grid_hw
        style.show_uint8(item, self._grid_rgb(rgb_flat))
        item.setRect(QRectF(0, 0, width, height))
        box.setRange(QRectF(0, 0, width, height), padding=0.02)

    def _on_hover(self, item, points, ev) -> None:
        index = int(points[0].data()) if len(points) else -1
        if index != self._hover:
            self._hover = index
            self.patchHovered.emit(index)
