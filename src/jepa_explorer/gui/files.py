"""Every file dialog and export of the window in one place: what to ask for (filters, default names),
and what to do with the answer (the app model's intents, or a picture of the window or its panels);
the bundled samples and the recent scenes menus. Errors come back as one message in the window's error
display, never as a traceback."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QIODevice, QSaveFile
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QFileDialog, QInputDialog

from jepa_explorer.errors import JepaError
from jepa_explorer.gui import style
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


# picture sizes for slides: label -> (scale, slide size or None); the window's own size by default
EXPORT_SIZES = {
    "As on screen (1×)": (1.0, None),
    "Sharp (2×)": (2.0, None),
    "Slide 1920×1080": (None, (1920, 1080)),
    "Slide 1280×720": (None, (1280, 720)),
}
DEFAULT_EXPORT_SIZE = "As on screen (1×)"


def render(widget, scale: float = 1.0, slide: tuple[int, int] | None = None) -> QImage:
    """A picture of `widget` drawn at `scale` (text and lines drawn anew at that size, not enlarged pixels),
    or scaled to fit a slide of `slide` pixels and centred on it (the rest in the background colour)."""
    width, height = max(1, widget.width()), max(1, widget.height())
    if slide is not None:
        scale = min(slide[0] / width, slide[1] / height)
    pixmap = QPixmap(max(1, round(width * scale)), max(1, round(height * scale)))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(QColor(style.BACKGROUND))
    widget.render(pixmap)
    image = pixmap.toImage()
    if slide is None:
        return image
    page = QImage(*slide, QImage.Format_RGB32)
    page.fill(QColor(style.BACKGROUND))
    image.setDevicePixelRatio(1.0)
    painter = QPainter(page)
    painter.drawImage((slide[0] - image.width()) // 2, (slide[1] - image.height()) // 2, image)
    painter.end()
    return page


def save_png(image: QImage, path: str | Path) -> None:
    """Write a PNG atomically (QSaveFile: a temporary file renamed onto `path` once whole)."""
    file = QSaveFile(str(path))
    if not (file.open(QIODevice.WriteOnly) and image.save(file, "PNG") and file.commit()):
        message = file.errorString()
        if file.isOpen():  # a cancelled QSaveFile removes its temporary file on commit, not only when collected
            file.cancelWriting()
            file.commit()
        raise JepaError(f"{path}: cannot write the PNG ({message}); check the folder exists and is writable.")


def export_window(window, path: str, size: str = DEFAULT_EXPORT_SIZE) -> None:
    """The whole window as a PNG at one of EXPORT_SIZES."""
    scale, slide = EXPORT_SIZES[size]
    save_png(render(window, scale or 1.0, slide), path)


def shown_panels(window) -> dict:
    """The parts of the window on screen now, by name: the canvas and each dock that is open and in front
    of its tab (a dock behind another tab, or closed, is not on screen and is left out)."""
    parts = {"canvas": window.centralWidget()}
    for name, dock in window.docks.items():
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            parts[name] = dock
    return parts


def export_panels(window, folder: str, size: str = DEFAULT_EXPORT_SIZE) -> list[str]:
    """One PNG per part on screen (``shown_panels``) into `folder`, at one of EXPORT_SIZES; the paths
    written. Hidden panels are not drawn: they would show stale or placeholder content."""
    scale, slide = EXPORT_SIZES[size]
    folder_path = Path(folder)
    try:
        folder_path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise JepaError(f"{folder}: cannot make the folder for the panel pictures ({e.strerror}).") from None
    out = []
    # draw the docks, not the panels: grabbing DistancePanel on its own crashes PySide6 6.12 here
    for name, widget in shown_panels(window).items():
        path = folder_path / f"{name}.png"
        save_png(render(widget, scale or 1.0, slide), path)
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
            self.window.open_path(path)  # read off the UI thread (gui/probe.py)

    def open_checkpoint(self) -> None:
        path = self._open("Open checkpoint", "checkpoint")
        if path:
            self.window.app.load_checkpoint(str(Path(path).parent) if Path(path).name == "card.json" else path)

    def open_scene(self) -> None:
        path = self._open("Open scene", "scene")
        if path:
            self.window.open_scene_later(path)  # read off the UI thread (gui/probe.py)

    def save_scene(self) -> None:
        path = self._save("Save scene", "scene.json", "scene")
        if path:
            self._run("Cannot save the scene", self.window.save_scene, path)

    def _picture_size(self) -> str | None:
        """Ask for the size of the pictures (EXPORT_SIZES); the last answer is the next default."""
        settings = self.window.settings
        sizes = list(EXPORT_SIZES)
        last = settings.value("export_size", DEFAULT_EXPORT_SIZE)
        current = sizes.index(last) if last in sizes else 0
        size, ok = QInputDialog.getItem(self.window, "Picture size", "Size of the pictures:", sizes, current, False)
        if not ok:
            return None
        settings.setValue("export_size", size)
        return size

    def export(self, kind: str) -> None:
        """kind: "window" (a PNG), "panels" (PNGs into a folder), "csv" or "npz" (the numbers)."""
        if kind in ("window", "panels"):
            size = self._picture_size()
            if size is None:
                return
        if kind == "panels":
            folder = QFileDialog.getExistingDirectory(self.window, "Export panels into folder")
            if folder:
                self._run("Cannot export", lambda f: self._say_written(export_panels(self.window, f, size), f), folder)
            return
        if kind == "window":
            path = self._save("Export window", "jepa-explorer.png", "png")
            action = lambda p: export_window(self.window, p, size)  # noqa: E731
        else:
            path = self._save("Export numbers", f"jepa-explorer.{kind}", kind)
            action = self.window.app.export_numbers
        if path:
            self._run("Cannot export", action, path)

    def _say_written(self, written: list[str], folder: str) -> None:
        names = ", ".join(Path(p).stem for p in written)
        self.window.status.say(f"Wrote {len(written)} pictures of the panels on screen ({names}) to {folder}")

    def _run(self, title: str, action, path: str) -> None:
        try:
            action(path)
        except JepaError as e:
            self.error(title, str(e))


def fill_samples_menu(menu, app, open_path) -> None:
    """The bundled sample pictures and clips, each opened with `open_path` (the window's: read off the UI
    thread, as a large sample can take a while), and the generated demo picture, made in `app`."""
    menu.clear()
    for path in sample_images():
        action = menu.addAction(QIcon(str(path)), path.stem.replace("_", " "))
        action.setToolTip(f"Open the bundled sample {path.name}")
        action.triggered.connect(lambda _=False, p=str(path): open_path(p))
    clips = sample_clips()
    if clips:
        menu.addSeparator()
        for path in clips:
            action = menu.addAction(f"▶ {path.stem.replace('_', ' ')} (video)")
            action.setToolTip(f"Open the bundled clip {path.name} with the video model")
            action.triggered.connect(lambda _=False, p=str(path): open_path(p))
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
