"""The distance panel as a learner reads it: verdict and predictor bar coloured by the outcome, a gain per
target group with why it depends on the metric, value labels clear of each other and of the median marks,
tooltips and an explainer; in a clip, identical baselines merged and an error-over-time plot scaled to the
predictor and copy-last-step."""

import dataclasses

import numpy as np
from PySide6.QtWidgets import QApplication

from jepa_explorer.analysis.distances import summarise
from jepa_explorer.gui import style
from jepa_explorer.gui.panels.distance import LOSE_RGB, WIN_RGB

from .conftest import wait_for_current
from .test_video import video_window  # noqa: F401  (the clip fixture)


def _scaled(prediction, factor: float):
    """The same prediction with the predictor's distances multiplied by `factor` (summary recomputed)."""
    groups = [dataclasses.replace(g, distances={m: v * factor for m, v in g.distances.items()}) for g in prediction.groups]
    summary = dict(prediction.summary)
    summary["predictor"] = {
        m: summarise(np.concatenate([g.distances[m] for g in groups])) for m in prediction.summary["predictor"]
    }
    return dataclasses.replace(prediction, groups=groups, summary=summary, request_id=prediction.request_id)


def test_verdict_and_predictor_bar_are_green_only_when_the_predictor_wins(window):
    panel = window.distance_panel
    base = window.app.prediction
    best = min(v["loss"]["mean"] for k, v in base.summary.items() if k != "predictor")
    winning = _scaled(base, 0.5 * best / base.summary["predictor"]["loss"]["mean"])
    losing = _scaled(base, 2.0 * best / base.summary["predictor"]["loss"]["mean"])
    panel.show_prediction(winning)
    panel._detail_redraws.flush()
    assert panel.verdict_colour == style.GOOD and panel.bar_colours[0] == WIN_RGB and "beats" in panel.verdict_label.text()
    panel.show_prediction(losing)
    panel._detail_redraws.flush()
    assert panel.verdict_colour == style.BAD and panel.bar_colours[0] == LOSE_RGB and "worse" in panel.verdict_label.text()
    assert all(rgb not in (WIN_RGB, LOSE_RGB) for rgb in panel.bar_colours[1:])


def test_one_gain_per_target_group_and_why_it_changes_with_the_metric(qtbot, window):
    panel, app = window.distance_panel, window.app
    prediction = app.prediction
    assert len(prediction.groups) >= 2
    assert len(panel.group_gain_values) == len(prediction.groups)
    for k, group in enumerate(prediction.groups):
        best = min(np.mean(b["loss"]) for b in group.baselines.values())
        assert np.isclose(panel.group_gain_values[k], 1 - np.mean(group.distances["loss"]) / best)
        assert f"{k + 1}: " in panel.gains_label.text()
    assert "changes with the metric" in panel.gains_label.text() and "training loss" in panel.gains_label.text()
    assert panel.gains_label.needed_height() <= panel.gains_label.height()  # wrapped, never cut
    app.set_metric("cosine")
    panel._detail_redraws.flush()
    assert "cosine distance" in panel.gains_label.text() and "direction" in panel.gains_label.toolTip()


def test_bar_value_labels_clear_each_other_and_the_median_marks(window):
    panel = window.distance_panel
    panel._detail_redraws.flush()
    rects = panel.bar_label_rects()
    assert len(rects) == panel.table.rowCount() >= 3
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersects(b)
    view = panel.bar_plot.vb
    for rect, median, mean in zip(rects, panel.median_marks.data["x"], panel.bars.opts["width"]):
        start = view.mapSceneToView(rect.topLeft()).x()
        assert start > median and start > mean  # right of the median mark and of the bar
        assert rect.right() <= view.sceneBoundingRect().right() + 1  # inside the plot


def test_every_element_has_a_tooltip_and_the_panel_an_explainer(qtbot, window):
    panel = window.distance_panel
    for widget in (panel.metric_box, panel.verdict_label, panel.gains_label, panel.plots, panel.bar_widget, panel.table):
        assert widget.toolTip()
    for row in range(panel.table.rowCount()):
        assert panel.table.item(row, 0).toolTip()
    assert "baseline" in panel.table.item(1, 0).toolTip().lower()
    panel.explain.click()
    assert panel.explain.popup.isVisible() and "gain" in panel.explain.popup.text().lower()
    panel.explain.popup.hide()
    for other in (window.pca_panel, window.legend):
        assert other.explain.toolTip()


def test_video_merges_identical_baselines_and_scales_to_the_comparison_that_matters(qtbot, video_window):  # noqa: F811
    w = video_window
    w.apply_preset("future")
    prediction = wait_for_current(qtbot, w)
    panel = w.distance_panel
    panel._detail_redraws.flush()
    # future frames: the nearest context patch is the same place in the last context step
    labels = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert "Nearest ctx = last step" in labels and len(labels) == 3
    merged = labels.index("Nearest ctx = last step")
    assert "Copy nearest context = Last context step" in panel.table.item(merged, 0).toolTip()
    assert panel.note_label.isVisible() and "identical" in panel.note_label.text()
    assert "clip step" in panel.heat_plot.titleLabel.text
    # the heatmap's colour scale comes from the predictor's values, not from the mean-of-context baseline
    values = np.concatenate([g.distances["loss"] for g in prediction.groups])
    low, high = panel.colorbar.levels()
    assert high >= np.percentile(values, 98) and high <= 2.0 * values.max()
    # error over time: y fits predictor and copy-last; mean of context only on demand
    y_low, y_high = w.timeline.plot.getPlotItem().vb.viewRange()[1]
    key = np.concatenate([w.timeline.curve_data("predictor")[1], w.timeline.curve_data("last_context_step")[1]])
    assert y_low <= key.min() and y_high >= key.max() and (y_high - y_low) < 1.5 * (key.max() - key.min()) + 1e-3
    assert len(w.timeline.curve_data("mean_context")[0]) == 0
    w.timeline.others_box.setChecked(True)
    QApplication.processEvents()
    mean_values = w.timeline.curve_data("mean_context")[1]
    assert len(mean_values) and w.timeline.plot.getPlotItem().vb.viewRange()[1][1] >= mean_values.max()
