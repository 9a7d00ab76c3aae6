"""The window's side of issue 24: files are read off the UI thread with a time limit (a FIFO never freezes
the window), scenes and edits are autosaved and offered back after an unclean exit, and switching between
the image and the video model reuses the traced models instead of making new ones."""

import json
import os
import subprocess
import sys
import threading

import pytest
from PySide6.QtCore import QTimer

from jepa_explorer.app import mask_edit
from jepa_explorer.resources import default_checkpoint, default_video_checkpoint, sample_clips, sample_images

from .conftest import TIMEOUT_MS, open_window, wait_for_current

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")


class Heartbeat:
    """A QTimer on the UI thread: its count keeps rising only while the UI thread is free."""

    def __init__(self):
        self.beats = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self._beat)
        self.timer.start(10)

    def _beat(self):
        self.beats += 1


def state_of(w):
    app = w.app
    return (app.model_info.source, app.checkpoint, app.masks.copy(), app.input.path, app.input.request_id, app.metric)


@needs_fifo
@pytest.mark.parametrize("name", ["pipe.png", "pipe.mp4", "pipe.json"])
def test_opening_a_fifo_says_so_and_changes_nothing(qtbot, window, tmp_path, name):
    w = window
    fifo = tmp_path / name
    os.mkfifo(fifo)
    before = state_of(w)
    errors = []
    w.errorShown.connect(errors.append)
    beat = Heartbeat()
    (w.open_scene_later if name.endswith(".json") else w.open_path)(str(fifo))
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)
    assert name in errors[0] and "not a regular file" in errors[0]
    assert beat.beats > 0  # the UI thread ran its timers while the file was read
    after = state_of(w)
    assert after[:2] == before[:2] and after[2] == before[2] and after[3:] == before[3:]


@needs_fifo
def test_a_file_that_never_answers_times_out_and_the_window_stays_responsive(qtbot, window, tmp_path, monkeypatch):
    """Without the regular-file check a FIFO blocks its reader for ever: the time limit still saves the UI."""
    from jepa_explorer.media import images

    w = window
    fifo = tmp_path / "stuck.png"
    os.mkfifo(fifo)
    monkeypatch.setattr(images, "check_regular_file", lambda *args, **kwargs: None)
    w.reader.timeout_s = 1.0
    before = state_of(w)
    errors = []
    w.errorShown.connect(errors.append)
    beat = Heartbeat()
    w.open_path(str(fifo))
    assert w.reader.busy
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)
    assert "stuck.png: no answer after 1 s" in errors[0] and not w.reader.busy
    assert beat.beats > 0
    # the window still works: an edit gets a prediction
    w.app.apply(mask_edit.invert_context)
    w.app.undo()
    assert wait_for_current(qtbot, w).masks == before[2]
    after = state_of(w)
    assert after[0] == before[0] and after[3] == before[3]
    # let the abandoned reader go: a writer opens and closes the pipe, the reader sees an empty file
    writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    os.close(writer)
    qtbot.wait(200)
    assert len(errors) == 1  # its late answer is ignored


def test_a_picture_is_read_off_the_ui_thread_and_shown(qtbot, window):
    w = window
    photo = str(sample_images()[0])
    with qtbot.waitSignal(w.inputShown, timeout=TIMEOUT_MS):
        w.open_path(photo)
    assert w.app.image_path == photo
    wait_for_current(qtbot, w)


def test_a_sample_from_the_menu_is_read_off_the_ui_thread_too(qtbot, window, monkeypatch):
    from jepa_explorer.app import reading

    w = window
    sample = sample_images()[-1]
    reader_threads, real_read = [], reading.read_input

    def read_input(path):
        reader_threads.append(threading.current_thread().name)
        return real_read(path)

    monkeypatch.setattr(reading, "read_input", read_input)
    entry = next(a for a in w.samples_menu.actions() if a.text() == sample.stem.replace("_", " "))
    with qtbot.waitSignal(w.inputShown, timeout=TIMEOUT_MS):
        entry.trigger()
    assert w.app.image_path == str(sample) and reader_threads == ["jepa-file-reader"]
    wait_for_current(qtbot, w)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_autosave_restore_after_a_crash_and_nothing_after_a_clean_exit(qtbot, window, settings, autosave_folder):
    from jepa_explorer.gui.main_window import MainWindow

    w = window
    w.autosave.timer.setInterval(50)  # the debounce, shortened: the test waits for the file, not for seconds
    w.apply_preset("centre")
    wait_for_current(qtbot, w)
    edited = w.app.masks.copy()
    path = w.autosave.file.path
    qtbot.waitUntil(lambda: path.exists() and json.loads(path.read_text())["masks"] == edited.to_dict(), timeout=TIMEOUT_MS)
    record = json.loads(path.read_text())
    assert record["checkpoint"] == w.app.checkpoint and record["view"]["metric"] == w.app.metric
    # a crash: the process that wrote an autosave is gone without removing it
    crashed = autosave_folder / f"autosave-{dead_pid()}-1.json"
    crashed.write_text(path.read_text())
    w.close()  # this window's clean exit removes its own file only
    assert not path.exists() and crashed.exists()

    fresh = open_window(qtbot, record["checkpoint"], settings, size=(1024, 768))
    bar = fresh.autosave.bar
    assert bar is not None and bar.isVisible() and "did not close cleanly" in bar.label.text()
    assert fresh.app.masks != edited
    bar.restore_button.click()
    qtbot.waitUntil(lambda: fresh.app.masks == edited, timeout=TIMEOUT_MS)
    assert wait_for_current(qtbot, fresh).masks == edited
    assert fresh.autosave.bar is None and not crashed.exists()
    fresh.close()
    assert list(autosave_folder.glob("autosave-*.json")) == []  # a clean exit leaves nothing to restore

    again = MainWindow(checkpoint=record["checkpoint"], settings=settings, show_dialogs=False)
    qtbot.addWidget(again)
    assert again.autosave.bar is None  # no offer after a clean exit
    again.close()


def test_the_screenshot_window_neither_autosaves_nor_offers(qtbot, settings, autosave_folder):
    from jepa_explorer.gui.main_window import MainWindow

    autosave_folder.mkdir()
    (autosave_folder / f"autosave-{dead_pid()}-1.json").write_text("{}")
    w = MainWindow(settings=settings, show_dialogs=False, autosave=False)
    qtbot.addWidget(w)
    assert w.autosave is None and w.findChild(type(w.centralWidget()), "restore_bar") is None
    w.close()


@pytest.mark.skipif(
    default_video_checkpoint() is None or default_checkpoint() is None or not sample_clips(),
    reason="needs the bundled video and image models and clips",
)
def test_switching_back_and_forth_reuses_the_traced_models(qtbot, settings):
    from jepa_explorer.gui.main_window import MainWindow

    w = MainWindow(image=str(sample_images()[0]), settings=settings, show_dialogs=False, autosave=False)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.predictionShown, timeout=TIMEOUT_MS):
        w.start()
    photo, clip = str(sample_images()[0]), str(sample_clips()[0])
    for path, video in ((clip, True), (photo, False), (clip, True), (photo, False)):
        assert w.open_image(path)
        qtbot.waitUntil(
            lambda v=video: (
                w.app.model_info.video == v and wait_for_current(qtbot, w).masks.grid_shape[0] > 1
                if v
                else w.app.model_info.video == v and wait_for_current(qtbot, w).masks.grid_shape[0] == 1
            ),
            timeout=TIMEOUT_MS,
        )
    assert w.worker.live_cache.loads == 2  # the image model and the video model, each loaded and traced once
    w.close()


def test_a_png_export_that_fails_midway_keeps_the_previous_picture(window, tmp_path, monkeypatch):
    from jepa_explorer.errors import JepaError
    from jepa_explorer.gui import files

    path = tmp_path / "window.png"
    path.write_bytes(b"yesterday's picture")

    class HalfWritten:
        def save(self, device, fmt):
            device.write(b"\x89PNG half")  # some bytes reach the file, then the disk is full
            return False

    monkeypatch.setattr(files, "render", lambda *args, **kwargs: HalfWritten())
    with pytest.raises(JepaError, match="window.png: cannot write the PNG"):
        window.export_window(str(path))
    assert path.read_bytes() == b"yesterday's picture"
    assert [p.name for p in tmp_path.iterdir() if p.name != "autosave"] == ["window.png"]


@pytest.mark.skipif(
    default_video_checkpoint() is None or default_checkpoint() is None or not sample_clips(),
    reason="needs the bundled video and image models and clips",
)
@pytest.mark.parametrize("order", ["clip, photo", "photo, clip"])
def test_opens_read_off_the_ui_thread_end_on_the_last_input_with_its_model(qtbot, settings, order):
    """Each read is handed to the app model as soon as it is read; the second open comes while the first
    one's model is still loading. The last input asked for wins, with the model it needs."""
    from jepa_explorer.gui.main_window import MainWindow

    photo, clip = str(sample_images()[1]), str(sample_clips()[0])
    first, last = (clip, photo) if order == "clip, photo" else (photo, clip)
    start_on = photo if first == clip else clip  # the first open switches the model
    w = MainWindow(image=start_on, settings=settings, show_dialogs=False, autosave=False)
    qtbot.addWidget(w)
    w.show()
    errors = []
    w.errorShown.connect(errors.append)
    with qtbot.waitSignal(w.predictionShown, timeout=TIMEOUT_MS):
        w.start()
    w.open_path(first)
    qtbot.waitUntil(lambda: w.app.requested_input.path == first, timeout=TIMEOUT_MS)  # read and asked for
    w.open_path(last)
    video = last == clip
    qtbot.waitUntil(
        lambda: (
            w.app.image_path == last
            and w.app.model_info.video == video
            and (wait_for_current(qtbot, w).masks.grid_shape[0] > 1) == video
        ),
        timeout=TIMEOUT_MS,
    )
    qtbot.wait(1000)  # nothing the worker still had for the first input changes it afterwards
    assert w.app.image_path == last and w.app.model_info.video == video and errors == []
    w.close()


@pytest.mark.parametrize(
    "change, words",
    [
        ({"view": 7}, "'view' must be an object"),
        ({"view": {"seeds": {"multiblock": "3"}}}, "view.seeds"),
        ({"view": {"layer": "lasso"}}, "view.layer"),
        ({"masks": {"grid": [1, 3, 3], "context": [0], "targets": [[4]]}}, "1×3×3 patch grid"),
    ],
)
def test_a_refused_scene_leaves_the_window_working(qtbot, window, tmp_path, change, words):
    w = window
    path = tmp_path / "scene.json"
    w.save_scene(str(path))
    record = json.loads(path.read_text())
    record.update(change)
    path.write_text(json.dumps(record))
    before = state_of(w)
    errors = []
    w.errorShown.connect(errors.append)
    w.open_scene_later(str(path))
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)
    assert words in errors[0] and "\n" not in errors[0]
    after = state_of(w)
    assert after[:2] == before[:2] and after[2] == before[2] and after[3:] == before[3:]
    assert not w.canvas.busy_text.isVisible()
    # presets, the metric key and predictions still work
    w.qactions["metric_cycle"].trigger()
    assert w.app.metric != before[5]
    w.apply_preset("centre")
    assert wait_for_current(qtbot, w).masks == w.app.masks and w.app.masks.grid_shape == tuple(w.app.model_info.grid_shape)
