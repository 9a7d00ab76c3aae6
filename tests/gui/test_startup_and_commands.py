"""Start-up order (window first, torch later, off the UI thread), drag and drop, the CLI commands."""

import subprocess
import sys

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from .conftest import TIMEOUT_MS, wait_for_current


def test_gui_modules_do_not_import_torch():
    code = (
        "import sys, jepa_explorer.gui.main_window, jepa_explorer.gui.app; "
        "print('torch' in sys.modules, 'sklearn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", **__import__("os").environ},
    )
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_window_shows_loading_state_before_the_model(qtbot, ijepa_fixture_path, settings):
    from jepa_explorer.gui.main_window import MainWindow

    w = MainWindow(checkpoint=str(ijepa_fixture_path), settings=settings, show_dialogs=False)
    qtbot.addWidget(w)
    w.show()
    w.start()
    assert w.app.model_info is None and w.canvas.busy_text.isVisible()  # painted before the model is there
    qtbot.waitUntil(lambda: w.app.prediction is not None, timeout=TIMEOUT_MS)
    assert not w.canvas.busy_text.isVisible()
    w.close()


def test_drop_an_image_file(qtbot, window, photo_like, tmp_path):
    from PIL import Image

    w = window
    path = tmp_path / "dropped.png"
    Image.fromarray(photo_like).save(path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(20, 20), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    w.dropEvent(event)  # read off the UI thread (gui/probe.py), then shown
    qtbot.waitUntil(lambda: w.app.image_path == str(path), timeout=TIMEOUT_MS)
    assert np.array_equal(w.app.image_rgb, photo_like)
    qtbot.waitUntil(lambda: w.app.input_view is not None, timeout=TIMEOUT_MS)
    assert wait_for_current(qtbot, w).input_key == w.app.input_view.key
    assert "dropped.png" in w.windowTitle()


def test_screenshot_command(qapp, ijepa_fixture_path, tmp_path):
    from jepa_explorer.cli import main

    out = tmp_path / "shot.png"
    assert main(["screenshot", "--out", str(out), "--size", "1280x800", "--checkpoint", str(ijepa_fixture_path)]) == 0
    from PIL import Image

    with Image.open(out) as image:
        assert image.size == (1280, 800)


def test_screenshot_of_the_world_mode(qapp, ijepa_fixture_path, tmp_path, capsys):
    """--world: the bundled world model drives, imagines and plans before the picture is taken."""
    from PIL import Image

    from jepa_explorer.cli import main

    out = tmp_path / "world.png"
    args = ["screenshot", "--world", "--out", str(out), "--size", "1024x768", "--checkpoint", str(ijepa_fixture_path)]
    assert main(args) == 0, capsys.readouterr().err
    with Image.open(out) as image:
        assert image.size == (1024, 768)
    assert main(args[:1] + ["--step", "2"] + args[1:]) == 2
    assert "--world and --step" in capsys.readouterr().err


def test_screenshot_rejects_bad_size(qapp):
    from jepa_explorer.cli import main

    assert main(["screenshot", "--out", "x.png", "--size", "huge"]) == 2


def test_screenshot_rejects_a_stage_that_does_not_exist(qapp, tmp_path, capsys):
    from jepa_explorer.cli import main

    out = tmp_path / "x.png"
    assert main(["screenshot", "--out", str(out), "--step", "6"]) == 2
    assert "--step 6: use a stage from 1 to 5" in capsys.readouterr().err and not out.exists()


def test_gui_command_is_registered():
    from jepa_explorer.cli import build_parser

    args = build_parser().parse_args(["gui", "--presentation", "--device", "cpu"])
    assert args.presentation and args.device == "cpu" and callable(args.func)
