"""The window's lesson mode (F2) and world-model mode (F3): each chapter's one-click set-up lands in the state
it describes (checked on the app model and the window), world-model mode replaces the canvas, takes the
driving keys, and opening an image brings the canvas back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from jepa_explorer.app.presets import PRESETS_BY_KEY
from jepa_explorer.gui import modes
from jepa_explorer.lesson.loader import bundled_content_dir, load_lesson
from jepa_explorer.resources import checkpoints_dir, sample_images
from tests.world.tiny import tiny_world_model

from .conftest import TIMEOUT_MS, open_window, wait_for_current


def tiny_world():
    """World mode's loader, on the world tests' untrained tiny model (tests/world/tiny.py)."""
    return tiny_world_model(), "a tiny random world model"


@pytest.fixture
def lesson_window(qtbot, settings, tmp_path):
    for name in ("ijepa-tiny", "mae-tiny", "ijepa-tiny-decoder", "vjepa-tiny"):
        if not (checkpoints_dir() / name / "card.json").is_file():
            pytest.skip(f"bundled {name} not here")

    def prepare(w):
        w.world_mode.load = tiny_world
        w.lesson_mode.progress_path = tmp_path / "progress.json"

    w = open_window(qtbot, checkpoints_dir() / "ijepa-tiny", settings, prepare=prepare)
    yield w
    w.close()


def apply(qtbot, w, chapter_id, index=0):
    done = []
    host = w.lesson_mode.host
    on_done = host.events.done.connect(lambda: done.append(True))
    on_failed = host.events.failed.connect(done.append)
    w.lesson_mode.panel.set_up(chapter_id, index)
    qtbot.waitUntil(lambda: bool(done), timeout=TIMEOUT_MS)
    host.events.done.disconnect(on_done)
    host.events.failed.disconnect(on_failed)
    assert done == [True], (chapter_id, index)
    return w.lesson_mode.panel.lesson.chapter(chapter_id).setups[index]


def test_f2_opens_the_lesson_and_every_set_up_lands_in_its_state(qtbot, lesson_window):
    w = lesson_window
    w.qactions["lesson"].trigger()
    assert w.lesson_mode.on and w.qactions["lesson"].isChecked() and w.lesson_mode.panel.host is w.lesson_mode.host
    lesson = load_lesson(bundled_content_dir())
    for chapter in lesson.chapters:
        for index in range(len(chapter.setups)):
            setup = apply(qtbot, w, chapter.id, index)
            a = w.app
            where = (chapter.id, index)
            assert a.model_info.name == setup.model and Path(a.image_path).name == setup.sample, where
            grid = tuple(a.model_info.grid_shape)
            make = PRESETS_BY_KEY[setup.preset].for_grid(grid)[2]
            assert a.masks == make(grid, a.preset_seeds[setup.preset]), where
            assert a.surface_tax == (setup.mode == "surface-tax") == w.pixel_panel.tax_box.isChecked(), where
            assert (a.stage == 0) == (setup.mode == "step-through") and (a.stage in (0, None)), where
            assert w.world_mode.on == (setup.mode == "world"), where
            if setup.mode == "world":
                assert w.centralWidget().currentWidget() is w.world_mode.view
                w.app.events.latency.emit(632.0, 155.0)  # the set-up's image model answering late
                w.app.events.model.emit(w.app.model_info)
                assert w.status.model_label.text() == "model: <tiny>" and w.status.latency_label.text().startswith("step")
                assert not any(d.isVisible() for d in w.docks.values())
            elif setup.mode == "step-through":  # stage 1 shows no panel; ending it brings the set-up's panel back
                assert w.stage_label.isVisible() and "1 · Mask" in w.stage_label.text()
                assert not any(d.isVisible() for d in w.docks.values())
                w.app.end_stages()
                assert w.docks[setup.panel].isVisible() and not w.stage_label.isVisible()
            else:
                assert w.centralWidget().currentIndex() == 0 and w.docks[setup.panel].isVisible(), where
            if setup.mode == "surface-tax":  # what the chapter says, measured live on the current image
                qtbot.waitUntil(lambda: wait_for_current(qtbot, w).surface_tax is not None, timeout=TIMEOUT_MS)
                increase = a.prediction.surface_tax.increase()
                assert increase["mae"] > 0.3 and increase["jepa_embedding"] < increase["mae"] / 3
            if chapter.id == "scope-test":  # "the predictor beats copying the context", live
                assert wait_for_current(qtbot, w).gain("loss") > 0.05
    assert w.lesson_mode.on


def test_lesson_in_presentation_mode_grows_its_type_and_keeps_its_dock(qtbot, lesson_window):
    w = lesson_window
    w.lesson_mode.set_on(True)
    normal = w.lesson_mode.panel.scale
    w.toggle_presentation(True)
    w.showNormal()
    w.resize(1920, 1080)
    w.presentation.fit(1920, 1080)
    modes.presentation_changed(w)
    assert w.lesson_mode.on and w.lesson_mode.dock.isVisible()
    assert w.lesson_mode.panel.scale == pytest.approx(modes.LESSON_PRESENTATION_SCALE) and normal < 1.6
    w.toggle_presentation(False)
    assert w.lesson_mode.panel.scale == normal and w.lesson_mode.on


@pytest.fixture
def world_window(window):
    window.world_mode.load = tiny_world
    return window


def test_world_mode_replaces_the_canvas_and_takes_the_driving_keys(qtbot, world_window):
    w = world_window
    masks = w.app.masks.copy()
    docks_before = {key: dock.isVisible() for key, dock in w.docks.items()}
    narrowest = w.minimumSizeHint().width()
    qtbot.keyClick(w, Qt.Key_F3)
    view = w.world_mode.view
    assert w.world_mode.on and w.qactions["world_mode"].isChecked()
    assert w.centralWidget().currentWidget() is view and view.isVisible()
    assert not any(d.isVisible() for d in w.docks.values()) and not w.tools_toolbar.isVisible()
    start = view.controller.world.state.agent.copy()
    for key in (Qt.Key_Right, Qt.Key_Right, Qt.Key_D, Qt.Key_Down):
        qtbot.keyClick(view, key)
    assert len(view.controller.actions) == 4 and not np.allclose(view.controller.world.state.agent, start)
    # the view's keys, not the window's: 1 injects a teleport (not preset 1), I imagines (not invert), R a new world
    qtbot.keyClick(view, Qt.Key_1)
    with qtbot.waitSignal(view.imagined, timeout=TIMEOUT_MS):
        qtbot.keyClick(view, Qt.Key_I)
    assert view.controller.events == [(5, "teleport")] and view.last_imagined is not None
    assert w.app.masks == masks and not w.qactions["preset_multiblock"].isEnabled()
    assert w.qactions["open_image"].isEnabled() and w.qactions["presentation"].isEnabled()
    # the status bar names the world model and its step time; the image toolbar keeps only opening a file
    status = w.status
    assert status.model_label.text() == "model: <tiny>" and status.latency_label.text().startswith("step ")
    assert not status.device_box.isVisible() and not status.device_label.isVisible()
    shown = [a for a in w.main_toolbar.actions() if a.isVisible()]
    assert w.qactions["open_image"] in shown and not w.preset_strip.isVisible()
    assert w.qactions["undo"] not in shown and len(shown) == 2  # open, and the samples menu
    # opening an image brings the canvas back as it was
    with qtbot.waitSignal(w.inputShown, timeout=TIMEOUT_MS):
        assert w.open_image(str(sample_images()[0]))
    assert not w.world_mode.on and not w.qactions["world_mode"].isChecked()
    assert w.centralWidget().currentIndex() == 0
    assert {key: dock.isVisible() for key, dock in w.docks.items()} == docks_before and w.tools_toolbar.isVisible()
    assert w.qactions["preset_multiblock"].isEnabled()
    assert w.preset_strip.isVisible() and w.qactions["undo"] in [a for a in w.main_toolbar.actions() if a.isVisible()]
    assert status.model_label.text() == f"model: {w.app.model_info.name}" and status.device_box.isVisible()
    assert status.latency_label.text().startswith("update")
    assert w.minimumSizeHint().width() == narrowest  # the hidden world view does not widen the window
    w.qactions["preset_centre"].trigger()  # the image commands work again
    assert w.app.masks == PRESETS_BY_KEY["centre"].make(w.app.grid_shape, 0)


def test_world_mode_in_presentation_mode_hides_the_panels_and_grows_the_surprise_chart(qtbot, world_window):
    w = world_window
    w.world_mode.set_on(True)
    view = w.world_mode.view
    normal_title = view.surprise_plot.titleLabel.opts["size"]
    w.toggle_presentation(True)
    w.showNormal()
    w.resize(1920, 1080)
    w.presentation.fit(1920, 1080)
    modes.presentation_changed(w)
    qtbot.wait(10)  # presentation mode's restore pass, then the world mode's
    assert w.world_mode.on and not any(d.isVisible() for d in w.docks.values())
    assert float(view.surprise_plot.titleLabel.opts["size"][:-2]) > float(normal_title[:-2])
    assert view.error_px > 20
    # the bar holds no image commands here, only the way out; the spike is drawn thick and its star large
    bar = [a.text() for a in w.presentation.bar.actions() if a.isVisible()]
    assert bar == ["Exit (Esc)"]
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key_Right)
    view.actions_by_name["inject_teleport"].trigger()
    assert view.surprise_curve.opts["pen"].widthF() >= 3 * 1.5 and view.surprise_events.opts["size"] >= 16 * 1.5
    assert view.surprise_events.data["x"].tolist() == [4]
    w.toggle_presentation(False)
    qtbot.wait(10)
    assert w.world_mode.on and not any(d.isVisible() for d in w.docks.values()) and view.error_px == 20
    qtbot.keyClick(w, Qt.Key_F3)  # F3 again: back to the canvas
    assert not w.world_mode.on and w.centralWidget().currentIndex() == 0 and w.docks["distance"].isVisible()
    assert "Next stage (F5)" in [a.text() for a in w.presentation.bar.actions() if a.isVisible()]
