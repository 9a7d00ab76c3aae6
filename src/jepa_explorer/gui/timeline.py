"""Timeline: the time axis of a video model's input, under the canvas.

- a strip of the clip's token time steps: how much of each is context (top half, blue) and target
  (bottom half, orange), the shown step outlined; click or drag to move through time;
- a scrubber, play/pause and a line saying which source frames the shown step covers;
- how far a stroke reaches in time (a tube through every step, this step only, this step onwards);
- error over time: the predictor's mean distance per step beside the baselines', so "the further
  into the future, the harder" is a curve, not a claim.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jepa_explorer.analysis.comparison import fit_range
from jepa_explorer.engine.video import per_step
from jepa_explorer.gui import style

SPANS = [  # (key, label, tooltip)
    ("all", "Tube: all steps", "A stroke paints the same patches on every time step (a spatio-temporal tube)"),
    ("this", "This step only", "A stroke paints only the time step shown"),
    ("from", "This step → end", "A stroke paints the shown step and every later one"),
]
LINES = [  # (source, label, colour)
    ("predictor", "predictor", (255, 170, 60)),
    ("last_context_step", "copy last context step", (140, 200, 255)),
    ("mean_context", "mean of context", (170, 170, 170)),
]
KEY_LINES = ("predictor", "last_context_step")  # the comparison that matters; the y-axis fits these
PLAY_INTERVAL_MS = 350


class StepStrip(QWidget):
    """One cell per time step: context fraction on top, target fraction below; click to select."""

    stepClicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.context = np.zeros(1)
        self.target = np.zeros(1)
        self.current = 0
        self.setMinimumHeight(34)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setToolTip("Time steps: blue = share of context, orange = share of target; click to show a step")

    def set_coverage(self, context: np.ndarray, target: np.ndarray) -> None:
        self.context, self.target = np.asarray(context, float), np.asarray(target, float)
        self.update()

    def set_current(self, step: int) -> None:
        self.current = step
        self.update()

    def _cell(self, i: int) -> QRectF:
        width = self.width() / max(1, len(self.context))
        return QRectF(i * width + 1, 1, width - 2, self.height() - 2)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        ctx_rgb, tgt_rgb = style.CONTEXT_RGB, style.target_rgb(0)
        for i, (c, t) in enumerate(zip(self.context, self.target)):
            cell = self._cell(i)
            painter.fillRect(cell, QColor(40, 40, 46))
            top = QRectF(cell.x(), cell.y(), cell.width(), cell.height() / 2)
            bottom = QRectF(cell.x(), cell.center().y(), cell.width(), cell.height() / 2)
            painter.fillRect(top, QColor(*ctx_rgb, int(40 + 215 * c)))
            painter.fillRect(bottom, QColor(*tgt_rgb, int(40 + 215 * t)) if t > 0 else QColor(40, 40, 46))
            painter.setPen(QColor(230, 230, 230))
            painter.drawText(cell, Qt.AlignCenter, str(i + 1))
        painter.setPen(QPen(QColor(255, 255, 120), 3))
        painter.drawRect(self._cell(self.current))
        painter.end()

    def mousePressEvent(self, event) -> None:
        self._select(event.position().x())

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.LeftButton:
            self._select(event.position().x())

    def _select(self, x: float) -> None:
        n = len(self.context)
        self.stepClicked.emit(int(np.clip(x / max(1.0, self.width()) * n, 0, n - 1)))


class SourceBar(QWidget):
    """The whole video as a bar: the sampled frames as ticks inside the clip's window. Dragging moves the
    window; on release ``startChosen`` asks for the clip from that frame (the model sees a fixed number
    of frames, so a long video is explored a window at a time)."""

    startChosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame_count, self.indices, self._drag_start = 1, [0], None
        self._grab = 0  # where in the window the drag took hold (frames from its first)
        self.setMinimumHeight(22)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setToolTip("The whole video: ticks are the frames the model sees; drag the window to pick another part")

    @property
    def span(self) -> int:
        return self.indices[-1] - self.indices[0] + 1

    @property
    def max_start(self) -> int:
        return max(0, self.frame_count - self.span)

    def set_clip(self, frame_count: int, indices: list[int]) -> None:
        self.frame_count, self.indices, self._drag_start = max(1, frame_count), list(indices) or [0], None
        self.update()

    def _x(self, frame: float) -> float:
        return 4 + (self.width() - 8) * frame / max(1, self.frame_count - 1)

    def _frame_at(self, x: float) -> int:
        return int(round((x - 4) / max(1.0, self.width() - 8) * max(1, self.frame_count - 1)))

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        height = self.height()
        painter.fillRect(QRectF(4, height / 2 - 3, self.width() - 8, 6), QColor(60, 62, 70))
        first = self._drag_start if self._drag_start is not None else self.indices[0]
        shift = first - self.indices[0]
        left, right = self._x(first), self._x(first + self.span - 1)
        painter.fillRect(QRectF(left - 2, 2, right - left + 4, height - 4), QColor(255, 255, 120, 60))
        painter.setPen(QPen(QColor(255, 255, 120), 2))
        for frame in self.indices:
            x = self._x(frame + shift)
            painter.drawLine(int(x), 4, int(x), height - 4)
        painter.end()

    def mousePressEvent(self, event) -> None:
        self._grab = self._frame_at(event.position().x()) - self.indices[0]
        self._drag_start = self.indices[0]

    def mouseMoveEvent(self, event) -> None:
        if self._drag_start is not None:
            self._drag_start = int(np.clip(self._frame_at(event.position().x()) - self._grab, 0, self.max_start))
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        if self._drag_start is None:
            return
        start, self._drag_start = self._drag_start, None
        self.update()
        if start != self.indices[0]:
            self.startChosen.emit(start)


class Timeline(QWidget):
    stepChanged = Signal(int)
    spanChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.steps: list[list[int]] = [[0]]
        self.stride = 1
        self.info: dict = {}  # media.video.VideoInfo.to_dict() of the clip's video
        self.strip = StepStrip()
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip("Move through the clip's time steps (, and . step back and forward)")
        self.play_button = QToolButton()
        self.play_button.setText("▶")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Play / pause (P)")
        self.span_box = QComboBox()
        for key, label, tip in SPANS:
            self.span_box.addItem(label, key)
            self.span_box.setItemData(self.span_box.count() - 1, tip, Qt.ToolTipRole)
        self.span_box.setToolTip("How far in time a stroke paints")
        self.info_label = QLabel(" ")
        self.info_label.setStyleSheet(f"color: {style.MUTED};")
        # a long line of facts must not set the window's minimum width (it widened a 1024 px window to ~1200)
        self.info_label.setWordWrap(True)
        self.info_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.source_bar = SourceBar()  # shown when the video is longer than one clip
        self.source_bar.hide()

        self.plot = pg.PlotWidget(background=style.BACKGROUND)
        self.plot.setMinimumHeight(100)
        self.plot.setMaximumHeight(150)  # the canvas above needs the height more
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "error over time (mean distance of the targets) · time step")
        self.plot.setLabel("left", "error")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.setToolTip(
            "Mean distance of the target patches per time step: the predictor against copying the last step the "
            "context shows. Click a step to show it."
        )
        self.others_box = QCheckBox("other baselines")
        self.others_box.setToolTip("Also draw the mean-of-context baseline (far above: the y-axis then fits it too)")
        self.others_box.toggled.connect(lambda _on: self._show_latest())
        # top left: future-frame targets (the usual case) leave the early steps of the plot empty
        self.legend = self.plot.addLegend(offset=(8, 4), labelTextColor=style.TEXT, brush=pg.mkBrush(30, 31, 36, 200))
        self.curves = {}
        for source, label, rgb in LINES:
            width = 3 if source == "predictor" else 2
            symbol = "o" if source == "predictor" else None
            self.curves[source] = self.plot.plot(
                [], [], pen=pg.mkPen(*rgb, width=width), symbol=symbol, symbolBrush=pg.mkBrush(*rgb), symbolSize=7, name=label
            )
        self.cursor = pg.InfiniteLine(pos=1, angle=90, pen=pg.mkPen(255, 255, 120, 200, width=2))
        self.plot.addItem(self.cursor)
        self.plot.scene().sigMouseClicked.connect(self._plot_clicked)

        row = QHBoxLayout()
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.span_box)
        row.addWidget(self.others_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.strip)
        layout.addLayout(row)
        layout.addWidget(self.source_bar)
        layout.addWidget(self.info_label)
        layout.addWidget(self.plot)

        self._timer = QTimer(self)
        self._timer.setInterval(PLAY_INTERVAL_MS)
        self._timer.timeout.connect(self.advance)
        self.play_button.toggled.connect(self.set_playing)
        self.slider.valueChanged.connect(self._on_slider)
        self.strip.stepClicked.connect(self.set_step)
        self.span_box.currentIndexChanged.connect(lambda _i: self.spanChanged.emit(self.span))

    # ------------------------------------------------------------------ the app model

    def bind(self, app) -> None:
        """Follow the app model's clip, time step, masks and predictions; send it steps, spans and clip parts."""
        self.app = app
        app.events.model.connect(self._on_model)
        app.events.input.connect(self._on_input)
        app.events.time_step.connect(lambda step: self.set_step(step) if self.step != step else None)
        app.events.masks_settled.connect(lambda masks: self.set_masks(masks) if app.clip_view is not None else None)
        app.events.prediction.connect(lambda _p: self._show_latest())
        app.events.metric.connect(lambda _m: self._show_latest())
        app.events.hint.connect(lambda _text: self.clear_prediction())
        app.events.tool.connect(lambda: self.set_span(app.paint_span) if self.span != app.paint_span else None)
        self.stepChanged.connect(app.set_time_step)
        self.spanChanged.connect(app.set_paint_span)
        self.source_bar.startChosen.connect(app.open_clip_part)

    def _on_model(self, info) -> None:
        self.setVisible(info.video)
        if not info.video:
            self.set_playing(False)

    def _on_input(self, shown) -> None:
        self.clear_prediction()
        self.set_playing(False)
        if shown.clip is not None:
            clip = shown.clip
            self.set_clip(clip.steps, clip.stride, clip.info, clip.indices)
            self.set_step(self.app.time_step)
            self.set_masks(self.app.masks)

    def _show_latest(self) -> None:
        if not hasattr(self, "app"):
            return
        if self.app.clip_view is not None and self.app.prediction is not None:
            self.show_prediction(self.app.prediction, self.app.metric)

    # ------------------------------------------------------------------ state

    @property
    def step(self) -> int:
        return self.slider.value()

    @property
    def span(self) -> str:
        return self.span_box.currentData()

    def set_span(self, span: str) -> None:
        index = self.span_box.findData(span)
        if index >= 0:
            self.span_box.setCurrentIndex(index)

    def set_clip(self, steps: list[list[int]], stride: int, info: dict | None = None, indices: list | None = None) -> None:
        """The source frames of each token step (``engine.video.token_steps``), the sampling stride, the
        video's facts (VideoInfo.to_dict) and every sampled frame (for the whole-video bar)."""
        self.steps, self.stride, self.info = steps, stride, info or {}
        indices = indices or [frame for step in steps for frame in step]
        self.source_bar.set_clip(int(self.info.get("frame_count", 0)) or (indices[-1] + 1), indices)
        self.source_bar.setVisible(self.source_bar.max_start > 0)
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(steps) - 1)
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self.plot.setXRange(0.6, len(steps) + 0.4, padding=0)
        self.strip.set_current(0)
        self._describe()

    def set_step(self, step: int) -> None:
        self.slider.setValue(int(step))  # emits stepChanged through _on_slider when it changes

    def advance(self) -> None:
        self.set_step((self.step + 1) % max(1, len(self.steps)))

    def set_playing(self, on: bool) -> None:
        if self.play_button.isChecked() != on:
            self.play_button.setChecked(on)  # re-enters through toggled
            return
        self.play_button.setText("❚❚" if on else "▶")
        self._timer.start() if on else self._timer.stop()

    def set_masks(self, masks) -> None:
        """Per-step coverage for the strip."""
        context = masks.context.reshape(masks.grid_shape[0], -1).mean(1)
        target = masks.target_union.reshape(masks.grid_shape[0], -1).mean(1)
        self.strip.set_coverage(context, target)

    def show_prediction(self, prediction, metric: str) -> None:
        """Mean distance per time step for the predictor and copy-the-last-step (the others on demand); the
        y-axis fits the lines shown, so the two that matter are not squashed under a far-off baseline."""
        x = np.arange(1, prediction.masks.grid_shape[0] + 1)
        shown = []
        for source, curve in self.curves.items():
            exists = source == "predictor" or (prediction.groups and source in prediction.groups[0].baselines)
            wanted = source in KEY_LINES or self.others_box.isChecked()
            if curve.isVisible() != wanted:  # a hidden line leaves the legend too
                curve.setVisible(wanted)
                if wanted:
                    self.legend.addItem(curve, dict((s, label) for s, label, _ in LINES)[source])
                else:
                    self.legend.removeItem(curve)
            if not (exists and wanted):
                curve.setData([], [])
                continue
            y = per_step(prediction.heatmap(metric, source))
            keep = np.isfinite(y)
            curve.setData(x[keep], y[keep])
            shown.append(y[keep])
        span = fit_range(shown)
        if span is not None:
            self.plot.setYRange(*span, padding=0)

    def clear_prediction(self) -> None:
        for curve in self.curves.values():
            curve.setData([], [])

    def curve_data(self, source: str = "predictor") -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of a line in the error-over-time plot (tests read it)."""
        x, y = self.curves[source].getData()
        return (np.array([]) if x is None else x), (np.array([]) if y is None else y)

    def refresh_fonts(self) -> None:
        """Plot text in the application's font size (call again when it changes, e.g. presentation mode)."""
        from PySide6.QtWidgets import QApplication

        font = QApplication.font()
        size = style.plot_text_size(0.9)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setStyle(tickFont=font)
            axis.label.setFont(font)
        self.legend.setLabelTextSize(size)
        for _sample, label in self.legend.items:  # the size above applies to new entries only
            label.setText(label.text, size=size)
        scale = min(1.35, max(1.0, font.pointSizeF() / style.BASE_POINT_SIZE))  # room for the text, not more
        self.plot.setMinimumHeight(int(100 * scale))
        self.plot.setMaximumHeight(int(150 * scale))

    # ------------------------------------------------------------------ helpers

    def _on_slider(self, value: int) -> None:
        self.strip.set_current(value)
        self.cursor.setValue(value + 1)
        self._describe()
        self.stepChanged.emit(value)

    def _plot_clicked(self, event) -> None:
        point = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        self.set_step(int(np.clip(round(point.x()) - 1, 0, len(self.steps) - 1)))

    def _describe(self) -> None:
        frames = self.steps[self.step] if self.steps else [0]
        first, last = frames[0], frames[-1]
        text = f"step {self.step + 1} of {len(self.steps)} · source frame{'s' if first != last else ''} {first}"
        text += f"–{last}" if first != last else ""
        fps = self.info.get("fps")
        if fps:
            text += f" ({first / fps:.2f} s)"
        text += f" · sampled every {self.stride} frames" if self.stride > 1 else " · every frame sampled"
        total = self.info.get("frame_count")
        if total and self.source_bar.max_start > 0:
            text += f" · clip = frames {self.source_bar.indices[0]}–{self.source_bar.indices[-1]} of {total}"
        self.info_label.setText(text)
