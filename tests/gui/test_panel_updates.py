"""How the panels update: arrowheads from prediction to actual, hidden panels deferring their work until shown,
and the exact final state after a stroke (however many intermediate results were coalesced)."""

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from jepa_explorer.app import results
from jepa_explorer.app.mask_edit import Layer
from jepa_explorer.gui.legend import chip_text
from jepa_explorer.gui.panels.distance import nice_ceiling
from jepa_explorer.gui.panels.pca import arrowhead_polygons
from jepa_explorer.masks.generators import centre

from .conftest import stroke, wait_for_current


def test_arrowhead_polygons_point_from_tail_to_tip():
    tails = np.array([[0.0, 0.0], [10.0, 10.0], [5.0, 5.0]])
    tips = np.array([[100.0, 0.0], [10.0, 14.0], [5.0, 5.0]])  # long, short, zero length
    triangles = arrowhead_polygons(tails, tips, size=9.0)
    assert triangles.shape == (2, 3, 2)  # the zero-length arrow gets no head
    for (tail, tip), tri in zip([(tails[0], tips[0]), (tails[1], tips[1])], triangles):
        assert np.allclose(tri[0], tip)  # the point of the head is on the tip
        base = (tri[1] + tri[2]) / 2
        direction = (tip - tail) / np.linalg.norm(tip - tail)
        assert np.dot(tip - base, direction) > 0  # the head points along tail -> tip
        assert np.linalg.norm(tip - base) <= 0.6 * np.linalg.norm(tip - tail) + 1e-9  # never longer than its arrow
        assert np.isclose(np.dot(tri[1] - tri[2], direction), 0)  # symmetric about the shaft
    assert np.isclose(np.linalg.norm(triangles[0][0] - (triangles[0][1] + triangles[0][2]) / 2), 9.0)


def test_uint8_images_are_shown_as_they_are_without_a_rescale(qapp):
    import pyqtgraph as pg

    from jepa_explorer.gui import style

    rgb = np.zeros((4, 5, 3), np.uint8)
    rgb[1, 2] = (200, 30, 7)
    rgba = np.zeros((4, 5, 4), np.uint8)
    rgba[3, 0] = (10, 250, 90, 128)
    for image in (rgb, rgba):
        item = pg.ImageItem(axisOrder="row-major")
        style.show_uint8(item, image)
        assert item.levels is None  # the pass-through path: no per-pixel rescale in the paint
        item.render()
        y, x = (1, 2) if image.shape[2] == 3 else (3, 0)
        colour = item.qimage.pixelColor(x, y)
        assert (colour.red(), colour.green(), colour.blue()) == tuple(image[y, x, :3])
        if image.shape[2] == 4:
            assert colour.alpha() == 128
    with pytest.raises(TypeError):
        style.show_uint8(pg.ImageItem(), rgb.astype(np.float32))


def test_nice_ceiling_is_a_stable_scale_at_or_above_the_value():
    assert nice_ceiling(0.41) == pytest.approx(0.5)
    assert nice_ceiling(0.5) == pytest.approx(0.5)
    assert nice_ceiling(1.7) == pytest.approx(2.0)
    assert nice_ceiling(13.0) == pytest.approx(15.0)
    assert nice_ceiling(0.0) == 1.0 and nice_ceiling(float("nan")) == 1.0
    values = np.linspace(0.42, 0.49, 20)  # a stroke that moves the bars a little keeps one scale
    assert len({nice_ceiling(v) for v in values}) == 1


def test_pca_arrows_go_from_each_prediction_to_its_actual_embedding(window):
    w = window
    p = w.app.prediction
    tails, tips = w.pca_panel.arrow_geometry()
    predicted = np.concatenate([g.predicted_pca[:, :2] for g in p.groups])
    actual = np.concatenate([w.pca_panel._xy[g.target_indices] for g in p.groups])
    assert len(tails) == len(tips) == sum(len(g.target_indices) for g in p.groups) > 0
    assert np.allclose(tails, predicted) and np.allclose(tips, actual)
    assert np.allclose(w.pca_panel.predicted_coordinates(), predicted)
    # one item draws every head; it is in the scatter plot and covers the tips
    assert w.pca_panel.arrowheads in w.pca_panel.scatter_plot.items
    rect = w.pca_panel.arrowheads.boundingRect()
    assert rect.left() <= tips[:, 0].min() and rect.right() >= tips[:, 0].max()
    # it paints: the scatter plot renders differently without it
    view = w.pca_panel.plots
    QApplication.processEvents()
    with_heads = view.grab().toImage()
    w.pca_panel.arrowheads.hide()
    QApplication.processEvents()
    without_heads = view.grab().toImage()
    w.pca_panel.arrowheads.show()
    assert with_heads != without_heads


def test_hidden_panels_defer_their_work_until_shown(qtbot, window, monkeypatch):
    w = window
    qtbot.waitUntil(lambda: w.pca_panel._pending is None)  # the start-up prediction is drawn
    draws = {"pca": 0, "distance": 0}
    for name, panel in (("pca", w.pca_panel), ("distance", w.distance_panel)):
        original = panel._draw

        def counted(prediction, _original=original, _name=name):
            draws[_name] += 1
            return _original(prediction)

        monkeypatch.setattr(panel, "_draw", counted)
    w.docks["model"].raise_()  # the PCA panel goes behind another tab
    w.docks["distance"].hide()  # the distance dock is closed
    qtbot.waitUntil(lambda: not w.pca_panel._on_screen() and not w.distance_panel._on_screen())
    w.app.set_masks(centre((1, 8, 8)))
    p = wait_for_current(qtbot, w)
    QApplication.processEvents()
    assert draws == {"pca": 0, "distance": 0}
    w.docks["pca"].raise_()
    w.docks["distance"].show()
    qtbot.waitUntil(lambda: draws["pca"] == 1 and draws["distance"] == 1)
    heat = p.heatmap(w.distance_panel.metric_name)[0]
    assert np.array_equal(np.nan_to_num(w.distance_panel.heat_image.image, nan=-1), np.nan_to_num(heat, nan=-1))
    assert len(w.pca_panel.predicted_points.getData()[0]) == sum(len(g.target_indices) for g in p.groups)


def test_the_final_state_after_a_stroke_is_shown_exactly(qtbot, window):
    w = window
    wait_for_current(qtbot, w)
    w.app.set_layer(Layer.TARGET_NEW)
    stroke(qtbot, w.canvas, [(0, c) for c in range(8)] + [(1, c) for c in reversed(range(8))])
    p = wait_for_current(qtbot, w)
    qtbot.waitUntil(lambda: w.pca_panel._pending is None)  # the PCA panel draws one event-loop pass later
    assert p.masks == w.app.masks.without_empty_targets()
    metric = w.distance_panel.metric_name
    shown = w.distance_panel.heat_image.image
    assert np.array_equal(np.nan_to_num(shown, nan=-1), np.nan_to_num(p.heatmap(metric)[0], nan=-1))
    # the heatmap covers the patch grid exactly (its rectangle follows the image it shows)
    rect = w.distance_panel.heat_image.mapRectToParent(w.distance_panel.heat_image.boundingRect())
    assert (rect.width(), rect.height()) == pytest.approx((8, 8))
    assert w.distance_panel.table.item(0, 1).text() == f"{p.summary['predictor'][metric]['mean']:.4f}"
    assert w.distance_panel.colorbar.values[1] > 0
    low, high = w.distance_panel.bar_plot.viewRange()[0]
    assert low == 0 and high >= max(r[metric]["mean"] for r in p.summary.values())
    tails, tips = w.pca_panel.arrowheads.tails, w.pca_panel.arrowheads.tips
    assert np.allclose(tails, np.concatenate([g.predicted_pca[:, :2] for g in p.groups]))
    assert np.allclose(tips, np.concatenate([w.pca_panel._xy[g.target_indices] for g in p.groups]))
    # every predicted point is inside the scatter plot's range
    (x0, x1), (y0, y1) = w.pca_panel.scatter_plot.viewRange()
    assert (tails[:, 0] >= x0).all() and (tails[:, 0] <= x1).all() and (tails[:, 1] >= y0).all() and (tails[:, 1] <= y1).all()
    chip = w.legend._chips[len(p.groups)]  # chip 0 is the context, chip k target group k
    expected = chip_text(len(p.groups), int(p.masks.targets[-1][0].sum()), w.legend.compact)  # "Target 4 (9)" or "T4 9"
    assert chip.isVisible() and chip.text() == expected


def test_texts_that_change_with_every_edit_re_lay_out_nothing(qtbot, window):
    """Counts, the verdict, the latency and the hovered patch change 25 times a second during a stroke: none of
    them may ask the window for a new layout (that re-laid out and repainted every dock per edit)."""
    from PySide6.QtCore import QEvent, QObject

    w = window
    w.app.set_layer(Layer.TARGET_NEW)
    w.app.set_brush_size(1)
    viewport = w.canvas.viewport()
    cells = [(0, c) for c in range(8)] + [(1, c) for c in reversed(range(8))]
    qtbot.mousePress(viewport, Qt.LeftButton, pos=w.canvas.patch_center(*cells[0]))
    qtbot.mouseMove(viewport, w.canvas.patch_center(*cells[1]))
    wait_for_current(qtbot, w)
    qtbot.wait(200)  # the new group's chip appearing re-lays out the window once, over a few event-loop passes
    chip = w.legend._chips[len(w.app.masks.targets)]  # the new group's chip (chip 0 is the context)

    class LayoutRequests(QObject):
        def __init__(self):
            super().__init__()
            self.seen = []

        def eventFilter(self, obj, event):
            if event.type() == QEvent.LayoutRequest and obj is w:
                self.seen.append(type(obj).__name__)
            return False

    requests = LayoutRequests()
    w.installEventFilter(requests)
    texts = set()
    for cell in cells[2:]:
        qtbot.mouseMove(viewport, w.canvas.patch_center(*cell))
        wait_for_current(qtbot, w)
        QApplication.processEvents()
        texts.add((w.legend.stats_label.text(), chip.text(), w.status.latency_label.text(), w.hover_label.text()))
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=w.canvas.patch_center(*cells[-1]))
    w.removeEventFilter(requests)
    assert len(texts) == len(cells) - 2  # every edit changed what the texts say ...
    assert requests.seen == []  # ... and none of them re-laid out the window
    assert chip.text() == chip_text(len(w.app.masks.targets), len(cells), w.legend.compact)


def test_mid_stroke_the_heatmap_follows_every_result_and_the_numbers_catch_up(qtbot, window):
    w = window
    panel = w.distance_panel
    first = wait_for_current(qtbot, w)
    w.app.set_masks(centre((1, 8, 8)))
    second = wait_for_current(qtbot, w)
    metric = panel.metric_name
    mean = lambda p: f"{p.summary['predictor'][metric]['mean']:.4f}"  # noqa: E731
    assert mean(first) != mean(second)

    qtbot.wait(150)  # longer than the stroke's detail interval since the numbers were last drawn
    panel.set_stroking(True)
    heat = lambda p: np.nan_to_num(p.heatmap(metric)[0], nan=-1)  # noqa: E731
    panel.show_prediction(first)
    assert np.array_equal(np.nan_to_num(panel.heat_image.image, nan=-1), heat(first))  # the heatmap: at once
    assert panel.table.item(0, 1).text() == mean(second)  # the numbers: in a pass of their own, after this one
    qtbot.waitUntil(lambda: panel.table.item(0, 1).text() == mean(first), timeout=2000)
    panel.show_prediction(second)  # within the stroke's detail interval of the first
    assert np.array_equal(np.nan_to_num(panel.heat_image.image, nan=-1), heat(second))
    qtbot.wait(20)
    assert panel.table.item(0, 1).text() == mean(first)  # the numbers: not yet
    qtbot.waitUntil(lambda: panel.table.item(0, 1).text() == mean(second), timeout=2000)  # caught up by the timer

    panel.show_prediction(first)
    panel.set_stroking(False)  # the stroke's end shows the latest numbers at once
    assert panel.table.item(0, 1).text() == mean(first)
    assert panel.verdict_label.text() == results.verdict(first, metric)[0]


def test_mid_stroke_the_pca_range_only_grows_and_fits_again_when_the_stroke_ends(qtbot, window):
    w = window
    pca = w.pca_panel
    wait_for_current(qtbot, w)
    qtbot.waitUntil(lambda: pca._pending is None)
    cloud = pca._xy
    far = cloud.max(axis=0) + 3 * np.ptp(cloud, axis=0)  # a prediction far outside the cloud
    pca.set_stroking(True)
    pca._fit_range(np.vstack([cloud, far]))
    grown = pca._shown_range
    pca._fit_range(cloud)  # the far prediction is gone: mid-stroke the range stays
    assert pca._shown_range == grown
    pca.set_stroking(False)  # the stroke's end draws the latest result in a range fitted to it
    qtbot.waitUntil(lambda: pca._pending is None)
    assert pca._shown_range != grown
    (x0, x1), _ = pca.scatter_plot.viewRange()
    assert x1 < far[0]


def test_queued_draws_run_one_per_event_loop_pass(qapp):
    from PySide6.QtCore import QTimer

    from jepa_explorer.gui.panels.deferred import RateLimit

    order = []
    limits = [RateLimit(None, lambda k=k: order.append(k) or True, next_pass=True) for k in range(3)]
    passes = []
    ticker = QTimer()
    ticker.timeout.connect(lambda: passes.append(list(order)))
    ticker.start(0)
    for limit in limits:
        limit.request()
    limits[0].request()  # asked again while waiting: still one draw
    assert order == []  # none at once
    deadline = time.perf_counter() + 2
    while len(order) < 3 and time.perf_counter() < deadline:
        qapp.processEvents()
    ticker.stop()
    assert order == [0, 1, 2]  # in the order asked, each once
    drawn_counts = sorted({len(p) for p in passes})
    assert {1, 2} <= set(drawn_counts)  # the ticker saw the pass after the first draw and after the second


def test_a_queued_draw_goes_with_its_panel(qapp):
    from PySide6.QtWidgets import QWidget

    from jepa_explorer.gui.panels.deferred import PASSES, RateLimit

    drawn = []
    panel = QWidget()
    limit = RateLimit(panel, lambda: drawn.append(1) or True, next_pass=True)
    limit.request()
    assert limit in PASSES._waiting
    del panel  # the panel's C++ side is deleted now, before the queue's next pass
    deadline = time.perf_counter() + 1
    while time.perf_counter() < deadline and limit in PASSES._waiting:
        qapp.processEvents()
    assert limit not in PASSES._waiting
    assert drawn == []
