"""The lesson's host on the app model, without Qt: a chapter's set-up asks for the model and the sample at
once, waits for both (model shown, input encoded) before the preset, the mode and the panel, and stops with
the reason when a step cannot be done."""

from pathlib import Path

import pytest

from jepa_explorer.app.lesson_host import AppLessonHost
from jepa_explorer.app.model import AppModel
from jepa_explorer.app.presets import PRESETS_BY_KEY
from jepa_explorer.lesson.host import LessonHost, apply_setup
from jepa_explorer.lesson.loader import bundled_content_dir, load_lesson
from jepa_explorer.resources import assets_dir, checkpoints_dir

from .test_app_model import IMAGE_GRID, FakeBackend, encoded, info, photo


class RecordingView:
    def __init__(self):
        self.calls = []

    def show_panel(self, name):
        self.calls.append(("panel", name))

    def set_mode(self, name):
        self.calls.append(("mode", name))


@pytest.fixture
def setup(tmp_path):
    """An app model on another image model and a photo; a host whose passes the test runs by hand."""
    if not (assets_dir() / "samples" / "heldout_life.jpg").is_file():
        pytest.skip("bundled samples not here")
    app = AppModel(FakeBackend())
    other = tmp_path / "other.safetensors"
    other.write_bytes(b"")
    app.load_checkpoint(str(other))
    app.model_ready(info(other))
    assert app.open(photo(tmp_path))
    app.input_ready(encoded(app.input.request_id))
    passes = []
    view = RecordingView()
    host = AppLessonHost(app, view, schedule=passes.append)
    events = []
    host.events.done.connect(lambda: events.append("done"))
    host.events.failed.connect(lambda message: events.append(message))

    def run_passes():
        while passes:
            passes.pop(0)()

    return app, host, view, events, run_passes


def test_surface_tax_set_up_waits_for_the_model_and_the_input(setup):
    app, host, view, events, run_passes = setup
    assert isinstance(host, LessonHost)
    masks_before = app.masks
    apply_setup(load_lesson(bundled_content_dir()).chapter("surface-tax"), host)
    run_passes()
    model_path = checkpoints_dir() / "ijepa-tiny"
    assert app.backend.last("model") == ("model", str(model_path))  # asked for at once...
    assert Path(app.requested_input.path).name == "heldout_life.jpg"  # ...and so is the sample
    # nothing else until the model is on screen and the sample encoded
    assert app.masks == masks_before and not app.surface_tax and view.calls == [] and events == [] and host.busy
    app.model_ready(info(model_path))
    run_passes()
    assert view.calls == [] and events == []
    app.input_ready(encoded(app.requested_input.request_id))
    run_passes()
    assert events == ["done"] and not host.busy
    assert app.model_info.source == str(model_path) and Path(app.image_path).name == "heldout_life.jpg"
    seed = app.preset_seeds["multiblock"]
    assert seed == 1  # the preset was pressed once more (a new draw), on the new model's grid
    assert app.masks == PRESETS_BY_KEY["multiblock"].make(IMAGE_GRID, seed)
    assert app.surface_tax and app.stage is None
    assert view.calls == [("mode", "surface-tax"), ("panel", "pixels")]


def test_loop_set_up_starts_the_step_through_and_the_next_set_up_ends_it(setup):
    app, host, view, events, run_passes = setup
    lesson = load_lesson(bundled_content_dir())
    model_path = checkpoints_dir() / "ijepa-tiny"
    apply_setup(lesson.chapter("jepa-loop"), host)
    run_passes()
    app.model_ready(info(model_path))
    app.input_ready(encoded(app.requested_input.request_id))
    run_passes()
    assert events == ["done"] and app.stage == 0 and not app.surface_tax
    apply_setup(lesson.chapter("scope-test"), host)  # same model: only the sample is asked for
    run_passes()
    assert app.backend.last("model") == ("model", str(model_path))
    app.input_ready(encoded(app.requested_input.request_id, key="k2"))
    run_passes()
    assert events == ["done", "done"] and app.stage is None and view.calls[-1] == ("panel", "distance")


def test_a_missing_sample_stops_the_set_up_and_says_why(setup):
    app, host, view, events, run_passes = setup
    shown = app.image_path
    host.choose_model("ijepa-tiny")
    host.open_sample("nowhere.jpg")
    host.apply_preset("centre")
    host.show_panel("pixels")
    run_passes()
    assert len(events) == 1 and events[0].startswith("nowhere.jpg: not in assets/samples or assets/clips")
    assert not host.busy and app.image_path == shown and view.calls == []
