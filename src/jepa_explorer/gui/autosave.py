"""Autosave in the window: the scene written a few seconds after the last change, and the offer to restore
what an unclean exit left behind (app/autosave.py has the files; this module the timer and the bar).

The timer restarts with every change (masks, input, model, view), so a stroke or a burst of edits costs one
write once the user pauses. The scene is taken on the UI thread (a copy of the masks: cheap) and written on
a background thread (atomically, with an fsync that can take a while on a slow disk). A clean exit removes
the file. The offer is a bar across the window under the toolbars, never a modal dialog: nothing waits for an answer (the
screenshot and bench windows turn autosave off altogether).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolBar, QWidget

from jepa_explorer.app.autosave import AutosaveFile, discard, left_behind
from jepa_explorer.errors import JepaError

AUTOSAVE_DELAY_MS = 3000
FOLDER_VARIABLE = "JEPA_EXPLORER_AUTOSAVE_DIR"  # tests and portable installs point it elsewhere
WATCHED = ("masks_settled", "input", "model", "metric", "tool", "time_step")


def autosave_folder() -> Path:
    """$JEPA_EXPLORER_AUTOSAVE_DIR, else the platform's app-data folder (~/.local/share/jepa-explorer/JEPA Explorer
    on Linux), under "autosave"."""
    folder = os.environ.get(FOLDER_VARIABLE)
    if folder:
        return Path(folder)
    return Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)) / "autosave"


class RestoreBar(QWidget):
    """The offer: 'JEPA Explorer did not close cleanly… [Restore] [Discard]'."""

    def __init__(self, text: str, restore, dismiss):
        super().__init__()
        self.setObjectName("restore_bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel(text)
        self.label.setObjectName("banner")  # the window's warning colours
        self.restore_button = QPushButton("Restore")
        self.restore_button.setToolTip("Open the scene autosaved before the unclean exit")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Delete that autosave and keep what is on screen")
        self.restore_button.clicked.connect(restore)
        self.discard_button.clicked.connect(dismiss)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.restore_button)
        layout.addWidget(self.discard_button)


class Autosave(QObject):
    saved = Signal(str)  # the path written (delivered in the UI thread)
    failed = Signal(str)

    def __init__(self, window, folder: str | os.PathLike, delay_ms: int = AUTOSAVE_DELAY_MS):
        super().__init__(window)
        self.window = window
        self.file = AutosaveFile(folder)
        self.found = left_behind(folder)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="jepa-autosave")
        self._closed = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self.save_now)
        for name in WATCHED:
            getattr(window.app.events, name).connect(self._changed)
        self.failed.connect(lambda message: window.status.say(f"Autosave failed: {message}"))
        self.bar = self._toolbar = None
        if self.found:
            newest = self.found[0]
            self.bar = RestoreBar(
                f"JEPA Explorer did not close cleanly. Restore the scene autosaved at {newest.describe()}?",
                self.restore,
                self.dismiss,
            )
            # a toolbar row of its own above everything: the whole width, one line even at 1024 px
            self._toolbar = QToolBar("Restore")
            self._toolbar.setObjectName("toolbar_restore")
            self._toolbar.setMovable(False)
            self._toolbar.addWidget(self.bar)
            window.addToolBarBreak(Qt.TopToolBarArea)
            window.addToolBar(Qt.TopToolBarArea, self._toolbar)

    def _changed(self, *_args) -> None:
        if not self._closed:
            self.timer.start()  # restarts: one write once the edits pause

    def save_now(self) -> None:
        self.timer.stop()
        if self._closed:
            return  # a worker's answer after the clean exit: nothing is written again
        scene = self.window.app.current_scene()  # a copy: the worker thread never sees the live masks
        self._pool.submit(self._write, scene)

    def _write(self, scene) -> None:
        try:
            self.file.write(scene)
        except (JepaError, OSError) as e:
            self.failed.emit(str(e))
            return
        self.saved.emit(str(self.file.path))

    def restore(self) -> bool:
        """Open the newest left-behind scene; on success the left-behind files go (this window autosaves anew)."""
        if not self.found:
            return False
        try:
            self.window.open_scene(str(self.found[0].path), remember=False)
        except JepaError as e:
            self.window._error("Cannot restore the autosaved scene", str(e))
            return False
        self.dismiss()
        self.window.status.say("Restored the autosaved scene")
        return True

    def dismiss(self) -> None:
        discard(self.found)
        self.found = []
        if self._toolbar is not None:
            self.window.removeToolBar(self._toolbar)
            self._toolbar.deleteLater()
            self.bar = self._toolbar = None

    def close(self) -> None:
        """A clean exit: pending writes finish, then the file goes."""
        self._closed = True
        self.timer.stop()
        self._pool.shutdown(wait=True)
        self.file.remove()
