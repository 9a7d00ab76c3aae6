"""Video in the window: a clip opens with the video model, the timeline moves through time, masks are
painted across time steps, future-frame predictions show error per step, bad files change nothing."""

import numpy as np
import pytest

from jepa_explorer.resources import checkpoints_dir, default_checkpoint, default_video_checkpoint, sample_clips

from .conftest import TIMEOUT_MS, stroke, wait_for_current

pytestmark = pytest.mark.skipif(
    default_video_checkpoint() is None or default_checkpoint() is None or not sample_clips(),
    reason="needs the bundled video and image models and clips",
)


@pytest.fixture
def video_window(qtbot, settings):
    """The window opened on the first bundled clip (the video model loads by itself)."""
    from jepa_explorer.gui.main_window import MainWindow

    w = MainWindow(image=str(sample_clips()[0]), settings=settings, show_dialogs=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.errors = []
    w.errorShown.connect(w.errors.append)
    with qtbot.waitSignal(w.predictionShown, timeout=TIMEOUT_MS):
        w.start()
    assert w.errors == []  # the video model loads once, for the clip, without complaints
    yield w
    w.close()


def test_a_clip_opens_with_the_video_model_and_its_timeline(video_window):
    w = video_window
    t_len, height, width = w.app.model_info.grid_shape
    assert w.app.model_info.video and t_len > 1 and w.app.clip_view is not None
    assert w.timeline.isVisible() and w.timeline.slider.maximum() == t_len - 1
    assert len(w.app.display_frames) == t_len and w.app.masks.grid_shape == (t_len, height, width)
    assert w.app.prediction.masks.grid_shape == (t_len, height, width)
    assert "source frame" in w.timeline.info_label.text()
    assert w.qactions["preset_multiblock"].text() == "V-JEPA tubes" and w.qactions["preset_future"].isEnabled()


def test_future_frames_preset_predicts_the_second_half_and_plots_error_per_step(qtbot, video_window):
    w = video_window
    t_len = w.app.model_info.grid_shape[0]
    w.apply_preset("future")
    prediction = wait_for_current(qtbot, w)
    masks = prediction.masks
    half = t_len // 2
    assert masks.context[:half].all() and not masks.context[half:].any() and masks.targets[0][half:].all()
    steps, values = w.timeline.curve_data("predictor")
    assert list(steps) == list(range(half + 1, t_len + 1)) and np.all(np.isfinite(values))
    copy_steps, copy_values = w.timeline.curve_data("last_context_step")
    assert list(copy_steps) == list(steps)  # the leak-free "copy the last context step" baseline beside it
    # the heatmap follows the timeline: a context step has no target patches, a future step has all
    w.timeline.set_step(0)
    assert np.isnan(w.distance_panel.heatmap_data()).all()
    w.timeline.set_step(t_len - 1)
    assert np.isfinite(w.distance_panel.heatmap_data()).all()
    assert w.app.time_step == t_len - 1
    assert np.array_equal(w.canvas._image, w.app.display_frames[t_len - 1])


def test_stepping_through_time_with_keys_and_playing(qtbot, video_window):
    w = video_window
    w.qactions["time_next"].trigger()
    w.qactions["time_next"].trigger()
    assert w.timeline.step == 2 and w.app.time_step == 2
    w.qactions["time_prev"].trigger()
    assert w.app.time_step == 1
    w.qactions["play"].trigger()
    qtbot.waitUntil(lambda: w.app.time_step != 1, timeout=5000)
    w.qactions["play"].trigger()
    assert not w.timeline.play_button.isChecked()


def test_painting_on_one_step_or_through_all_of_them(qtbot, video_window):
    w = video_window
    w.qactions["clear"].trigger()
    w.timeline.set_step(3)
    w.timeline.set_span("this")
    w.qactions["tool_context"].trigger()
    stroke(qtbot, w.canvas, [(0, 0), (0, 1), (1, 1)])
    context = w.app.masks.context
    assert context[3, 0, 0] and context[3, 1, 1] and context.sum() == 3  # only the shown step
    w.timeline.set_span("all")
    w.qactions["tool_target_new"].trigger()
    stroke(qtbot, w.canvas, [(4, 4), (4, 5)])
    target = w.app.masks.targets[0]
    assert target[:, 4, 4].all() and target[:, 4, 5].all() and target.sum() == 2 * w.app.model_info.grid_shape[0]
    prediction = wait_for_current(qtbot, w)
    assert prediction.masks.target_union.sum() == target.sum()
    strip = w.timeline.strip
    assert strip.context[3] > 0 and strip.context[0] == 0 and np.all(strip.target > 0)


def test_a_broken_video_changes_nothing(qtbot, video_window, tmp_path):
    w = video_window
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"this is not a video")
    before = w.app.masks.copy()
    errors = []
    w.errorShown.connect(errors.append)
    assert not w.open_image(str(bad))
    assert errors and "broken.mp4" in errors[0]
    assert w.app.masks == before and w.app.clip_view is not None and w.app.model_info.video


def test_an_image_after_a_clip_switches_back_to_the_image_model(qtbot, video_window):
    from jepa_explorer.resources import sample_images

    w = video_window
    with qtbot.waitSignal(w.modelShown, timeout=TIMEOUT_MS):
        assert w.open_image(str(sample_images()[0]))
    qtbot.waitUntil(lambda: w.app.prediction is not None and w.app.prediction.masks.grid_shape[0] == 1, timeout=TIMEOUT_MS)
    assert not w.app.model_info.video and not w.timeline.isVisible() and w.app.clip_view is None
    assert w.app.time_step == 0
    assert w.errors == [] and not w.canvas.busy_text.isVisible()  # a switch of models is no error
    # and back to a clip: the video model again, still without an error
    with qtbot.waitSignal(w.modelShown, timeout=TIMEOUT_MS):
        assert w.open_image(str(sample_clips()[-1]))
    qtbot.waitUntil(lambda: w.app.prediction is not None and w.app.prediction.masks.grid_shape[0] > 1, timeout=TIMEOUT_MS)
    assert w.errors == [] and not w.canvas.busy_text.isVisible()


def test_quick_succession_ends_on_the_last_input_with_its_model(qtbot, video_window):
    """Opened before the worker has answered: the last input asked for wins, with the model it needs."""
    from jepa_explorer.resources import sample_images

    w = video_window
    photo, clip = str(sample_images()[0]), str(sample_clips()[0])

    def settled_on(video: bool, path: str):
        qtbot.waitUntil(
            lambda: (
                w.app.model_info is not None
                and w.app.model_info.video == video
                and w.app.image_path == path
                and w.app.prediction is not None
                and (w.app.prediction.masks.grid_shape[0] > 1) == video
                and w.app.prediction.request_id == w.app.last_sent
            ),
            timeout=TIMEOUT_MS,
        )

    assert w.open_image(photo) and w.open_image(clip)  # photo, then clip: the video model
    settled_on(True, clip)
    assert w.open_image(photo)
    settled_on(False, photo)
    assert w.open_image(clip) and w.open_image(photo)  # clip, then photo: back to the image model
    settled_on(False, photo)
    qtbot.wait(1500)  # nothing the worker still had for the clip changes it afterwards
    settled_on(False, photo)
    assert w.app.clip_view is None and not w.timeline.isVisible() and w.errors == []


def test_a_scene_keeps_the_clip_and_the_time_step(qtbot, video_window, tmp_path):
    w = video_window
    w.apply_preset("future")
    wait_for_current(qtbot, w)
    w.timeline.set_step(5)
    path = tmp_path / "clip-scene.json"
    w.save_scene(str(path))
    w.timeline.set_step(0)
    w.apply_preset("multiblock")
    wait_for_current(qtbot, w)
    w.open_scene(str(path))
    qtbot.waitUntil(lambda: w.app.clip_view is not None and w.app.time_step == 5, timeout=TIMEOUT_MS)
    prediction = wait_for_current(qtbot, w)
    assert prediction.masks.context[:4].all() and not prediction.masks.context[4:].any()
    # from a picture (another model): the clip, its masks and its step come back
    from jepa_explorer.resources import sample_images

    with qtbot.waitSignal(w.modelShown, timeout=TIMEOUT_MS):
        w.open_image(str(sample_images()[0]))
    qtbot.waitUntil(lambda: w.app.prediction is not None and w.app.prediction.masks.grid_shape[0] == 1, timeout=TIMEOUT_MS)
    w.open_scene(str(path))
    qtbot.waitUntil(lambda: w.app.clip_view is not None and w.app.prediction is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: w.app.prediction.masks.grid_shape[0] > 1, timeout=TIMEOUT_MS)
    assert w.app.time_step == 5 and w.timeline.step == 5 and w.errors == []


def test_a_mask_hint_clears_the_error_over_time_plot(qtbot, video_window):
    w = video_window
    w.apply_preset("future")
    wait_for_current(qtbot, w)
    assert len(w.timeline.curve_data()[0]) > 0
    w.qactions["clear"].trigger()
    assert len(w.timeline.curve_data()[0]) == 0


def test_step_through_survives_a_switch_to_a_picture(qtbot, video_window):
    from jepa_explorer.resources import sample_images

    w = video_window
    w.qactions["step"].trigger()
    w.qactions["step"].trigger()
    w.qactions["step"].trigger()  # stage 3: the target encoder's colours of this clip
    assert w.canvas.stage_overlay is not None and w.canvas.stage_overlay.shape[0] > 1
    with qtbot.waitSignal(w.modelShown, timeout=TIMEOUT_MS):
        w.open_image(str(sample_images()[0]))
    qtbot.waitUntil(lambda: w.app.prediction is not None and w.app.prediction.masks.grid_shape[0] == 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: w.canvas.stage_overlay is not None and w.canvas.stage_overlay.shape[0] == 1, timeout=TIMEOUT_MS)


def test_hovering_a_patch_draws_its_path_through_time_in_the_pca_plot(qtbot, video_window):
    w = video_window
    t_len, height, width = w.app.model_info.grid_shape
    w.apply_preset("future")
    wait_for_current(qtbot, w)
    w.timeline.set_step(t_len - 1)
    w.docks["pca"].raise_()
    qtbot.mouseMove(w.canvas.viewport(), w.canvas.patch_center(2, 3))
    qtbot.waitUntil(lambda: len(w.pca_panel.path_data()[0]) == t_len, timeout=5000)
    actual, predicted = w.pca_panel.path_data()
    half = t_len // 2
    # the dashed path leaves the last context step and runs through the predicted future steps
    assert len(predicted) == t_len - half + 1
    np.testing.assert_allclose(predicted[0], actual[half - 1])
    index = ((t_len - 1) * height + 2) * width + 3
    group = w.app.prediction.groups[0]
    row = int(np.flatnonzero(group.target_indices == index)[0])
    np.testing.assert_allclose(predicted[-1], group.predicted_pca[row, :2], rtol=1e-5)


@pytest.mark.skipif(not (checkpoints_dir() / "vjepa-tiny-decoder" / "card.json").is_file(), reason="needs the video decoder")
def test_pixel_panel_decodes_the_shown_step_of_a_clip(qtbot, video_window):
    w = video_window
    tiles = w.pixel_panel.tiles
    w.apply_preset("future")
    w.docks["pixels"].raise_()
    qtbot.waitUntil(lambda: w.app.prediction is not None and w.app.prediction.pixels is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: tiles["jepa"].available and tiles["actual"].available, timeout=TIMEOUT_MS)
    assert not tiles["mae"].available and "video" in tiles["mae"].placeholder.text()
    assert "PSNR" in tiles["jepa"].caption.text() and "PSNR on targets" in tiles["jepa"].caption.toolTip()
    assert w.app.prediction.pixels.decoded_with_reference  # the bundled decoder starts from the last context frame
    assert "last context frame" in tiles["jepa"].toolTip()
    w.timeline.set_step(6)  # a future step: its first frame, decoded from the prediction
    frame = w.app.prediction.pixels.images["decoded_prediction"][12]
    assert np.array_equal(np.asarray(tiles["jepa"].image.image), frame)


def test_a_long_video_is_explored_a_clip_at_a_time(qtbot, video_window, tmp_path):
    from tests.media.test_video import read_index, write_video

    w = video_window
    path = tmp_path / "long.mp4"
    write_video(path, 200, size=(128, 128))  # square: the canvas shows the whole frame
    w.apply_preset("future")
    masks = wait_for_current(qtbot, w).masks
    w.open_image(str(path))
    qtbot.waitUntil(lambda: w.app.clip_view is not None and w.app.clip_view.path == str(path), timeout=TIMEOUT_MS)
    bar = w.timeline.source_bar
    assert bar.isVisible() and bar.frame_count == 200 and bar.indices[0] == 0 and bar.max_start > 100
    assert "of 200" in w.timeline.info_label.text()
    bar.startChosen.emit(120)  # what a drag of the window ends with
    qtbot.waitUntil(lambda: w.app.clip_view.indices[0] == 120, timeout=TIMEOUT_MS)
    assert read_index(w.app.display_frames[0]) == pytest.approx(120, abs=2)  # the frames really come from there
    prediction = wait_for_current(qtbot, w)
    assert prediction.masks == masks  # the painted masks stay with the new part of the video
    scene = tmp_path / "long-scene.json"
    w.save_scene(str(scene))
    bar.startChosen.emit(0)
    qtbot.waitUntil(lambda: w.app.clip_view.indices[0] == 0, timeout=TIMEOUT_MS)
    w.open_scene(str(scene))
    qtbot.waitUntil(lambda: w.app.clip_view.indices[0] == 120, timeout=TIMEOUT_MS)
