"""Every file dialog and export of the window in one place: what to ask for (filters, default names),
and what to do with the answer (the app model's intents, or a picture of the window or its panels).
Errors come back as one message in the window's error display, never as a traceback."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from jepa_explorer.errors import JepaError
from jepa_explorer.media.images import IMAGE_SUFFIXES
from jepa_explorer.media.video import VIDEO_SUFFIXES

_IMAGES = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
_VIDEOS = " ".join(f"*{s}" for s in VIDEO_SUFFIXES)
FILTERS = {
    "input": f"Images and videos ({_IMAGES} {_VIDEOS});;Images ({_IMAGES});;Videos ({_VIDEOS});;All files (*)",
    "checkpoint": "Checkpoints (*.pth.tar *.pth *.pt *.safetensors card.json);;All files (*)",
    "scene": "Scenes (*.json);;All files (*)",
    "png": "PNG (*.png)",
    "csv": "CSV (*.csv)",
    "npz": "NPZ (*.npz)",
}


def export_window(window, path: str) -> None:
    if not window.grab().save(path):
        raise JepaError(f"{path}: cannot write the PNG (check the folder exists and is writable).")


def export_panels(window, folder: str) -> list[str]:
    """One PNG per visible part (the canvas and each dock) into `folder`; the paths written."""
    out = []
    folder_path = Path(folder)
    folder_path.mkdir(parents=True, exist_ok=True)
    # grab the docks, not the panels: grabbing DistancePanel on its own crashes PySide6 6.12 here
    for name, widget in [("canvas", window.centralWidget()), *window.docks.items()]:
        path = folder_path / f"{name}.png"
        if widget.isVisible() and widget.grab().save(str(path)):
            out.append(str(path))
    return out


class FileDialogs:
    """The window's dialogs: each asks for a path, then hands it on; `error(title, message)` reports."""

    def __init__(self, window, error):
        self.window, self.error = window, error

    def _open(self, title: str, kind: str) -> str:
        return QFileDialog.getOpenFileName(self.window, title, "", FILTERS[kind])[0]

    def _save(self, title: str, name: str, kind: str) -> str:
        return QFileDialog.getSaveFileName(self.window, title, name, FILTERS[kind])[0]

    def open_input(self) -> None:
        path = self._open("Open image or video", "input")
        if path:
            self.window.app.open(path)

    def open_checkpoint(self) -> None:
        path = self._open("Open checkpoint", "checkpoint")
        if path:
            self.window.app.load_checkpoint(str(Path(path).parent) if Path(path).name == "card.json" else path)

    def open_scene(self) -> None:
        path = self._open("Open scene", "scene")
        if path:
            self._run("Cannot open the scene", self.window.open_scene, path)

    def save_scene(self) -> None:
        path = self._save("Save scene", "scene.json", "scene")
        if path:
            self._run("Cannot save the scene", self.window.save_scene, path)

    def export(self, kind: str) -> None:
        """kind: "window" (a PNG), "panels" (PNGs into a folder), "csv" or "npz" (the numbers)."""
        if kind == "panels":
            folder = QFileDialog.getExistingDirectory(self.window, "Export panels into folder")
            if folder:
                written = export_panels(self.window, folder)
                self.window.status.say(f"Wrote {len(written)} panel pictures to {folder}")
            return
        if kind == "window":
            path = self._save("Export window", "jepa-explorer.png", "png")
            action = lambda p: export_window(self.window, p)  # noqa: E731
        else:
            path = self._save("Export numbers", f"jepa-explorer.{kind}", kind)
            action = self.window.app.export_numbers
        if path:
            self._run("Cannot export", action, path)

    def _run(self, title: str, action, path: str) -> None:
        try:
            action(path)
        except JepaError as e:
            self.error(title, str(e))
