"""MainWindow: assembles the views around one app model and one model worker.

The state lives in ``self.app`` (``app.model.AppModel``, no Qt); each view binds itself to the app model's
events and sends it intents; the commands come from the table in ``gui/actions.py``, the dialogs and exports
from ``gui/files.py``, the status bar from ``gui/status.py``. What is left here: the layout, the worker's
answers passed to the app model, the linked hover between canvas and plots, recent scenes, errors.
"""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSpinBox,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jepa_explorer.app import results
from jepa_explorer.app.mask_edit import Layer
from jepa_explorer.app.model import AppModel
from jepa_explorer.app.stages import COMPARE
from jepa_explorer.errors import JepaError
from jepa_explorer.gui import actions as action_table
from jepa_explorer.gui import files, modes, style
from jepa_explorer.gui.canvas import CanvasView
from jepa_explorer.gui.legend import MaskLegend
from jepa_explorer.gui.panels.distance import DistancePanel
from jepa_explorer.gui.panels.model import ModelPanel
from jepa_explorer.gui.panels.pca import PcaPanel
from jepa_explorer.gui.panels.pixels import PixelPanel
from jepa_explorer.gui.presentation import Presentation
from jepa_explorer.gui.preset_strip import PresetStrip
from jepa_explorer.gui.probe import FileReader
from jepa_explorer.gui.status import StatusBar
from jepa_explorer.gui.steady_text import SteadyText
from jepa_explorer.gui.step_through import StepThrough
from jepa_explorer.gui.throttle import NextPass
from jepa_explorer.gui.timeline import Timeline
from jepa_explorer.gui.worker import ModelWorker
from jepa_explorer.resources import bundled_checkpoints

TOOLBAR_SLACK_PX = 16  # the toolbar's own margins beyond its items' size hints

TOOL_ACTIONS = {
    Layer.CONTEXT: "tool_context",
    Layer.TARGET_NEW: "tool_target_new",
    Layer.TARGET: "tool_target",
    Layer.ERASE: "tool_erase",
}
DOCKS = [  # key, title
    ("distance", "Distances: does the predictor beat copying the context?"),
    ("pca", "Embeddings (PCA)"),
    ("pixels", "Pixels"),
    ("model", "Model"),
]


class MainWindow(QMainWindow):
    predictionShown = Signal(object)  # the Prediction now on screen (tests and screenshots wait for it)
    inputShown = Signal(object)
    modelShown = Signal(object)
    errorShown = Signal(str)

    def __init__(
        self,
        checkpoint: str | None = None,
        image: str | None = None,
        scene: str | None = None,
        device: str | None = None,
        settings: QSettings | None = None,
        worker: ModelWorker | None = None,
        show_dialogs: bool = True,
        autosave: bool = True,
    ):
        super().__init__()
        self.setWindowTitle("JEPA Explorer")
        self.settings = settings or QSettings("jepa-explorer", "JEPA Explorer")
        self.show_dialogs = show_dialogs  # tests and screenshots turn modal dialogs into errorShown + status text
        self._startup = {"checkpoint": checkpoint, "image": image, "scene": scene, "device": device}
        self.worker = worker or ModelWorker(self)
        self.app = AppModel(self.worker, schedule=NextPass(self).schedule)
        self._heap_settled = False  # see _settle_heap
        self._build_views()
        style.opaque_views(self)
        self.qactions = action_table.build_actions(self)
        self.menus = action_table.build_menus(
            self, self.qactions, {"open_image": [("samples", "Open sample")], "save_scene": [("recent", "Recent scenes")],
                                  "open_checkpoint": [("device", "Device")]},
        )  # fmt: skip
        self.samples_menu, self.recent_menu = self.menus["samples"], self.menus["recent"]
        self.menus["View"].addSeparator()
        for dock in self.docks.values():
            self.menus["View"].addAction(dock.toggleViewAction())
        files.fill_samples_menu(self.samples_menu, self.app, self.open_path)
        self.recent = files.RecentScenes(self.settings, self.recent_menu, self._open_recent)
        self._build_toolbars()
        self.status = StatusBar(self, self.app, self.worker, self.menus["device"])
        self.files = files.FileDialogs(self, self._error)
        self.reader = FileReader(self)  # what the user opens is read off the UI thread (gui/probe.py)
        self.step_through = StepThrough(self.app, self, self.docks, self.canvas, self.stage_label, self.status)
        self.presentation = Presentation(
            self.app, self, self.docks, self.canvas, [self.distance_panel, self.legend, self.pca_panel, self.timeline],
            self.qactions, self.menus["Masks"], self.distance_panel, self.step_through,
        )  # fmt: skip
        modes.install(self)  # the lesson panel (F2) and world-model mode (F3)
        self._wire()
        self.autosave = None  # the screenshot and bench windows neither autosave nor offer a restore
        if autosave:
            from jepa_explorer.gui.autosave import Autosave, autosave_folder

            self.autosave = Autosave(self, autosave_folder())
        self.resize(1400, 860)

    # ================================================================== construction

    def _build_views(self) -> None:
        app = self.app
        self.canvas = CanvasView(app)
        self.legend = MaskLegend()
        # changes with every patch the mouse passes (see SteadyText); wrapped, not cut, in a narrow column
        self.hover_label = SteadyText(" ", template=results.HOVER_TEMPLATE, wrap=True)
        self.hover_label.set_color(style.MUTED)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.stage_label = QLabel()  # the step-through's explanation of the current stage
        self.stage_label.setObjectName("stage")
        self.stage_label.setWordWrap(True)
        self.stage_label.hide()
        self.timeline = Timeline()  # video models only
        self.timeline.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.banner)
        layout.addWidget(self.stage_label)
        layout.addWidget(self.canvas, 1)
        for widget in (self.timeline, self.legend, self.hover_label):
            layout.addWidget(widget)
        self.setCentralWidget(central)

        self.distance_panel = DistancePanel()
        self.pca_panel = PcaPanel()
        self.pixel_panel = PixelPanel()
        self.model_panel = ModelPanel()
        self.docks = {}
        for (key, title), widget in zip(DOCKS, (self.distance_panel, self.pca_panel, self.pixel_panel, self.model_panel)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable | QDockWidget.DockWidgetClosable)
            self.addDockWidget(Qt.RightDockWidgetArea, dock)
            self.docks[key] = dock
        self.tabifyDockWidget(self.docks["pca"], self.docks["pixels"])
        self.tabifyDockWidget(self.docks["pixels"], self.docks["model"])
        self.docks["pca"].raise_()
        self._laid_out = False
        self.model_panel.set_choices(bundled_checkpoints())
        for view in (self.legend, self.timeline, self.distance_panel, self.pca_panel, self.pixel_panel, self.model_panel):
            view.bind(app)
        self.legend.bind_canvas(self.canvas)  # the canvas's view controls (opacity, overlay, fit) sit in the legend

    def _build_toolbars(self) -> None:
        act = self.qactions
        self._toolbar_fit_pending = False
        bar = QToolBar("File and masks")
        bar.setObjectName("toolbar_main")
        bar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        samples = QToolButton()
        samples.setText("Samples ▾")
        samples.setToolTip("Bundled sample images (and a generated demo picture)")
        samples.setMenu(self.samples_menu)
        samples.setPopupMode(QToolButton.InstantPopup)
        bar.addAction(act["open_image"])
        bar.addWidget(samples)
        bar.addAction(act["undo"])
        bar.addAction(act["redo"])
        bar.addAction(act["clear"])  # a whole-mask edit beside undo; it kept the tools bar over 1024 px
        bar.addSeparator()
        bar.addWidget(QLabel(" Presets: "))
        presets = [act[name] for name in action_table.toolbar_actions("main")[3:]]  # after open, undo, redo
        self.preset_strip = PresetStrip(presets)
        bar.addWidget(self.preset_strip)
        for action in presets:  # a model's grid renames presets: their widths change
            action.changed.connect(self._schedule_toolbar_fit)
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.main_toolbar = bar

        tools = QToolBar("Tools")
        tools.setObjectName("toolbar_tools")
        tools.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        for name in ("tool_context", "tool_target_new", "tool_target", "tool_erase"):
            tools.addAction(act[name])
        tools.addSeparator()
        tools.addAction(act["rect"])
        tools.addWidget(QLabel(" Brush "))
        self.brush_spin = QSpinBox()
        self.brush_spin.setRange(1, 8)
        self.brush_spin.setSuffix(" patch")
        self.brush_spin.setToolTip("Brush size in patches ([ and ])")
        self.brush_spin.valueChanged.connect(self.app.set_brush_size)
        tools.addWidget(self.brush_spin)
        tools.addSeparator()
        for name in ("fill", "invert"):
            tools.addAction(act[name])
        self.addToolBarBreak(Qt.TopToolBarArea)
        self.addToolBar(Qt.TopToolBarArea, tools)
        self.tools_toolbar = tools

    def _wire(self) -> None:
        app, worker = self.app, self.worker
        worker.modelReady.connect(app.model_ready)
        worker.inputReady.connect(app.input_ready)
        worker.clipReady.connect(app.clip_ready)
        worker.predictionReady.connect(app.prediction_ready)
        worker.failed.connect(app.failed)
        app.events.model.connect(self._on_model)
        app.events.input.connect(self._on_input)
        app.events.encoded.connect(self.inputShown.emit)
        app.events.prediction.connect(self._on_prediction)
        app.events.history.connect(self._update_history_actions)
        app.events.tool.connect(self._on_tool_changed)
        app.events.metric.connect(lambda _m: self._show_hover_text(self.canvas.hovered))
        app.events.stage.connect(lambda _s: self._show_hover_text(self.canvas.hovered))
        app.events.error.connect(self._show_error)
        self.canvas.patchHovered.connect(self._on_patch_hovered)
        self.pca_panel.patchHovered.connect(self._on_pca_hovered)
        self.model_panel.openFileRequested.connect(self.files.open_checkpoint)
        # the pixel comparison runs only while its panel is visible: showing it asks for a fresh one
        self.docks["pixels"].visibilityChanged.connect(self._on_pixels_visibility)
        self.setAcceptDrops(True)
        self._update_history_actions()
        self._on_tool_changed()

    # ================================================================== the app model's news

    def start(self) -> None:
        """Called once the window is shown: the model loads in the worker while the window is already up."""
        self.app.start(**self._startup, opener=self._open_at_start)

    def _open_at_start(self, path: str, on_failure) -> None:
        """The first picture or clip, read off the UI thread like any other; the demo picture if it fails."""
        from jepa_explorer.app.reading import read_input

        def failed(message: str) -> None:
            self._error("Cannot open this file", message)
            on_failure()

        self.reader.read(lambda: read_input(path), lambda read: self.app.show_input(read) or on_failure(), failed, path)

    def _on_model(self, info) -> None:
        self._heap_settled = False
        warnings = []
        if info.untrained:
            warnings.append(
                "Untrained model: no trained checkpoint is bundled yet, so this JEPA is randomly initialised "
                "and its predictions mean nothing. Model ▸ Open checkpoint… to load a trained one."
            )
        if not info.has_predictor:
            warnings.append("This checkpoint has no predictor: prediction is unavailable.")
        self.banner.setText("  ".join(warnings))
        self.banner.setVisible(bool(warnings))
        action_table.show_media_kind(self.qactions, info.video)
        self.modelShown.emit(info)

    def _on_input(self, shown) -> None:
        self.setWindowTitle(f"JEPA Explorer — {Path(shown.path).name if shown.path else 'demo image'}")

    def _on_prediction(self, prediction) -> None:
        if not self._heap_settled:
            self._heap_settled = True
            QTimer.singleShot(0, _settle_heap)
        self.predictionShown.emit(prediction)

    def _on_pixels_visibility(self, visible: bool) -> None:
        if self.app.set_pixels_wanted(visible):  # the last result was made without pixels while the panel was hidden
            self.pixel_panel.show_pending()

    def _on_tool_changed(self) -> None:
        app = self.app
        self.qactions[TOOL_ACTIONS[app.layer]].setChecked(True)
        self.qactions["rect"].setChecked(app.rect_mode)
        if self.brush_spin.value() != app.brush_size:
            self.brush_spin.setValue(app.brush_size)

    def _update_history_actions(self) -> None:
        self.qactions["undo"].setEnabled(self.app.history.can_undo)
        self.qactions["redo"].setEnabled(self.app.history.can_redo)

    # ================================================================== linked hover

    def _on_patch_hovered(self, index: int) -> None:
        self.pca_panel.highlight_patch(index)
        self.distance_panel.highlight_patch(index)
        self._show_hover_text(index)

    def _on_pca_hovered(self, index: int) -> None:
        self.canvas.highlight_patch(index)
        self._on_patch_hovered(index)

    def _show_hover_text(self, index: int) -> None:
        before_distances = self.app.stage is not None and self.app.stage < COMPARE  # the step-through's earlier stages
        if index is None or index < 0 or before_distances:
            self.hover_label.setText(" ")
            return
        self.hover_label.setText(results.describe_patch(self.app.prediction, index, self.app.metric, self.app.grid_shape))

    # ================================================================== intents that need the window

    def open_image(self, path: str) -> bool:
        """Open a picture, a video or a folder of frames (see AppModel.open)."""
        return self.app.open(path)

    def apply_preset(self, key: str) -> None:
        self.app.apply_preset(key)

    def load_checkpoint(self, source: str | None, device: str | None = None) -> None:
        self.app.load_checkpoint(source, device)

    def save_scene(self, path: str) -> None:
        self.app.save_scene(path)
        self.recent.remember(path)
        self.status.say(f"Saved scene {path}")

    def open_scene(self, path: str, remember: bool = True) -> None:
        self.app.open_scene(path)
        if remember:
            self.recent.remember(path)

    def open_path(self, path: str) -> None:
        """Open a picture, video or folder the user chose: read off the UI thread, then shown (a file that
        never answers, a pipe say, is reported after FileReader.timeout_s and the window goes on)."""
        from jepa_explorer.app.reading import read_input

        self.status.say(f"Opening {Path(path).name}…")
        self.reader.read(lambda: read_input(path), self.app.show_input, lambda m: self._error("Cannot open this file", m), path)

    def open_scene_later(self, path: str) -> None:
        """Open a scene as open_path opens an input: read and checked off the UI thread, then applied whole."""
        from jepa_explorer.app.reading import read_scene

        def apply(read) -> None:
            try:
                self.app.apply_scene(read)
            except JepaError as e:
                self._error("Cannot open the scene", str(e))
                return
            self.recent.remember(path)

        self.status.say(f"Opening the scene {Path(path).name}…")
        self.reader.read(lambda: read_scene(path), apply, lambda m: self._error("Cannot open the scene", m), path)

    def export_window(self, path: str, size: str = files.DEFAULT_EXPORT_SIZE) -> None:
        files.export_window(self, path, size)

    def export_panels(self, folder: str, size: str = files.DEFAULT_EXPORT_SIZE) -> list[str]:
        return files.export_panels(self, folder, size)

    def toggle_presentation(self, on: bool | None = None) -> None:
        self.presentation.set_on((not self.presentation.on) if on is None or not isinstance(on, bool) else on)
        self.hover_label.setText(" ")
        modes.presentation_changed(self)

    def leave_modes(self) -> None:
        """Esc: back to the normal view (the step-through ends, presentation mode and full screen are left)."""
        self.app.end_stages()
        self.toggle_presentation(False)
        if self.isFullScreen():
            self.showNormal()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls:
            path = urls[0].toLocalFile()
            if path.endswith(".json"):
                self.open_scene_later(path)
            else:
                self.open_path(path)
            event.acceptProposedAction()

    # ================================================================== scenes, errors

    def recent_scenes(self) -> list[str]:
        return self.recent.paths()

    def _open_recent(self, path: str) -> None:
        self.open_scene_later(path)

    def _error(self, title: str, message: str) -> None:
        self.app.last_error = message
        self._show_error(title, message)

    def _show_error(self, title: str, message: str) -> None:
        self.status.say(message)
        self.errorShown.emit(message)
        if self.show_dialogs:
            QMessageBox.warning(self, title, message)

    # ================================================================== lifetime

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            self.layout_docks()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if hasattr(self, "presentation"):  # not yet during construction
            self.presentation.window_resized()
        if hasattr(self, "preset_strip"):
            self.fit_toolbars()

    def _schedule_toolbar_fit(self) -> None:
        if not self._toolbar_fit_pending:
            self._toolbar_fit_pending = True
            QTimer.singleShot(0, self.fit_toolbars)

    def fit_toolbars(self) -> None:
        """As many presets as the main toolbar's row has room for; the rest under "More ▾"."""
        self._toolbar_fit_pending = False
        bar, strip = self.main_toolbar, self.preset_strip
        others = bar.sizeHint().width() - strip.sizeHint().width()
        strip.fit(self.width() - others - TOOLBAR_SLACK_PX)
        bar.layout().invalidate()  # the toolbar otherwise keeps the strip's old width (and its overflow) until the next resize

    def layout_docks(self) -> None:
        """The right column gets about half the width; distances above, the tabbed panels below."""
        width, height = self.width(), self.height()
        right = int(width * (0.5 if width < 1600 else 0.48))
        top = 0.46
        self.resizeDocks([self.docks["distance"]], [right], Qt.Horizontal)
        self.resizeDocks([self.docks["distance"], self.docks["pca"]], [int(height * top), int(height * (1 - top))], Qt.Vertical)

    def closeEvent(self, event) -> None:
        if self.autosave is not None:
            self.autosave.close()  # a clean exit: nothing to restore next time
        self.worker.shutdown(30000)
        self.world_mode.close()  # its view's planning thread
        super().closeEvent(event)


def _settle_heap() -> None:
    """Once a model has answered: collect, then freeze what is alive into the permanent generation.

    Python's full (generation-2) collection walks every tracked object; with torch, pyqtgraph and Qt loaded
    that is long, on whichever thread triggers it and holding the lock both threads need: a frozen brush in
    the middle of a stroke (docs/performance.md). Frozen objects are never walked again, so later full
    collections only see what the app made since. Run while nobody paints (right after the first prediction)."""
    gc.collect()
    gc.freeze()


def show_when_ready(window: MainWindow) -> None:
    """Show first, load after: the first paint must not wait for torch."""
    window.show()
    QTimer.singleShot(0, window.start)
