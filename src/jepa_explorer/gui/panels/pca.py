"""PcaPanel: all actual patch embeddings in the image's PCA plane, predicted target embeddings with lines to
their actual ones, and the PCA-RGB feature images (actual, and context + predictions)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from jepa_explorer.gui import results, style


class PcaPanel(QWidget):
    patchHovered = Signal(int)  # flat patch index or -1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.input_view = None
        self.prediction = None
        self._grid_hw = (8, 8)
        self._hover = -1

        self.plots = pg.GraphicsLayoutWidget()
        self.scatter_plot = self.plots.addPlot(row=0, col=0, rowspan=2, title="patch embeddings (PCA of this image)")
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
        for item in (self.arrows, self.actual_points, self.target_rings, self.predicted_points, self.highlight):
            self.scatter_plot.addItem(item)
        self.actual_points.sigHovered.connect(self._on_hover)
        self.predicted_points.sigHovered.connect(self._on_hover)

        self.actual_box = self._image_box(0, "actual features (RGB = PC 1-3)")
        self.predicted_box = self._image_box(1, "context + predicted targets")
        self.actual_image, self.predicted_image = pg.ImageItem(), pg.ImageItem()
        self.actual_box.addItem(self.actual_image)
        self.predicted_box.addItem(self.predicted_image)
        self.plots.ci.layout.setColumnStretchFactor(0, 3)
        self.plots.ci.layout.setColumnStretchFactor(1, 1)

        self.caption = QLabel("★ predicted embedding  —  line to its actual embedding (ringed in its group's colour)")
        self.caption.setStyleSheet(f"color: {style.MUTED};")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plots, 1)
        layout.addWidget(self.caption)

    def _image_box(self, row: int, title: str) -> pg.ViewBox:
        plot = self.plots.addPlot(row=row, col=1, title=title)
        for axis in ("left", "bottom"):
            plot.hideAxis(axis)
        plot.setAspectLocked(True)
        plot.invertY(True)
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.titleLabel.setText(title, size="8pt")
        return plot

    # ------------------------------------------------------------------ API

    def set_input(self, input_view, grid_hw: tuple[int, int]) -> None:
        self.input_view = input_view
        self.prediction = None
        self._grid_hw = grid_hw
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
        self.target_rings.clear()
        self.predicted_points.clear()
        self.scatter_plot.autoRange()

    def show_prediction(self, prediction) -> None:
        if self.input_view is None:
            return
        self.prediction = prediction
        xs, ys, ring_pens, star_x, star_y, star_brushes, star_data, ring_x, ring_y = [], [], [], [], [], [], [], [], []
        for k, group in enumerate(prediction.groups):
            pred = np.zeros((len(group.target_indices), 2))
            pred[:, : min(2, group.predicted_pca.shape[1])] = group.predicted_pca[:, :2]
            actual = self._xy[group.target_indices]
            for (px, py), (ax, ay) in zip(pred, actual):
                xs += [px, ax]
                ys += [py, ay]
            ring_x += list(actual[:, 0])
            ring_y += list(actual[:, 1])
            ring_pens += [pg.mkPen(*style.target_rgb(k), width=2.5)] * len(actual)
            star_x += list(pred[:, 0])
            star_y += list(pred[:, 1])
            star_brushes += [pg.mkBrush(*style.target_rgb(k))] * len(pred)
            star_data += list(group.target_indices)
        self.arrows.setData(np.array(xs, float), np.array(ys, float))
        self.target_rings.setData(x=ring_x, y=ring_y, pen=ring_pens)
        self.predicted_points.setData(x=star_x, y=star_y, brush=star_brushes, data=np.array(star_data, int))
        self._set_feature_image(
            self.predicted_image, self.predicted_box, results.predicted_feature_rgb(prediction, self.input_view)
        )

    def clear_prediction(self) -> None:
        self.prediction = None
        self.arrows.setData([], [])
        self.target_rings.clear()
        self.predicted_points.clear()

    def highlight_patch(self, index: int) -> None:
        if self.input_view is None or index is None or index < 0:
            self.highlight.clear()
            return
        points = [self._xy[index]]
        if self.prediction is not None:
            for group in self.prediction.groups:
                where = np.flatnonzero(group.target_indices == index)
                if where.size:
                    points.append(group.predicted_pca[where[0], :2])
        points = np.array(points)
        self.highlight.setData(x=points[:, 0], y=points[:, 1])

    def predicted_coordinates(self) -> np.ndarray:
        """[M, 2] coordinates of the predicted points shown (tests read them)."""
        x, y = self.predicted_points.getData()
        return np.column_stack([x, y]) if x is not None else np.zeros((0, 2))

    # ------------------------------------------------------------------ helpers

    def _set_feature_image(self, item: pg.ImageItem, box, rgb_flat: np.ndarray) -> None:
        height, width = self._grid_hw
        rgb = rgb_flat[: height * width].reshape(height, width, 3)
        item.setImage(rgb, levels=(0, 255))
        item.setRect(QRectF(0, 0, width, height))
        box.setRange(QRectF(0, 0, width, height), padding=0.02)

    def _on_hover(self, item, points, ev) -> None:
        index = int(points[0].data()) if len(points) else -1
        if index != self._hover:
            self._hover = index
            self.patchHovered.emit(index)
