"""DistancePanel: per-target-patch distance heatmap over the image, and predictor vs baselines at a glance."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jepa_explorer.analysis.comparison import comparison_rows, group_gains, merge_note
from jepa_explorer.analysis.distances import METRIC_LABELS, METRICS
from jepa_explorer.app import results
from jepa_explorer.gui import style
from jepa_explorer.gui.panels.deferred import DeferredDrawing, RateLimit
from jepa_explorer.gui.panels.explain import ExplainButton
from jepa_explorer.gui.steady_text import SteadyText

LABEL_GAP_PX = 6  # between a bar's end (or median mark) and its value label
# the numbers' redraws during a brush stroke: about as often as a reader takes them in (DistancePanel.set_stroking)
DETAIL_REDRAWS_PER_S = 4
BAR_COLORS = {"nearest_context": (140, 150, 170), "mean_context": (110, 115, 130), "last_context_step": (140, 170, 200)}
WIN_RGB, LOSE_RGB = (90, 209, 122), (255, 107, 90)  # the predictor's bar: green only when it beats every baseline
SHORT_LABELS = {
    "predictor": "predictor",
    "nearest_context": "nearest ctx",
    "mean_context": "mean ctx",
    "last_context_step": "last step",
}
TIPS = {  # short tooltips for the rows (bars and table)
    "predictor": "Predictor: the JEPA's guess of each target patch's embedding, made from the context alone",
    "nearest_context": "Baseline, copy nearest context: each target patch's guess is the embedding of the closest context patch",
    "mean_context": "Baseline, mean of context: every target patch's guess is the average context embedding",
    "last_context_step": (
        "Baseline, last context step: each target patch's guess is the same place in the last step the context shows"
    ),
}
METRIC_WHY = {
    "loss": "training loss: the smooth-L1 (I-JEPA) or L1 (V-JEPA) miss per dimension, what the model was trained to lower",
    "l2": "L2 distance: the straight-line miss in embedding space; big misses weigh more",
    "cosine": "cosine distance: only the direction of the embedding counts, not its length",
}
GAIN_WHY = "The gain changes with the metric: each one weighs a miss differently."
GAINS_TEMPLATE = (  # the room the per-group gains line reserves: six groups and the longest metric
    "Gain per target group 1: −100% · 2: −100% · 3: −100% · 4: −100% · 5: −100% · 6: −100%<br>"
    "in cosine distance; the gain changes with the metric: each one weighs a miss differently"
)
HELP = (
    "For every <b>target</b> patch the predictor guesses the embedding the target encoder gives it; the "
    "<b>distance</b> between guess and actual says how far off it is (lower is better).<br><br>"
    "<b>Heatmap</b>: that distance per patch, on the picture (video: the step shown). Its colour scale comes "
    "from the values shown.<br><b>Bars and table</b>: mean (bar) and median (|) over all target patches, for the "
    "predictor and for <b>baselines</b> that just copy the context: the nearest context patch, the context's mean"
    " (video: the last context step). Baselines that give identical numbers share one row.<br><b>Verdict</b>: "
    "green when the predictor beats the best baseline, red when it does not. <b>Gain</b> = 1 − predictor / best "
    "baseline; the line under it gives it per target group.<br><b>Metric</b>: training loss, L2 or cosine "
    "distance. They weigh misses differently (cosine ignores length, L2 punishes big misses), so the gain "
    "changes with the metric."
)


class RichLines(QWidget):
    """Coloured (rich) text that changes with every result without re-laying out the window: its height is what
    `template` takes at the width the layout gives (set again only on a resize or a new font), never what the
    text takes (a QLabel asks its parents for a new layout with every new text; see SteadyText)."""

    def __init__(self, template: str, parent=None):
        super().__init__(parent)
        self._html = ""
        self._template = template
        self._document = QTextDocument()
        self._document.setDocumentMargin(0)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self._fit_height()

    def text(self) -> str:
        return self._html

    def setText(self, html_text: str) -> None:
        if html_text != self._html:
            self._html = html_text
            self.update()

    def _layout(self, html_text: str) -> QTextDocument:
        self._document.setDefaultFont(self.font())
        self._document.setHtml(f"<body style='color:{style.TEXT}'>{html_text}</body>")
        self._document.setTextWidth(max(40, self.width()))
        return self._document

    def _fit_height(self) -> None:
        height = int(np.ceil(self._layout(self._template).size().height())) + 2
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def needed_height(self) -> float:
        """The height the current text takes at the current width (tests check it fits)."""
        return self._layout(self._html).size().height()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit_height()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._fit_height()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        self._layout(self._html).drawContents(painter)
        painter.end()


def row_tip(keys) -> str:
    return "\n".join(TIPS.get(k, results.estimator_label(k)) for k in keys)


class DistancePanel(DeferredDrawing, QWidget):
    metricChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.metric_name = "loss"  # the training loss: what the JEPA minimises and what `eval` reports
        self.prediction = None
        self._grid_hw = (8, 8)

        top = QHBoxLayout()
        top.addWidget(QLabel("Metric"))
        self.metric_box = QComboBox()
        for m in METRICS:
            self.metric_box.addItem(METRIC_LABELS[m], m)
        self.metric_box.setToolTip("Distance between each predicted and actual target embedding")
        self.metric_box.setCurrentIndex(METRICS.index(self.metric_name))
        self.metric_box.currentIndexChanged.connect(lambda i: self.set_metric(self.metric_box.itemData(i)))
        top.addWidget(self.metric_box)
        hint = QLabel("lower is better · target patches only")
        hint.setStyleSheet(f"color: {style.MUTED};")
        hint.setToolTip("Each number is a distance between a predicted and an actual target embedding: 0 is a perfect guess")
        top.addWidget(hint)
        top.addStretch(1)
        self.explain = ExplainButton("Distances", HELP)
        top.addWidget(self.explain)

        # room for the longest verdict: a new sentence with every result must not re-lay out the dock (see SteadyText)
        longest = "Predictor is 100% worse than the best baseline (copy nearest context)"
        self.verdict_label = SteadyText("Waiting for the first prediction…", template=longest, wrap=True)
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setToolTip("Does the predictor beat simply copying the context? Green: yes; red: no")
        # the gain of each target group, and why the gain depends on the metric
        self.gains_label = RichLines(GAINS_TEMPLATE)
        self.gains_label.setToolTip(
            "Gain = 1 − predictor / best baseline, per target group (positive: the predictor wins there).\n" + GAIN_WHY
        )
        self.note_label = QLabel("")  # identical baselines merged into one row
        self.note_label.setWordWrap(True)
        self.note_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.note_label.setStyleSheet(f"color: {style.MUTED};")
        self.note_label.hide()
        self._title_size = style.plot_text_size()

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.plots.setToolTip(
            "Distance per target patch on the picture: dark = close guess, bright = far off; colour scale at the right"
        )
        self.heat_plot = self.plots.addPlot(row=0, col=0, title="distance per patch")
        for axis in ("left", "bottom"):
            self.heat_plot.hideAxis(axis)
        self.heat_plot.setAspectLocked(True)
        self.heat_plot.invertY(True)
        self.heat_plot.setMouseEnabled(False, False)
        self.heat_plot.hideButtons()
        self.heat_plot.setMenuEnabled(False)
        self.base_image = pg.ImageItem()
        self.base_image.setOpacity(0.45)
        self.base_image.setCacheMode(pg.QtWidgets.QGraphicsItem.DeviceCoordinateCache)  # static per input
        self.heat_image = pg.ImageItem()
        self.heat_image.setOpacity(0.9)
        self.heat_plot.addItem(self.base_image)
        self.heat_plot.addItem(self.heat_image)
        self.hover_rect = pg.QtWidgets.QGraphicsRectItem()
        self.hover_rect.setPen(pg.mkPen(255, 255, 120, 230, width=3, cosmetic=True))
        self.hover_rect.setZValue(10)
        self.hover_rect.hide()
        self.heat_plot.addItem(self.hover_rect)
        self.colormap = pg.colormap.get(style.HEATMAP_COLORMAP)
        self.heat_image.setColorMap(self.colormap)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=self.colormap, interactive=False, width=14, colorMapMenu=False)
        self.colorbar.setImageItem(self.heat_image, insert_in=self.heat_plot)
        self.colorbar.axis.enableAutoSIPrefix(False)  # plain 0.02, never "20" with a unit prefix

        self.bar_widget = pg.GraphicsLayoutWidget()
        self.bar_widget.setMinimumHeight(110)
        self.bar_widget.setToolTip(
            "Mean distance (bar) and median (|) over the target patches: predictor first, then the baselines"
        )
        self.bar_plot = self.bar_widget.addPlot(row=0, col=0)  # explained by the table header: space is short
        self.bar_plot.setMouseEnabled(False, False)
        self.bar_plot.hideButtons()
        self.bar_plot.setMenuEnabled(False)
        self.bar_plot.invertY(True)
        self.bar_plot.showGrid(x=True, alpha=0.2)
        # no axis label ("bar = mean, | = median" is the widget's tooltip and the table's header): a short dock
        # cut it off, and the rows need the height more
        self.bar_plot.getAxis("bottom").enableAutoSIPrefix(False)  # plain 0.1, not "100 (x0.001)"
        self.bar_plot.vb.sigResized.connect(self._on_bars_resized)
        self.bars = pg.BarGraphItem(x0=[0], y=[0], height=0.6, width=[0])
        self.bar_plot.addItem(self.bars)
        self.median_marks = pg.ScatterPlotItem(symbol="|", size=22, pen=pg.mkPen(style.TEXT, width=2), brush=None)
        self.bar_plot.addItem(self.median_marks)
        self._bar_texts: list[pg.TextItem] = []
        for axis in ("left", "bottom"):  # the axes change only with the tick labels or the scale: blit them otherwise
            self.bar_plot.getAxis(axis).setCacheMode(pg.QtWidgets.QGraphicsItem.DeviceCoordinateCache)
        self._bar_ticks = None
        self._bar_top = None
        self._bar_brushes = {}  # rgb -> brush, made once
        self._no_pen = pg.mkPen(None)
        self._shown_title = None
        self._heat_shape = None
        self._levels = None
        self._details = None  # the prediction whose numbers are still to be drawn (see set_stroking)
        self._detail_redraws = RateLimit(self, self._flush_details)
        self._pending = None  # a prediction that arrived while the panel was hidden: drawn when it is shown

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["estimate", "mean", "median"])
        self.table.setToolTip("Mean and median over the target patches: the predictor, then the baselines that copy the context")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setFocusPolicy(Qt.NoFocus)
        self.table.setSelectionMode(QTableWidget.NoSelection)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        side = QVBoxLayout()
        side.addWidget(self.verdict_label)
        side.addWidget(self.gains_label)
        side.addWidget(self.bar_widget, 1)
        side.addWidget(self.table)
        side.addWidget(self.note_label)
        body = QHBoxLayout()
        body.addWidget(self.plots, 5)
        body.addLayout(side, 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.refresh_fonts()

    # ------------------------------------------------------------------ API

    def bind(self, app) -> None:
        """Follow the app model: its input (the grey background), time step, metric, stroke state, hints and
        predictions; a metric picked here goes to the model."""
        self.app = app

        def show_step(*_):
            self.set_background(app.display_square, app.grid_hw)
            self.set_time_step(app.time_step)

        app.events.input.connect(show_step)
        app.events.time_step.connect(show_step)
        app.events.model.connect(lambda _info: self.set_background(app.display_square, app.grid_hw))
        app.events.waiting.connect(self.clear)
        app.events.hint.connect(self.clear)
        app.events.prediction.connect(self.show_prediction)
        app.events.metric.connect(self.set_metric)
        app.events.stroking.connect(self.set_stroking)
        self.metricChanged.connect(app.set_metric)

    def set_background(self, rgb: np.ndarray | None, grid_hw: tuple[int, int]) -> None:
        self._grid_hw = grid_hw
        if rgb is None:
            self.base_image.clear()
        else:
            style.show_uint8(self.base_image, rgb.mean(axis=2).astype(np.uint8))  # grey: the heat reads on it
            self.base_image.setRect(QRectF(0, 0, grid_hw[1], grid_hw[0]))
        self.heat_image.setRect(QRectF(0, 0, grid_hw[1], grid_hw[0]))
        self._heat_shape = None  # the rectangle is set again with the next heatmap (it scales the image it has)
        self.heat_plot.setRange(QRectF(0, 0, grid_hw[1], grid_hw[0]), padding=0.02)

    def set_metric(self, metric: str) -> None:
        if metric == self.metric_name:
            return
        self.metric_name = metric
        self.metric_box.setCurrentIndex(METRICS.index(metric))
        if self.prediction is not None:
            self.show_prediction(self.prediction)
        self.metricChanged.emit(metric)

    def refresh_fonts(self) -> None:
        """Text sizes from the application font (call again when it changes, as presentation mode does): the
        verdict larger than the rest; plot titles, labels and table rows like the rest; a colour bar wide enough
        for its numbers (too narrow, pyqtgraph leaves them out)."""
        font = QApplication.font()
        verdict = QFont(font)
        verdict.setPointSizeF(font.pointSizeF() * 1.3)
        verdict.setBold(True)
        self.verdict_label.setFont(verdict)
        metrics = QFontMetrics(font)
        # in large type a title wider than the plot would push the colour bar's numbers out of the panel
        # (pyqtgraph titles keep their full width): there it is a little smaller than the rest
        self._title_size = style.plot_text_size(1.0 if font.pointSizeF() <= 1.2 * style.BASE_POINT_SIZE else 0.85)
        if self._shown_title:
            self.heat_plot.setTitle(self._shown_title, size=self._title_size)
        self.colorbar.axis.setWidth(metrics.horizontalAdvance("0.000") + 12)
        self._small_font = QFont(font)
        self._small_font.setPointSizeF(font.pointSizeF() * 0.85)
        self.bar_plot.getAxis("bottom").label.setFont(self._small_font)
        for item in self._bar_texts:
            item.setFont(self._small_font)
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 6)
        self._fit_table(max(3, self.table.rowCount()))

    def clear(self, message: str) -> None:
        self.prediction = None
        self._details = None
        self._detail_redraws.cancel()
        self.heat_image.clear()
        self._pending = None
        self.verdict_label.setText(message)
        self.verdict_label.set_color(style.MUTED)
        self.bars.setOpts(x0=[0], y=[0], width=[0])
        self._bar_top = None
        self.median_marks.clear()
        self._set_bar_texts([])
        self.table.setRowCount(0)
        self.gains_label.setText(" ")
        self.note_label.hide()

    def show_prediction(self, prediction) -> None:
        self.prediction = prediction
        if not self._on_screen():  # a closed dock or a hidden tab: draw it when it is shown
            self._pending = prediction
            return
        self._pending = None
        self._draw(prediction)

    def _flush(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and pending is self.prediction:
            self._draw(pending)

    stroking = False

    def set_stroking(self, on: bool) -> None:
        """While a brush stroke goes on, the heatmap follows every result and the numbers (verdict, bars, table)
        at most DETAIL_REDRAWS_PER_S times a second: figures that change 25 times a second cannot be read, and
        repainting them with every result lengthened the UI stalls; they are painted in a pass of their own, not
        with the heatmap (deferred.PASSES). The stroke's end shows them at once."""
        if on == self.stroking:
            return
        self.stroking = on
        self._detail_redraws.interval_ms = 1000 // DETAIL_REDRAWS_PER_S if on else 0
        self._detail_redraws.next_pass = on
        if not on:
            self._detail_redraws.flush()

    def _draw(self, prediction) -> None:
        metric = self.metric_name
        heat = self._step_of(prediction.heatmap(metric))  # the shown time step of [T, H, W]
        # the colour scale comes from the values the heatmap shows (the predictor's, every step of a clip), not
        # the baselines' (a mean-of-context ten times larger left the map black); rounded up (nice_ceiling) so
        # the colour bar's axis is not redrawn with every result of a stroke
        pooled = [g.distances[metric] for g in prediction.groups]
        values = np.concatenate(pooled) if pooled else np.zeros(0)
        values = values[np.isfinite(values)]
        high = float(np.percentile(values, 98)) if values.size else 1.0
        levels = (0.0, nice_ceiling(high) if high > 0 else 1.0)
        self.heat_image.setImage(heat, levels=levels, autoLevels=False)
        if heat.shape != self._heat_shape:
            self._heat_shape = heat.shape
            self.heat_image.setRect(QRectF(0, 0, heat.shape[1], heat.shape[0]))
        if levels != self._levels:
            self._levels = levels
            self.colorbar.setLevels(levels)
        video = prediction.masks.grid_shape[0] > 1
        title = self._title(metric, video)
        if title != self._shown_title:  # a new title re-lays out the plot
            self._shown_title = title
            self.heat_plot.setTitle(title, size=self._title_size)
        self._details = prediction
        self._detail_redraws.request()

    def _flush_details(self) -> bool:
        prediction, self._details = self._details, None
        if prediction is not None:
            self._draw_details(prediction)
        return prediction is not None

    def _draw_details(self, prediction) -> None:
        metric = self.metric_name
        rows = comparison_rows(prediction, metric)
        sentence, good = results.verdict(prediction, metric)
        if self.verdict_label.text() != sentence:
            self.verdict_label.setText(sentence)
        self.verdict_colour = style.GOOD if good else style.BAD if good is False else style.MUTED
        self.verdict_label.set_color(self.verdict_colour)
        self._show_gains(prediction, metric)
        note = merge_note(rows)
        if self.note_label.text() != note:
            self.note_label.setText(note)
        self.note_label.setVisible(bool(note))

        means = [r.mean for r in rows]
        medians = [r.median for r in rows]
        predictor_rgb = WIN_RGB if good else LOSE_RGB if good is False else (150, 150, 150)
        self.bar_colours = [predictor_rgb if r.key == "predictor" else BAR_COLORS.get(r.key, (120, 120, 120)) for r in rows]
        self.bars.setOpts(
            x0=np.zeros(len(rows)),
            y=np.arange(len(rows)),
            width=np.array(means),
            height=0.6,
            brushes=[self._brush(rgb) for rgb in self.bar_colours],
            pens=[self._no_pen] * len(rows),
        )
        self.median_marks.setData(x=medians, y=list(range(len(rows))))
        ticks = [(i, " = ".join(SHORT_LABELS.get(k, k) for k in r.keys)) for i, r in enumerate(rows)]
        if ticks != self._bar_ticks:  # new ticks re-render the axis: only when the estimators change
            self._bar_ticks = ticks
            self.bar_plot.getAxis("left").setTicks([ticks])
            self.bar_plot.setYRange(-0.6, len(rows) - 0.4, padding=0)
            self._fit_bar_height(len(rows))
        texts = [f"{m:.3f}" for m in means]
        ends = [max(m, d) for m, d in zip(means, medians)]  # each label starts right of its bar and its median mark
        top = self._bar_scale(ends, texts)
        if top != self._bar_top:  # a rounded scale: it changes (and redraws the axis) only when the bars outgrow it
            self._bar_top = top
            self.bar_plot.setXRange(0, top, padding=0)
        gap = top * LABEL_GAP_PX / max(1.0, self.bar_plot.vb.width())
        self._set_bar_texts([(text, end + gap, i) for i, (text, end) in enumerate(zip(texts, ends))])

        if self.table.rowCount() != len(rows):
            self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            # a merged row is named short in the table (its full name is in the note and the tooltip)
            name = " = ".join(SHORT_LABELS.get(k, k) for k in row.keys).capitalize() if row.merged else row.label
            for j, text in enumerate([name, f"{row.mean:.4f}", f"{row.median:.4f}"]):
                item = self.table.item(i, j)
                if item is None:  # items are reused: only their text changes during a stroke
                    item = QTableWidgetItem(text)
                    if j:
                        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                    self.table.setItem(i, j, item)
                elif item.text() != text:
                    item.setText(text)
                tip = (
                    f"{row.label}\n{row_tip(row.keys)}"
                    if j == 0
                    else ("mean" if j == 1 else "median") + " over the target patches"
                )
                if item.toolTip() != tip:
                    item.setToolTip(tip)
                font = item.font()
                if font.bold() != (row.key == "predictor"):
                    font.setBold(row.key == "predictor")
                    item.setFont(font)
        self._fit_table(len(rows))

    verdict_colour = style.MUTED
    bar_colours: list = []

    def _brush(self, rgb):
        if rgb not in self._bar_brushes:
            self._bar_brushes[rgb] = pg.mkBrush(*rgb)
        return self._bar_brushes[rgb]

    def _show_gains(self, prediction, metric: str) -> None:
        gains = group_gains(prediction, metric)
        parts = []
        for k, gain in enumerate(gains):
            colour = style.MUTED if not np.isfinite(gain) else style.GOOD if gain > 0 else style.BAD
            value = "n/a" if not np.isfinite(gain) else f"{gain:+.0%}".replace("-", "−")
            parts.append(f"<span style='color:{colour}'>{k + 1}: {value}</span>")
        head = "Gain per target group " if len(gains) > 1 else "Gain "
        text = (
            f"{head}{' · '.join(parts)}<br><span style='color:{style.MUTED}'>in {METRIC_LABELS[metric]}; "
            f"{GAIN_WHY[:-1].lower()}</span>"
        )
        self.group_gain_values = gains
        if self.gains_label.text() != text:
            self.gains_label.setText(text)
        self.gains_label.setToolTip(
            "Gain = 1 − predictor / best baseline, per target group (positive: the predictor wins there).\n"
            f"{GAIN_WHY} Now: {METRIC_WHY[metric]}."
        )

    def _bar_scale(self, ends: list[float], texts: list[str]) -> float:
        """The bar axis's top: the longest bar (or median) plus its value label fit inside the plot."""
        if not ends:
            return 1.0
        plot_px = max(60.0, self.bar_plot.vb.width())
        text_px = max(QFontMetrics(self._small_font).horizontalAdvance(t) for t in texts) + LABEL_GAP_PX + 14  # + its padding
        room = max(0.25, 1.0 - text_px / plot_px)  # the share of the width left to the bars
        return nice_ceiling(max(ends) / room)

    def _fit_bar_height(self, rows: int) -> None:
        """Room for one line of text per bar: labels of neighbouring bars never overlap."""
        height = QFontMetrics(self._small_font).height()
        line = height + 12  # a value label's box (its text and pyqtgraph's padding) and a gap
        # + the value axis and the plot's margins (measured: about 4 lines of small text)
        self.bar_widget.setMinimumHeight(max(100, rows * line + 4 * height + 10))

    def bar_label_rects(self) -> list:
        """Scene rectangles of the bar value labels shown (tests check they do not collide)."""
        return [item.sceneBoundingRect() for item in self._bar_texts if item.isVisible()]

    def _on_bars_resized(self, *_) -> None:
        """The value labels' room is in pixels: a new plot width needs a new scale."""
        if self.prediction is not None and self._pending is None and self.table.rowCount():
            self._draw_details(self.prediction)

    def highlight_patch(self, index: int) -> None:
        style.outline_patch(self.hover_rect, index, self._grid_hw)

    time_step = 0  # video: the token time step whose heatmap is shown

    def set_time_step(self, step: int) -> None:
        """Show another time step's heatmap of the current prediction (same colour scale)."""
        self.time_step = int(step)
        if self.prediction is not None and self.prediction.masks.grid_shape[0] > 1:
            self._shown_title = self._title(self.metric_name, video=True)
            self.heat_plot.setTitle(self._shown_title, size=self._title_size)
        if self.prediction is not None and self.heat_image.image is not None:
            self.heat_image.setImage(self._step_of(self.prediction.heatmap(self.metric_name)), autoLevels=False)

    def _title(self, metric: str, video: bool) -> str:
        # a clip's title names the step instead of "per patch": a longer title squeezes the colour bar's labels
        if video and self.prediction is not None:
            return f"{METRIC_LABELS[metric]} · clip step {self.time_step + 1}/{self.prediction.masks.grid_shape[0]}"
        return f"{METRIC_LABELS[metric]} · clip step {self.time_step + 1}" if video else f"{METRIC_LABELS[metric]} per patch"

    def _step_of(self, heat: np.ndarray) -> np.ndarray:
        return heat[min(self.time_step, len(heat) - 1)]

    # ------------------------------------------------------------------ helpers

    def heatmap_data(self) -> np.ndarray | None:
        """The array the heatmap shows (tests read it)."""
        self._flush()
        return None if self.heat_image.image is None else np.array(self.heat_image.image)

    def _set_bar_texts(self, texts) -> None:
        while len(self._bar_texts) < len(texts):  # reused: new items per update are slow
            item = pg.TextItem("", color=style.TEXT, anchor=(0, 0.5))
            item.setFont(self._small_font)
            self.bar_plot.addItem(item)
            self._bar_texts.append(item)
        for item, entry in zip(self._bar_texts, texts + [None] * (len(self._bar_texts) - len(texts))):
            item.setVisible(entry is not None)
            if entry is not None:
                text, x, y = entry
                if item.toPlainText() != text:
                    item.setText(text)
                if (item.pos().x(), item.pos().y()) != (x, y):
                    item.setPos(x, y)

    def _fit_table(self, rows: int) -> None:
        height = self.table.horizontalHeader().sizeHint().height() + rows * self.table.verticalHeader().defaultSectionSize() + 4
        if self.table.height() != height or self.table.minimumHeight() != height:
            self.table.setFixedHeight(height)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (x 10^k) at or above `value`: a bar-chart scale that
    stays put while the bars move a little, so its axis is not redrawn on every update."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    exponent = np.floor(np.log10(value))
    for step in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        top = float(step * 10.0**exponent)
        if top >= value * (1 - 1e-12):
            return top
    return float(10.0 ** (exponent + 1))
