"""The app model without Qt: intents in, backend requests out, results back through the one stale rule;
model switching from the requested state; all-or-nothing opening; scenes checked against one schema."""

import json
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from jepa_explorer.app import mask_edit
from jepa_explorer.app.mask_edit import Layer
from jepa_explorer.app.messages import ClipView, InputView, ModelInfo, WorkerError
from jepa_explorer.app.model import AppModel
from jepa_explorer.app.scene import SceneError
from jepa_explorer.masks.grid import PatchMasks
from jepa_explorer.resources import default_checkpoint, default_video_checkpoint, sample_clips

IMAGE_GRID = (1, 8, 8)
VIDEO_GRID = (4, 8, 8)


class FakeBackend:
    """Records every request; a test answers them by calling the model's result methods."""

    def __init__(self):
        self.calls = []

    def load_model(self, source, device=None):
        self.calls.append(("model", source))

    def set_device(self, device):
        self.calls.append(("device", device))

    def set_input(self, image, request_id):
        self.calls.append(("input", request_id))

    def open_clip(self, path, display_size, request_id, start=0):
        self.calls.append(("clip", path, request_id))

    def predict(self, masks, request_id, pixels=True, surface_tax=False):
        self.calls.append(("predict", masks, request_id))

    def last(self, kind):
        return next((c for c in reversed(self.calls) if c[0] == kind), None)


def info(source, video=False):
    grid = VIDEO_GRID if video else IMAGE_GRID
    return ModelInfo("m", str(source), "vjepa" if video else "ijepa", grid, 64, 8, {}, [], "cpu", ["cpu"], False, True, video)


def encoded(request_id, key="k1"):
    return InputView(request_id, key, np.zeros((64, 64, 3), np.uint8), np.zeros((64, 4)), np.zeros((64, 2)), None, None, 0.0)


def prediction(request_id, key="k1"):
    return SimpleNamespace(request_id=request_id, input_key=key, timings_ms={"total_ms": 1.0})


def photo(tmp_path, name="photo.png"):
    path = tmp_path / name
    Image.fromarray(np.full((40, 60, 3), 120, np.uint8)).save(path)
    return str(path)


@pytest.fixture
def model(tmp_path):
    """An app model on an image model and a photo, its input encoded."""
    backend = FakeBackend()
    m = AppModel(backend)
    checkpoint = tmp_path / "model-a.safetensors"  # the fake backend never reads it; scenes check it exists
    checkpoint.write_bytes(b"")
    m.load_checkpoint(str(checkpoint))
    m.model_ready(info(checkpoint))
    assert m.open(photo(tmp_path))
    m.input_ready(encoded(m.input.request_id))
    return m


def test_an_edit_asks_for_a_prediction_and_a_stale_one_is_dropped(model):
    backend = model.backend
    model.set_masks(PatchMasks(np.ones(IMAGE_GRID, bool), []))  # no target: a hint, no request
    hints = []
    model.events.hint.connect(hints.append)
    model.apply(lambda m: m)  # same masks again: the hint again
    assert hints and "target" in hints[0].lower()
    masks = PatchMasks.empty(IMAGE_GRID)
    masks.context[0, :4] = True
    target = np.zeros(IMAGE_GRID, bool)
    target[0, 6:] = True
    model.set_masks(PatchMasks(masks.context, [target]))
    first = backend.last("predict")[2]
    model.set_layer(Layer.ERASE)
    assert model.begin_stroke(0, 0)
    model.end_stroke()
    second = backend.last("predict")[2]
    assert second > first
    shown = []
    model.events.prediction.connect(shown.append)
    model.prediction_ready(prediction(second))
    model.prediction_ready(prediction(first))  # late: older than the one on screen
    model.prediction_ready(prediction(second + 1, key="another input"))
    assert [p.request_id for p in shown] == [second] and model.dropped_stale == 2


def test_strokes_make_groups_and_undo_restores_them(model):
    model.set_masks(PatchMasks.empty(IMAGE_GRID), record=False)
    model.set_layer(Layer.TARGET_NEW)
    edits = []
    model.events.masks.connect(edits.append)
    model.begin_stroke(1, 1)
    model.stroke_to(1, 3)
    model.end_stroke()
    assert len(model.masks.targets) == 1 and model.masks.targets[0][0, 1, 1:4].all() and len(edits) >= 2
    model.set_layer(Layer.CONTEXT)
    model.set_rect_mode(True)
    model.begin_stroke(5, 5)
    model.stroke_to(6, 6)
    model.end_stroke()
    assert model.masks.context.sum() == 4
    model.undo()
    assert model.masks.context.sum() == 0 and len(model.masks.targets) == 1
    model.undo()
    assert model.masks == PatchMasks.empty(IMAGE_GRID) and not model.history.can_undo
    model.redo()
    assert len(model.masks.targets) == 1


def test_a_broken_picture_changes_nothing(model, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a png")
    before = (model.checkpoint, model.input, model.masks, len(model.backend.calls))
    errors = []
    model.events.error.connect(lambda title, message: errors.append(message))
    assert not model.open(str(bad))
    assert (model.checkpoint, model.input, model.masks, len(model.backend.calls)) == before
    assert "broken.png" in errors[0]


needs_bundles = pytest.mark.skipif(
    default_video_checkpoint() is None or default_checkpoint() is None or not sample_clips(),
    reason="needs the bundled image and video models and a clip",
)


@needs_bundles
def test_clip_then_photo_in_quick_succession_ends_on_the_photo_with_the_image_model(model, tmp_path):
    image_model, video_model = str(default_checkpoint()), str(default_video_checkpoint())
    model.load_checkpoint(image_model)
    model.model_ready(info(image_model))  # the image model on screen
    backend = model.backend
    assert model.open(str(sample_clips()[0]))
    assert backend.last("model") == ("model", video_model)
    assert model.open(photo(tmp_path, "later.png"))  # before the video model has even loaded
    assert backend.last("model") == ("model", image_model)
    assert model.requested_input.kind == "image" and model.requested_input.model == image_model
    # the worker may still answer for the clip's model: it is not the model asked for last
    model.model_ready(info(video_model, video=True))
    assert model.model_info.video is False
    model.model_ready(info(image_model))
    model.clip_ready(ClipView(model.requested_input.request_id - 1, "clip", [np.zeros((8, 8, 3), np.uint8)] * 4, [], {}, 1))
    assert model.input.kind == "image" and model.input.path.endswith("later.png") and not model.model_info.video


@needs_bundles
def test_photo_then_clip_in_quick_succession_ends_on_the_clip_with_the_video_model(model, tmp_path):
    image_model, video_model = str(default_checkpoint()), str(default_video_checkpoint())
    model.load_checkpoint(video_model)
    model.model_ready(info(video_model, video=True))  # a video model on screen
    backend = model.backend
    assert model.open(photo(tmp_path, "first.png"))
    assert backend.last("model") == ("model", image_model)
    clip = str(sample_clips()[0])
    assert model.open(clip)
    assert backend.last("model") == ("model", video_model) and backend.last("clip")[1] == clip
    model.model_ready(info(image_model))  # the photo's model, asked for before: dropped
    assert model.model_info.video
    model.model_ready(info(video_model, video=True))
    request = model.requested_input.request_id
    model.clip_ready(ClipView(request, clip, [np.zeros((8, 8, 3), np.uint8)] * 4, [[0], [1], [2], [3]], {}, 1))
    assert model.input.kind == "clip" and model.model_info.video and model.masks.grid_shape == VIDEO_GRID


@needs_bundles
def test_a_clip_that_fails_to_decode_never_shows_its_model(model):
    image_model = str(default_checkpoint())
    model.load_checkpoint(image_model)
    model.model_ready(info(image_model))
    model.apply(mask_edit.invert_context)  # an undo step of the user's
    assert model.history.can_undo
    masks, shown, shown_info = model.masks, model.input, model.model_info
    events = []
    model.events.model.connect(events.append)
    model.events.masks.connect(events.append)
    assert model.open(str(sample_clips()[0]))
    model.model_ready(info(str(default_video_checkpoint()), video=True))  # the video model arrived first: held
    assert model.model_info is shown_info and model.masks is masks and events == []
    sent = len(model.backend.calls)
    model.apply(mask_edit.clear)  # an edit meanwhile: the worker holds the video model, nothing is sent
    assert not [c for c in model.backend.calls[sent:] if c[0] == "predict"]
    model.undo()
    model.failed(WorkerError("clip", "clip.mp4: truncated", model.requested_input.request_id))
    assert model.backend.last("model") == ("model", image_model)  # the worker gets the image model back
    model.model_ready(info(image_model))
    assert model.masks == masks and model.input is shown and model.requested_input.kind == "image"
    assert model.history.can_undo and not model.model_info.video


@needs_bundles
def test_the_model_loaded_for_a_clip_shows_with_the_clip(model):
    image_model, video_model = str(default_checkpoint()), str(default_video_checkpoint())
    model.load_checkpoint(image_model)
    model.model_ready(info(image_model))
    clip = str(sample_clips()[0])
    assert model.open(clip)
    model.model_ready(info(video_model, video=True))
    assert not model.model_info.video
    request = model.requested_input.request_id
    model.clip_ready(ClipView(request, clip, [np.zeros((8, 8, 3), np.uint8)] * 4, [[0], [1], [2], [3]], {}, 1))
    assert model.model_info.video and model.input.kind == "clip" and model.masks.grid_shape == VIDEO_GRID


def test_scene_round_trip(model, tmp_path):
    model.set_metric("cosine")
    model.set_brush_size(3)
    saved = model.masks
    path = tmp_path / "scene.json"
    model.save_scene(path)
    model.set_masks(PatchMasks.empty(IMAGE_GRID))
    model.set_metric("l2")
    model.open_scene(path)
    assert model.masks == saved and model.metric == "cosine" and model.brush_size == 3


@pytest.mark.parametrize(
    "change, words",
    [
        ({"view": 7}, "'view' must be an object"),
        ({"view": {"seeds": {"multiblock": "three"}}}, "view.seeds"),
        ({"view": {"metric": "manhattan"}}, "view.metric must be one of"),
        ({"view": {"brush": 0}}, "view.brush must be a whole number"),
        ({"view": {"rect": "yes"}}, "view.rect"),
        ({"image": "/nowhere/missing.png", "image_relative": None}, "missing.png does not exist"),
        ({"checkpoint": "/nowhere/model.safetensors", "checkpoint_relative": None}, "model.safetensors does not exist"),
        ({"masks": {"grid": [1, -8, 8], "context": [], "targets": []}}, "masks.grid"),
        ({"masks": "all of them"}, "'masks' must be an object"),
        ({"image": 12}, "'image' must be a path"),
    ],
)
def test_a_bad_scene_says_what_is_wrong_and_changes_nothing(model, tmp_path, change, words):
    path = tmp_path / "scene.json"
    model.save_scene(path)
    record = json.loads(path.read_text())
    record.update(change)
    path.write_text(json.dumps(record))
    before = (model.checkpoint, model.input, model.masks, model.metric, model.brush_size, len(model.backend.calls))
    with pytest.raises(SceneError) as error:
        model.open_scene(path)
    assert words in str(error.value) and str(path) in str(error.value)
    assert (model.checkpoint, model.input, model.masks, model.metric, model.brush_size, len(model.backend.calls)) == before


def test_a_failed_model_load_keeps_the_model_on_screen(model):
    shown = model.checkpoint
    model.load_checkpoint("bad.pth.tar")
    model.failed(WorkerError("model", "bad.pth.tar: not a checkpoint"))
    assert model.checkpoint == shown == model.model_info.source and "bad.pth.tar" in model.last_error


def test_deferred_work_runs_once_per_pass():
    """With a scheduler that waits, several results and edits before it runs cost one display each."""
    jobs = []
    m = AppModel(FakeBackend(), schedule=jobs.append)
    m.model_ready(info("ckpt-a"))
    m.set_image(np.zeros((16, 16, 3), np.uint8), None)
    m.input_ready(encoded(m.input.request_id))
    shown, settled = [], []
    m.events.prediction.connect(shown.append)
    while jobs:  # what the start-up deferred
        jobs.pop(0)()
    m.events.masks_settled.connect(settled.append)
    m.set_masks(PatchMasks.empty(IMAGE_GRID))
    m.set_masks(m.preset_masks("centre", IMAGE_GRID))
    request = m.backend.last("predict")[2]
    m.prediction_ready(prediction(request - 1 if request > 1 else request))
    m.prediction_ready(prediction(request))
    for job in list(dict.fromkeys(jobs)):
        job()
    assert len(settled) == 1 and [p.request_id for p in shown] == [request]
