"""The lesson's set-ups on the real window (bundled models): each lands in the state its chapter describes."""

from __future__ import annotations

import pytest

from jepa_explorer.gui.lesson.window_host import MainWindowHost
from jepa_explorer.lesson.host import apply_setup
from jepa_explorer.lesson.loader import bundled_content_dir, load_lesson
from jepa_explorer.masks import generators
from jepa_explorer.resources import checkpoints_dir

from .conftest import TIMEOUT_MS, wait_for_current


@pytest.fixture
def bundled_window(qtbot, settings):
    from jepa_explorer.gui.main_window import MainWindow

    for name in ("ijepa-tiny", "mae-tiny", "ijepa-tiny-decoder"):
        if not (checkpoints_dir() / name / "card.json").is_file():
            pytest.skip(f"bundled {name} not here")
    w = MainWindow(checkpoint=str(checkpoints_dir() / "ijepa-tiny"), settings=settings, show_dialogs=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    with qtbot.waitSignal(w.predictionShown, timeout=TIMEOUT_MS):
        w.start()
    yield w
    w.close()


def test_surface_tax_set_up_on_the_window(qtbot, bundled_window):
    w = bundled_window
    host = MainWindowHost(w)
    chapter = load_lesson(bundled_content_dir()).chapter("surface-tax")
    with qtbot.waitSignal(host.done, timeout=TIMEOUT_MS):
        apply_setup(chapter, host)
    assert not host.busy
    assert w.image_path.endswith("heldout_life.jpg") and w.model_info.name == "ijepa-tiny"
    assert w.pixel_panel.tax_box.isChecked() and w.docks["pixels"].isVisible()
    # the window's next press of "I-JEPA multiblock" (its start-up masks used seed 0)
    assert w.canvas.masks == generators.multiblock(tuple(w.model_info.grid_shape), seed=1)
    qtbot.waitUntil(lambda: wait_for_current(qtbot, w).surface_tax is not None, timeout=TIMEOUT_MS)
    increase = w.prediction.surface_tax.increase()
    assert increase["mae"] > 0.5 and increase["jepa_embedding"] < increase["mae"] / 3  # what the chapter says
    assert "MAE pixel error +" in w.pixel_panel.tax_label.text()


def test_loop_set_up_starts_the_step_through_a_new_set_up_ends_it_and_a_bad_one_fails(qtbot, bundled_window):
    w = bundled_window
    host = MainWindowHost(w)
    lesson = load_lesson(bundled_content_dir())
    with qtbot.waitSignal(host.done, timeout=TIMEOUT_MS):
        apply_setup(lesson.chapter("jepa-loop"), host)
    assert w._step == 0 and w.stage_label.isVisible() and "1 · Mask" in w.stage_label.text()
    assert w.image_path.endswith("heldout_coffee.jpg") and not w.pixel_panel.tax_box.isChecked()
    with qtbot.waitSignal(host.done, timeout=TIMEOUT_MS):
        apply_setup(lesson.chapter("scope-test"), host)
    assert w._step is None and not w.stage_label.isVisible()
    assert w.docks["distance"].isVisible()
    assert wait_for_current(qtbot, w).gain("loss") > 0.05  # the live test of "the predictor beats copying"
    # a step that cannot be done stops the set-up and says why
    with qtbot.waitSignal(host.failed, timeout=TIMEOUT_MS) as signal:
        host.choose_model("ijepa-tiny")
        host.open_sample("nowhere.jpg")
        host.apply_preset("centre")
    assert signal.args[0].startswith("nowhere.jpg: not in assets/samples or assets/clips")
    assert not host.busy and w.image_path.endswith("heldout_coffee.jpg")
