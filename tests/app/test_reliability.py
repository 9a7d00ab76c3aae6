"""The app model's side of issue 24: scenes applied whole or not at all (and the app still working after a
refused one), files written atomically, autosave files found again after an unclean exit."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from jepa_explorer.app import autosave, numbers_export
from jepa_explorer.app.reading import read_input, read_scene
from jepa_explorer.app.scene import SceneError
from jepa_explorer.errors import JepaError, MediaError
from jepa_explorer.masks.grid import PatchMasks
from tests.app.test_app_model import IMAGE_GRID, model  # noqa: F401 - the fixture

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")


def saved_scene(model, tmp_path, change=None):  # noqa: F811
    path = tmp_path / "scene.json"
    model.save_scene(path)
    record = json.loads(path.read_text())
    record.update(change or {})
    path.write_text(json.dumps(record))
    return path


def state(model):  # noqa: F811
    return (
        model.checkpoint,
        model.input,
        model.masks,
        model.metric,
        model.layer,
        dict(model.preset_seeds),
        len(model.backend.calls),
    )


def still_works(model):  # noqa: F811
    """A preset makes masks and asks for a prediction; the metric key cycles through the metrics."""
    sent = model.last_sent
    model.apply_preset("multiblock")
    assert model.masks.grid_shape == IMAGE_GRID and model.last_sent > sent
    metric = model.metric
    model.cycle_metric()
    assert model.metric != metric


@pytest.mark.parametrize(
    "change, words",
    [
        ({"view": 7}, "'view' must be an object"),
        ({"view": {"seeds": {"multiblock": "3"}}}, "view.seeds must be"),
        ({"view": {"seeds": "3"}}, "view.seeds must be"),
        ({"view": {"layer": "lasso"}}, "view.layer must be one of"),
        ({"view": {"metric": "manhattan"}}, "view.metric must be one of"),
        ({"view": {"time_step": -1}}, "view.time_step"),
        ({"masks": {"grid": [1, 4, 4], "context": [0, 1], "targets": [[5]]}}, "on a 1×4×4 patch grid"),
    ],
)
def test_a_refused_scene_changes_nothing_and_the_app_still_works(model, tmp_path, change, words):  # noqa: F811
    path = saved_scene(model, tmp_path, change)
    before = state(model)
    with pytest.raises(SceneError) as error:
        model.open_scene(path)
    message = str(error.value)
    assert words in message and str(path) in message and message.count("\n") == 0
    assert state(model) == before
    still_works(model)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
@pytest.mark.parametrize("what", ["scene", "image"])
def test_a_fifo_scene_or_picture_is_refused_without_reading_it(model, tmp_path, what):  # noqa: F811
    fifo = tmp_path / ("pipe.json" if what == "scene" else "pipe.png")
    os.mkfifo(fifo)  # reading it would wait for a writer for ever: the test would hang if anything opened it
    path = fifo if what == "scene" else saved_scene(model, tmp_path, {"image": str(fifo), "image_relative": None})
    before = state(model)
    with pytest.raises(JepaError, match="not a regular file"):
        model.open_scene(path)
    assert state(model) == before
    with pytest.raises(MediaError, match="not a regular file"):
        read_input(fifo if what == "image" else tmp_path / "pipe.json")
    still_works(model)


def test_reading_and_applying_a_scene_are_two_steps(model, tmp_path):  # noqa: F811
    """What the window does: read (off the UI thread), then apply; reading changes nothing."""
    model.set_metric("cosine")
    saved = model.masks
    path = saved_scene(model, tmp_path)
    model.set_masks(PatchMasks.empty(IMAGE_GRID))
    model.set_metric("l2")
    before = state(model)
    read = read_scene(path)
    assert state(model) == before and read.rgb is not None and read.rgb.shape == (40, 60, 3)
    model.apply_scene(read)
    assert model.masks == saved and model.metric == "cosine"


def test_a_failed_scene_save_keeps_the_previous_scene_and_leaves_no_fragment(model, tmp_path, monkeypatch):  # noqa: F811
    path = tmp_path / "scene.json"
    model.save_scene(path)
    good = path.read_bytes()
    model.apply_preset("multiblock")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(SceneError, match="cannot write the scene"):
        model.save_scene(path)
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model-a.safetensors", "photo.png", "scene.json"]


def test_a_failed_csv_export_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "numbers.csv"
    path.write_text("yesterday's numbers")
    monkeypatch.setattr(numbers_export, "numbers_csv", lambda prediction, about: "a,b\n1,2\n")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(JepaError, match="numbers.csv: cannot write the numbers"):
        numbers_export.export_numbers(path, object(), [])
    assert path.read_text() == "yesterday's numbers" and [p.name for p in tmp_path.iterdir()] == ["numbers.csv"]
    monkeypatch.undo()
    monkeypatch.setattr(numbers_export, "numbers_csv", lambda prediction, about: "a,b\n1,2\n")
    numbers_export.export_numbers(path, object(), [])
    assert path.read_text() == "a,b\n1,2\n"


def dead_pid() -> int:
    """The id of a process that has exited (what a crashed window's process is)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_an_autosave_is_found_again_only_when_its_process_is_gone(model, tmp_path):  # noqa: F811
    folder = tmp_path / "autosave"
    mine = autosave.AutosaveFile(folder)
    mine.write(model.current_scene())
    assert mine.path.exists() and autosave.left_behind(folder) == []  # this window is alive: not a crash
    crashed = folder / f"autosave-{dead_pid()}-1.json"
    crashed.write_bytes(mine.path.read_bytes())
    (folder / f"autosave-{os.getppid()}-1.json").write_bytes(b"{}")  # a live process's: another open window
    (folder / "notes.json").write_text("{}")
    found = autosave.left_behind(folder)
    assert [f.path for f in found] == [crashed]
    assert read_scene(found[0].path).scene.masks == model.masks
    autosave.discard(found)
    mine.remove()
    assert sorted(p.name for p in folder.iterdir()) == [f"autosave-{os.getppid()}-1.json", "notes.json"]


def test_an_unreadable_picture_is_read_to_an_error_not_a_state(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a picture")
    with pytest.raises(MediaError, match="bad.png"):
        read_input(bad)
    good = tmp_path / "good.png"
    from PIL import Image

    Image.fromarray(np.zeros((8, 9, 3), np.uint8)).save(good)
    read = read_input(good)
    assert read.kind == "image" and read.rgb.shape == (8, 9, 3)
