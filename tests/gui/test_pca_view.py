"""The PCA panel as a learner reads it: the nearest actual patch of a hovered prediction, patch thumbnails on
the points on demand, tooltips, an explainer, and a title that says clip in video mode."""

import numpy as np

from .test_video import video_window  # noqa: F401  (the clip fixture)


def test_hovering_a_target_shows_the_nearest_actual_patch_of_its_prediction(window):
    panel, prediction = window.pca_panel, window.app.prediction
    group = prediction.groups[0]
    index = int(group.target_indices[0])
    window.canvas.patchHovered.emit(index)  # as a hover on the canvas does
    closest = int(group.nearest_actual[0])
    assert closest in panel.nearest_shown
    line = panel.nearest_line_data()
    assert len(line) >= 2
    assert np.allclose(line[0], group.predicted_pca[0, :2]) and np.allclose(line[1], panel._xy[closest])
    marks = np.column_stack(panel.nearest_marker.getData())
    assert any(np.allclose(mark, panel._xy[closest]) for mark in marks)
    tip = panel._predicted_tip(0, 0, index)
    assert "nearest actual patch" in tip
    # a context patch has no prediction: no line
    context = int(np.flatnonzero(prediction.masks.context.reshape(-1))[0])
    window.canvas.patchHovered.emit(context)
    assert len(panel.nearest_line_data()) == 0 and panel.nearest_shown == []
    window.canvas.patchHovered.emit(-1)
    assert len(panel.highlight.data) == 0


def test_thumbnails_on_the_points_on_demand(window):
    panel = window.pca_panel
    height, width = window.app.grid_hw
    assert panel.thumbnail_count() == 0
    panel.thumbs_box.setChecked(True)
    assert panel.thumbnail_count() == height * width
    first = panel._thumbnails[0]
    rect = first.mapRectToParent(first.boundingRect())
    assert rect.contains(*panel._xy[0])  # centred on its point
    assert np.asarray(first.image).shape[2] == 3
    panel.thumbs_box.setChecked(False)
    assert panel.thumbnail_count() == 0


def test_tooltips_and_explainer(window):
    panel = window.pca_panel
    assert "row" in panel._actual_tip(0, 0, 3) and panel.thumbs_box.toolTip() and panel.caption.toolTip()
    panel.explain.click()
    assert panel.explain.popup.isVisible() and "nearest actual patch" in panel.explain.popup.text()
    panel.explain.popup.hide()
    assert "this image" in panel.scatter_plot.titleLabel.text


def test_video_titles_say_clip_and_step(qtbot, video_window):  # noqa: F811
    panel = video_window.pca_panel
    assert "clip" in panel.scatter_plot.titleLabel.text and "image" not in panel.scatter_plot.titleLabel.text
    video_window.app.set_time_step(2)
    assert "step 3" in panel.actual_box.titleLabel.text
