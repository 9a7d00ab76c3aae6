"""Every file dialog and export of the window in one place: what to ask for (filters, default names),
and what to do with the answer (the app model's intents, or a picture of the window or its panels);
the bundled samples and the recent scenes menus. Errors come back as one message in the window's error
display, never as a traceback."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFileDialog

from jepa_explorer.errors import JepaError
from jepa_explorer.media.images import IMAGE_SUFFIXES
from jepa_explorer.media.video import VIDEO_SUFFIXES
from jepa_explorer.resources import sample_clips, sample_images

MAX_RECENT = 8

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


def fill_samples_menu(menu, app) -> None:
    """The bundled sample pictures and clips, and the generated demo picture, each opening in `app`."""
    menu.clear()
    for path in sample_images():
        action = menu.addAction(QIcon(str(path)), path.stem.replace("_", " "))
        action.setToolTip(f"Open the bundled sample {path.name}")
        action.triggered.connect(lambda _=False, p=str(path): app.open(p))
    clips = sample_clips()
    if clips:
        menu.addSeparator()
        for path in clips:
            action = menu.addAction(f"▶ {path.stem.replace('_', ' ')} (video)")
            action.setToolTip(f"Open the bundled clip {path.name} with the video model")
            action.triggered.connect(lambda _=False, p=str(path): app.open(p))
        menu.addSeparator()
    demo = menu.addAction("Generated demo picture")
    demo.setToolTip("A generated picture with simple shapes (always available)")
    demo.triggered.connect(app.set_demo_image)


class RecentScenes:
    """The scenes opened or saved last (kept in the settings), listed in File ▸ Recent scenes."""

    def __init__(self, settings, menu, open_scene):
        self.settings, self.menu, self.open_scene = settings, menu, open_scene
        self._fill()

    def paths(self) -> list[str]:
        value = self.settings.value("recent_scenes", [])
        return [str(v) for v in ([value] if isinstance(value, str) else value or [])]

    def remember(self, path: str) -> None:
        path = str(Path(path).resolve())
        self.settings.setValue("recent_scenes", [path, *[p for p in self.paths() if p != path]][:MAX_RECENT])
        self._fill()

    def _fill(self) -> None:
        self.menu.clear()
        recent = self.paths()
        for path in recent:
            action = self.menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_scene(p))
        self.menu.setEnabled(bool(recent))
