"""Opening is all-or-nothing in the window (a truncated video, a scene whose files are missing), and the
exports write what is on screen: panel pictures of the visible panels only, picture sizes for slides, a
CSV whose header says what its numbers are."""

import csv
import json

import numpy as np
import pytest
from PIL import Image

from jepa_explorer.app import mask_edit
from jepa_explorer.errors import JepaError
from jepa_explorer.gui import files
from jepa_explorer.resources import default_video_checkpoint

from .conftest import TIMEOUT_MS, wait_for_current


def truncated_avi(path, frames: int = 40, keep_bytes: int = 8000):
    """A short MJPEG AVI cut after its first frame: the header (40 frames declared) reads, the frames do not."""
    av = pytest.importorskip("av")
    rng = np.random.default_rng(0)
    whole = path.with_name("whole.avi")
    with av.open(str(whole), "w") as container:
        stream = container.add_stream("mjpeg", rate=8)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuvj420p"
        for _ in range(frames):
            frame = av.VideoFrame.from_ndarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    path.write_bytes(whole.read_bytes()[:keep_bytes])
    return path


def state_of(w):
    app = w.app
    return (app.model_info.source, app.checkpoint, app.masks.copy(), app.input.path, app.input.request_id, app.metric)


@pytest.mark.skipif(default_video_checkpoint() is None, reason="needs the bundled video model")
def test_a_truncated_video_never_switches_the_model_or_touches_the_masks(qtbot, window, tmp_path):
    from jepa_explorer.media.video import probe_video

    w = window
    bad = truncated_avi(tmp_path / "street.avi")
    assert probe_video(bad).frame_count == 40  # the header is fine: only decoding finds the damage
    w.apply_preset("centre")  # an undo step of the user's, to keep
    wait_for_current(qtbot, w)
    before = state_of(w)
    shown_models, errors = [], []
    w.modelShown.connect(shown_models.append)
    w.errorShown.connect(errors.append)
    assert w.open_image(str(bad))  # the probe passes; the worker loads the video model, then cannot decode
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)
    assert "street.avi" in errors[0] and "truncated" in errors[0]
    qtbot.waitUntil(lambda: w.app.input_view is not None and w.app.input_view.request_id == before[4], timeout=TIMEOUT_MS)
    prediction = wait_for_current(qtbot, w)  # the image model is back in the worker and predicts again
    assert all(not info.video for info in shown_models)  # the video model was never on screen
    after = state_of(w)
    assert after[:2] == before[:2] and after[2] == before[2] and after[3:] == before[3:]
    assert prediction.masks == before[2] and w.app.history.can_undo
    assert not w.canvas.busy_text.isVisible() and not w.timeline.isVisible()
    assert w.app.masks.grid_shape == tuple(w.app.model_info.grid_shape) == (1, *w.app.grid_hw)


@pytest.mark.parametrize("missing", ["checkpoint", "image"])
def test_a_scene_with_a_missing_file_changes_nothing_and_says_what_is_missing(qtbot, window, tmp_path, missing):
    w = window
    picture = tmp_path / "street.png"
    Image.fromarray(np.full((48, 64, 3), 90, np.uint8)).save(picture)
    assert w.open_image(str(picture))
    w.apply_preset("block")
    wait_for_current(qtbot, w)
    scene = tmp_path / "lecture.json"
    w.save_scene(str(scene))
    record = json.loads(scene.read_text())
    gone = tmp_path / ("model.safetensors" if missing == "checkpoint" else "gone.png")
    record[missing], record[f"{missing}_relative"] = str(gone), None
    scene.write_text(json.dumps(record))
    w.apply_preset("centre")  # the user's masks now differ from the scene's
    wait_for_current(qtbot, w)
    before = state_of(w)
    errors = []
    w.errorShown.connect(errors.append)
    w._open_recent(str(scene))  # as the File menu, a recent scene or a drop open it (read off the UI thread)
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)
    assert errors and gone.name in errors[0] and "does not exist" in errors[0]
    after = state_of(w)
    assert after[:2] == before[:2] and after[2] == before[2] and after[3:] == before[3:]
    assert not w.canvas.busy_text.isVisible()  # no "No model loaded" over the picture
    w.app.apply(mask_edit.clear)
    w.app.undo()
    assert wait_for_current(qtbot, w).masks == before[2]  # the model on screen still answers


def on_screen_names(w):
    return {"canvas"} | {k for k, d in w.docks.items() if d.isVisible() and not d.visibleRegion().isEmpty()}


def test_panel_pictures_are_of_the_panels_on_screen_only(qtbot, window, tmp_path):
    w = window
    qtbot.wait(50)
    written = w.export_panels(str(tmp_path / "a"))
    names = {p.rsplit("/", 1)[-1][:-4] for p in written}
    assert names == on_screen_names(w) == {"canvas", "distance", "pca"}  # not the Pixels and Model tabs behind
    for path in written:
        widget = w.centralWidget() if path.endswith("canvas.png") else w.docks[path.rsplit("/", 1)[-1][:-4]]
        with Image.open(path) as image:
            assert image.size == (widget.width(), widget.height())
    w.docks["model"].raise_()
    w.docks["distance"].close()
    qtbot.waitUntil(lambda: on_screen_names(w) == {"canvas", "model"}, timeout=TIMEOUT_MS)
    names = {p.rsplit("/", 1)[-1][:-4] for p in w.export_panels(str(tmp_path / "b"))}
    assert names == {"canvas", "model"}
    with Image.open(tmp_path / "b" / "model.png") as image:  # the model panel at its size on screen, not a crop
        assert image.size == (w.docks["model"].width(), w.docks["model"].height())


def test_picture_sizes_for_slides(qtbot, window, tmp_path):
    w = window
    sizes = {}
    for label in files.EXPORT_SIZES:
        path = tmp_path / f"{label[:5]}.png"
        w.export_window(str(path), label)
        with Image.open(path) as image:
            sizes[label] = image.size
            if label.startswith("Slide"):
                corner = np.asarray(image.convert("RGB"))[0, 0]
    assert sizes["As on screen (1×)"] == (w.width(), w.height())
    assert sizes["Sharp (2×)"] == (2 * w.width(), 2 * w.height())
    assert sizes["Slide 1920×1080"] == (1920, 1080) and sizes["Slide 1280×720"] == (1280, 720)
    assert tuple(corner) == (0x1E, 0x1F, 0x24)  # the window, scaled to fit, centred on the background colour
    written = w.export_panels(str(tmp_path / "slides"), "Slide 1920×1080")
    for path in written:
        with Image.open(path) as image:
            assert image.size == (1920, 1080)


def test_a_png_that_cannot_be_written_says_so_and_leaves_nothing(window, tmp_path):
    target = tmp_path / "no-such-folder" / "window.png"
    with pytest.raises(JepaError, match="no-such-folder"):
        window.export_window(str(target))
    assert not target.parent.exists()


def test_the_csv_header_names_image_model_masks_and_metric(qtbot, window, tmp_path):
    w = window
    w.app.set_metric("cosine")
    p = w.app.prediction
    path = tmp_path / "numbers.csv"
    w.app.export_numbers(str(path))
    lines = path.read_text().splitlines()
    about = dict(line[2:].split(": ", 1) for line in lines if line.startswith("# "))
    assert set(about) == {"image", "model", "masks", "metric"}
    assert about["image"] == "the generated demo image" if w.app.image_path is None else w.app.image_path
    assert w.app.model_info.name in about["model"] and "ijepa.pth.tar" in about["model"]
    masks = p.masks
    assert f"context {int(masks.context.sum())} patches" in about["masks"]
    assert f"{len(masks.targets)} target group" in about["masks"]
    assert about["metric"].startswith("cosine distance (cosine)")
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    assert len(rows) == sum(len(g.target_indices) for g in p.groups)
    first = p.groups[0]
    assert float(rows[0]["predictor_cosine"]) == pytest.approx(float(first.distances["cosine"][0]), rel=1e-5)


def test_a_failed_export_keeps_the_file_that_was_there(window, tmp_path, monkeypatch):
    path = tmp_path / "numbers.npz"
    path.write_bytes(b"yesterday's numbers")

    def disk_full(file, **arrays):
        file.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", disk_full)
    with pytest.raises(JepaError, match="numbers.npz: cannot write the numbers"):
        window.app.export_numbers(str(path))
    assert path.read_bytes() == b"yesterday's numbers"
    assert [p.name for p in tmp_path.iterdir()] == ["numbers.npz"]  # no temporary file left behind
