"""GUI fixtures: an offscreen window on the small reference checkpoint, and user-like mouse strokes."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import: no display here or in CI

import pytest  # noqa: E402

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

TIMEOUT_MS = 60_000  # generous: CI machines are slow and shared; nothing here asserts timings


@pytest.fixture(autouse=True)
def autosave_folder(tmp_path, monkeypatch):
    """Every window's autosave goes to the test's own folder, never to the app-data folder of the machine."""
    folder = tmp_path / "autosave"
    monkeypatch.setenv("JEPA_EXPLORER_AUTOSAVE_DIR", str(folder))
    return folder


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


def open_window(qtbot, checkpoint, settings, size=(1280, 800), prepare=None):
    """A shown main window on `checkpoint` with its first prediction on screen; `prepare(window)` runs before
    it starts (to swap in a test's loader or paths)."""
    from jepa_explorer.gui.main_window import MainWindow

    w = MainWindow(checkpoint=str(checkpoint), settings=settings, show_dialogs=False)
    if prepare is not None:
        prepare(w)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    with qtbot.waitSignal(w.predictionShown, timeout=TIMEOUT_MS):
        w.start()
    return w


@pytest.fixture
def window(qtbot, ijepa_fixture_path, settings):
    """The main window on the reference I-JEPA fixture and the demo image, first prediction on screen."""
    w = open_window(qtbot, ijepa_fixture_path, settings)
    yield w
    w.close()


def wait_for_current(qtbot, w):
    """Until the result of the newest request is on screen (latest wins, so earlier ones may be skipped)."""
    qtbot.waitUntil(lambda: w.app.prediction is not None and w.app.prediction.request_id == w.app.last_sent, timeout=TIMEOUT_MS)
    return w.app.prediction


def stroke(qtbot, canvas, cells, button=Qt.LeftButton):
    """Press on the first (row, col) patch, move through the others, release on the last."""
    viewport = canvas.viewport()
    points = [canvas.patch_center(r, c) for r, c in cells]
    qtbot.mousePress(viewport, button, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(viewport, point)
    qtbot.mouseRelease(viewport, button, pos=points[-1])
