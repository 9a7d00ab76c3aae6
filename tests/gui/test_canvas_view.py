"""The canvas as a learner reads it: zoom and pan, mask opacity, the feature overlay and the click-a-patch
similarity map, hatched unused patches, outlined target groups, and a hover line that never goes stale."""

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from jepa_explorer.app import mask_edit
from jepa_explorer.gui.canvas import label_cell, outline_segments, run_cells
from jepa_explorer.masks.grid import PatchMasks
from jepa_explorer.resources import sample_images

from .conftest import TIMEOUT_MS, wait_for_current


def _wheel(canvas, pos: QPoint, delta: int) -> None:
    event = QWheelEvent(QPointF(pos), QPointF(canvas.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, delta),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(canvas.viewport(), event)


def test_run_cells_and_outline_segments():
    cells = np.array([[1, 1, 0, 1], [0, 1, 0, 0]], bool)
    assert run_cells(cells) == [(0, 0, 2), (0, 3, 4), (1, 1, 2)]
    square = np.zeros((3, 3), bool)
    square[1, 1] = True
    segments = outline_segments(square).reshape(-1, 2, 2)
    assert len(segments) == 4  # one patch: four unit edges around it
    assert {tuple(map(tuple, s)) for s in segments} == {((1, 1), (2, 1)), ((1, 2), (2, 2)), ((1, 1), (1, 2)), ((2, 1), (2, 2))}
    assert label_cell(square, set()) == (1, 1) and label_cell(square, {(1, 1)}) == (1, 1)  # no other cell: it shares
    two = np.zeros((3, 3), bool)
    two[1, 1:] = True
    assert label_cell(two, {(1, 1)}) == (1, 2)


def test_wheel_zooms_around_the_mouse_shift_drag_pans_and_fit_resets(qtbot, window):
    canvas = window.canvas
    full = canvas.viewbox.viewRect()
    assert not canvas.zoomed
    _wheel(canvas, canvas.patch_center(1, 1), 480)  # four notches in, near the top-left
    zoomed = canvas.viewbox.viewRect()
    assert canvas.zoomed and zoomed.width() < full.width() * 0.6
    assert zoomed.left() < 1.5 < zoomed.right() and zoomed.top() < 1.5 < zoomed.bottom()  # the patch stays in view
    viewport = canvas.viewport()
    start, end = canvas.patch_center(2, 2), canvas.patch_center(1, 1)
    masks_before = window.app.masks
    qtbot.mousePress(viewport, Qt.LeftButton, Qt.ShiftModifier, start)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.LeftButton, Qt.ShiftModifier, end)
    panned = canvas.viewbox.viewRect()
    assert panned.left() > zoomed.left() + 0.5 and panned.top() > zoomed.top() + 0.5  # dragged up-left: view moves right-down
    assert window.app.masks == masks_before  # a pan paints nothing
    _wheel(canvas, canvas.patch_center(1, 1), -2400)  # far out: it stops at the whole picture
    assert not canvas.zoomed
    _wheel(canvas, canvas.patch_center(1, 1), 480)
    window.qactions["fit_view"].trigger()
    assert not canvas.zoomed and abs(canvas.viewbox.viewRect().width() - full.width()) < 1e-6


def test_mask_opacity_from_the_slider_and_the_key(window):
    canvas, legend = window.canvas, window.legend
    legend.mask_slider.setValue(30)
    assert canvas.overlay_item.opacity() == 0.3 and canvas.hatch_item.opacity() == 0.3
    window.qactions["mask_opacity"].trigger()
    assert canvas.mask_opacity == 0.0 and legend.mask_slider.value() == 0  # the slider follows the key
    window.qactions["mask_opacity"].trigger()
    assert canvas.mask_opacity == 1.0 and legend.mask_slider.value() == 100


def test_pca_colour_overlay_shows_the_actual_embeddings_colours(window):
    canvas, app = window.canvas, window.app
    assert not canvas.feature_item.isVisible()
    window.legend.overlay_box.setCurrentIndex(window.legend.overlay_box.findData("pca"))
    height, width = app.grid_hw
    shown = np.asarray(canvas.feature_item.image)
    assert canvas.feature_item.isVisible() and shown.shape == (height, width, 3)
    assert np.array_equal(shown.reshape(-1, 3), app.input_view.actual_rgb[: height * width])
    window.legend.overlay_slider.setValue(25)
    assert canvas.feature_item.opacity() == 0.25


def test_ctrl_click_shows_the_similarity_map_of_that_patch(qtbot, window):
    canvas, app = window.canvas, window.app
    masks_before = app.masks
    row, col = 2, 5
    qtbot.mouseClick(canvas.viewport(), Qt.LeftButton, Qt.ControlModifier, canvas.patch_center(row, col))
    assert app.masks == masks_before  # a question, not a stroke
    values = canvas.feature_values()
    height, width = app.grid_hw
    assert canvas.feature_mode == "similarity" and values.shape == (height, width)
    assert tuple(map(int, np.unravel_index(np.argmax(values), values.shape))) == (row, col) and abs(values[row, col] - 1.0) < 1e-9
    assert canvas.feature_item.isVisible() and canvas.similarity_marker.isVisible()
    assert window.legend.overlay_box.currentData() == "similarity"
    # a new picture: the clicked patch belonged to the old one
    app.open(str(sample_images()[0]))
    assert canvas.similarity_index is None and not canvas.feature_item.isVisible()


def test_unused_patches_are_hatched_with_a_legend_entry(qtbot, window):
    app, canvas = window.app, window.canvas
    height, width = app.grid_hw
    context, target = np.zeros((1, height, width), bool), np.zeros((1, height, width), bool)
    context[0, :, :3] = True
    target[0, :2, -2:] = True
    masks = PatchMasks(context, [target])
    app.set_masks(masks)
    unused = canvas.unused_cells()
    expected = ~(masks.context[0] | masks.targets[0][0])
    assert np.array_equal(unused, expected) and unused.sum() == height * width - 3 * height - 4
    assert canvas.hatch_item.isVisible() and canvas.hatch_item.brush().style() == Qt.BDiagPattern
    area = canvas.hatch_item.path().boundingRect()
    assert area.left() == 3 and area.right() == width and area.height() == height
    QApplication.processEvents()
    assert window.legend.unused_chip.text() == f"Not used ({int(expected.sum())})"
    app.apply(mask_edit.fill_context)
    assert not canvas.unused_cells().any() and canvas.hatch_item.path().isEmpty()


def test_overlapping_target_groups_are_outlined_and_keep_their_own_labels(window):
    app, canvas = window.app, window.canvas
    height, width = app.grid_hw
    context = np.zeros((1, height, width), bool)
    context[0, -1, :] = True
    first, second = np.zeros((1, height, width), bool), np.zeros((1, height, width), bool)
    first[0, 0:3, 0:3] = True
    second[0, 0:3, 0:4] = True  # covers the first group (a later group paints over it)
    masks = PatchMasks(context, [first, second])
    app.set_masks(masks)
    for k, cells in enumerate((first[0], second[0])):
        drawn = canvas.group_outline(k)
        assert len(drawn) == 2 * (2 * cells.sum(axis=0).astype(bool).sum() + 2 * cells.sum(axis=1).astype(bool).sum())
    labels = [label.pos() for label in canvas._group_labels[:2]]
    assert all(label.isVisible() for label in canvas._group_labels[:2])
    assert (labels[0].x(), labels[0].y()) != (labels[1].x(), labels[1].y())  # never one number on the other


def test_hover_line_is_refreshed_on_a_new_result_and_cleared_on_a_new_picture(qtbot, window):
    app, canvas = window.app, window.canvas
    # not the first target: Qt drops a move to where the cursor already is, and other tests hover that one
    target = int(app.prediction.groups[-1].target_indices[-1])
    height, width = app.grid_hw
    row, col = divmod(target % (height * width), width)
    qtbot.mouseMove(canvas.viewport(), canvas.patch_center(row, col))
    assert canvas.hovered == target
    before = window.hover_label.text()
    assert "target" in before
    app.set_metric("cosine")
    assert "cosine" in window.hover_label.text()
    masks = app.masks.copy()
    masks.targets[0][...] = False
    masks.targets[0].reshape(-1)[target] = True  # a one-patch target at the hovered place: new numbers
    masks.context.reshape(-1)[target] = False
    app.set_masks(masks)
    prediction = wait_for_current(qtbot, window)
    assert window.hover_label.text() == window.hover_label.text() and prediction.groups[0].target_indices.tolist() == [target]
    value = prediction.groups[0].distances["cosine"][0]
    assert f"{value:.3f}" in window.hover_label.text()
    with qtbot.waitSignal(window.inputShown, timeout=TIMEOUT_MS):
        app.open(str(sample_images()[0]))
    assert canvas.hovered == -1 and not canvas.hover_item.isVisible() and window.hover_label.text().strip() == ""
    qtbot.mouseMove(canvas.viewport(), QPoint(canvas.viewport().width() - 2, canvas.viewport().height() - 2))  # park it
