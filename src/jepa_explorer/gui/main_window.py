"""MainWindow: wires the canvas, the panels and the model worker together. The one place that knows
all of them; each widget only knows its own job.

Request flow: a mask edit -> `_submit()` stamps a new request id and posts the masks to the worker
(latest wins there) -> `predictionReady` -> `_on_prediction()` shows it unless it is stale (older than
what is already shown, or from before the current image/model).
"""

from __future__ import annotations

import gc
import itertools
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSpinBox,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jepa_explorer.errors import JepaError
from jepa_explorer.gui import mask_edit, results, style
from jepa_explorer.gui.canvas import CanvasView
from jepa_explorer.gui.demo import demo_image
from jepa_explorer.gui.legend import MaskLegend
from jepa_explorer.gui.mask_edit import Layer
from jepa_explorer.gui.panels.distance import DistancePanel
from jepa_explorer.gui.panels.model import ModelPanel
from jepa_explorer.gui.panels.pca import PcaPanel
from jepa_explorer.gui.panels.pixels import PixelPanel, masked_view
from jepa_explorer.gui.scene import Scene, load_scene, save_scene
from jepa_explorer.gui.steady_text import SteadyText
from jepa_explorer.gui.timeline import Timeline
from jepa_explorer.gui.worker import ModelWorker
from jepa_explorer.masks import generators
from jepa_explorer.masks.grid import PatchMasks
from jepa_explorer.media.images import IMAGE_SUFFIXES, fit_square, load_image
from jepa_explorer.media.video import VIDEO_SUFFIXES
from jepa_explorer.resources import (
    bundled_checkpoints,
    default_checkpoint,
    default_video_checkpoint,
    sample_clips,
    sample_images,
)

DISPLAY_SIZE = 512  # the canvas image resolution (the model itself may see only 64 px)
BUSY_SHOWN_AFTER_MS = 150  # the status bar names a job only once it has taken this long
MAX_RECENT = 8

PRESETS = [  # (key, label, tooltip, function(grid, seed) -> PatchMasks, re-rolls)
    (
        "multiblock",
        "I-JEPA multiblock",
        "4 target blocks and a large context block, as I-JEPA trains; press again to re-roll",
        lambda grid, seed: generators.multiblock(grid, seed=seed),
        True,
    ),
    (
        "random",
        "MAE random 75%",
        "75% of the patches are one target group, as MAE masks; press again to re-roll",
        lambda grid, seed: generators.random(grid, 0.75, seed=seed),
        True,
    ),
    (
        "block",
        "Single block",
        "One target block, the rest context; press again to re-roll",
        lambda grid, seed: generators.block(grid, scale=0.2, seed=seed),
        True,
    ),
    ("centre", "Centre", "The centre quarter is the target", lambda grid, seed: generators.centre(grid), False),
    ("left", "Left half", "Predict the left half from the right half", lambda grid, seed: generators.half(grid, "left"), False),
    (
        "right",
        "Right half",
        "Predict the right half from the left half",
        lambda grid, seed: generators.half(grid, "right"),
        False,
    ),
    (
        "future",
        "Future frames",
        "What will happen next? Context = the first half of the clip, target = the rest (video models)",
        lambda grid, seed: generators.future(grid),
        False,
    ),
]
# on a video grid these presets become their V-JEPA counterparts: (label, tooltip, function(grid, seed))
VIDEO_PRESETS = {
    "multiblock": (
        "V-JEPA tubes",
        "8 short-range target tubes through every time step, as V-JEPA trains; press again to re-roll",
        lambda grid, seed: generators.multiblock3d(grid, seed=seed, set="short"),
    ),
    "random": (
        "Random tubes 75%",
        "75% of the spatial positions are targets through all time steps (tube masking); press again to re-roll",
        lambda grid, seed: generators.random_tubes(grid, 0.75, seed=seed),
    ),
}


def is_video_path(path: str | Path) -> bool:
    """A video file or a folder of frames (both open as clips)."""
    path = Path(path)
    return path.is_dir() or path.suffix.lower() in VIDEO_SUFFIXES


class MainWindow(QMainWindow):
    predictionShown = Signal(object)  # the Prediction now on screen (tests and screenshots wait for it)
    inputShown = Signal(object)
    modelShown = Signal(object)
    errorShown = Signal(str)
    selfCheckFinished = Signal(int)  # the doctor's exit code

    def __init__(
        self,
        checkpoint: str | None = None,
        image: str | None = None,
        scene: str | None = None,
        device: str | None = None,
        settings: QSettings | None = None,
        worker: ModelWorker | None = None,
        show_dialogs: bool = True,
    ):
        super().__init__()
        self.setWindowTitle("JEPA Explorer")
        self.settings = settings or QSettings("jepa-explorer", "JEPA Explorer")
        self.show_dialogs = show_dialogs  # tests and screenshots turn modal dialogs into errorShown + status text
        self._self_check = None  # the running doctor process, if any
        self.self_check_report: str | None = None
        self._startup = {"checkpoint": checkpoint, "image": image, "scene": scene, "device": device}
        self.worker = worker or ModelWorker(self)
        self.model_info = None
        self.input_view = None
        self.prediction = None
        self.image_rgb: np.ndarray | None = None
        self.image_path: str | None = None
        self.clip_view = None  # worker.ClipView while a video is the input
        self._clip_requested = False  # a clip is being decoded for the next input
        self._pending_step: int | None = None  # a scene's time step, applied when its clip is on screen
        self.display_frames: list | None = None  # the canvas picture of each time step (video)
        self.display_square: np.ndarray | None = None
        self.pixel_square: np.ndarray | None = None
        self.checkpoint_source: str | None = checkpoint
        self.presentation = False
        self.presentation_font: float | None = None
        self.last_error: str | None = None
        self._ids = itertools.count(1)
        self._input_request = 0
        self._min_valid_request = 0
        self._last_sent = 0
        self._displayed_request = 0
        # per request: when it was sent, and whether it asked for the pixel comparison (not while the pixel
        # panel is hidden: a result without pixels then means "not asked", not "no MAE or decoder bundled")
        self._sent: dict[int, tuple[float, bool]] = {}
        self._shown_asked_pixels = False
        self.dropped_stale = 0
        self._heap_settled = False  # see _settle_heap
        self.latencies_ms: list[float] = []
        self._preset_seed = {key: 0 for key, *_ in PRESETS}
        self._pending_view: dict = {}

        self._masks_dirty = False
        self._pending_prediction = None
        self._refresh_timer = QTimer(self)  # coalesces panel updates: at most one per event-loop pass
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh_panels)

        self._build_widgets()
        style.opaque_views(self)
        self._build_actions()
        self._build_menus_and_toolbars()
        self._build_status_bar()
        self._wire()
        self.resize(1400, 860)

    # ================================================================== construction

    def _build_widgets(self) -> None:
        self.canvas = CanvasView()
        self.legend = MaskLegend()
        self.hover_label = SteadyText(" ")  # changes with every patch the mouse passes (see SteadyText)
        self.hover_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.hover_label.set_color(style.MUTED)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        self.stage_label = QLabel()  # the step-through's explanation of the current stage
        self.stage_label.setObjectName("stage")
        self.stage_label.setWordWrap(True)
        self.stage_label.hide()
        layout.addWidget(self.banner)
        layout.addWidget(self.stage_label)
        layout.addWidget(self.canvas, 1)
        self.timeline = Timeline()  # video models only
        self.timeline.hide()
        layout.addWidget(self.timeline)
        layout.addWidget(self.legend)
        layout.addWidget(self.hover_label)
        self.setCentralWidget(central)

        self.distance_panel = DistancePanel()
        self.pca_panel = PcaPanel()
        self.pixel_panel = PixelPanel()
        self.pixel_panel.tax_box.toggled.connect(lambda _checked: self._submit())
        self.model_panel = ModelPanel()
        self.docks = {}
        for key, title, widget, area in [
            ("distance", "Distances: does the predictor beat copying the context?", self.distance_panel, Qt.RightDockWidgetArea),
            ("pca", "Embeddings (PCA)", self.pca_panel, Qt.RightDockWidgetArea),
            ("pixels", "Pixels", self.pixel_panel, Qt.RightDockWidgetArea),
            ("model", "Model", self.model_panel, Qt.RightDockWidgetArea),
        ]:
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable | QDockWidget.DockWidgetClosable)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
        # the pixel comparison runs only while its panel is visible: showing it asks for a fresh one
        self.docks["pixels"].visibilityChanged.connect(self._on_pixels_visibility)
        self.tabifyDockWidget(self.docks["pca"], self.docks["pixels"])
        self.tabifyDockWidget(self.docks["pixels"], self.docks["model"])
        self.docks["pca"].raise_()
        self._laid_out = False
        self.model_panel.set_choices(bundled_checkpoints())

    def _action(self, name: str, text: str, shortcut, tip: str, slot=None, checkable: bool = False, icon=None) -> QAction:
        action = QAction(text, self)
        shortcuts = shortcut if isinstance(shortcut, list) else [shortcut] if shortcut else []
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        keys = ", ".join(QKeySequence(s).toString(QKeySequence.NativeText) for s in shortcuts)
        action.setToolTip(f"{text} ({keys}): {tip}" if keys else f"{text}: {tip}")
        action.setStatusTip(tip)
        action.setCheckable(checkable)
        if icon is not None:
            action.setIcon(icon)
        if slot is not None:
            action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the toolbar holding it is hidden
        self.qactions[name] = action
        return action

    def _build_actions(self) -> None:
        self.qactions: dict[str, QAction] = {}
        a = self._action
        a(
            "open_image",
            "Open image or video…",
            QKeySequence.Open,
            "Open an image, a video (MP4, WebM, GIF, AVI…) or a folder of frames to explore",
            self.open_image_dialog,
        )
        a(
            "open_checkpoint",
            "Open checkpoint…",
            "Ctrl+Shift+M",
            "Load a checkpoint file (.pth.tar, .safetensors, bundle)",
            self.open_checkpoint_dialog,
        )
        a("open_scene", "Open scene…", "Ctrl+Shift+O", "Open a saved scene (model, image, masks, view)", self.open_scene_dialog)
        a(
            "save_scene",
            "Save scene…",
            QKeySequence.Save,
            "Save model, image, masks and view settings as a scene",
            self.save_scene_dialog,
        )
        a("export_window", "Export window PNG…", "Ctrl+E", "Save a picture of the whole window", self.export_window_dialog)
        a(
            "export_panels",
            "Export panel PNGs…",
            "Ctrl+Shift+E",
            "Save each panel as its own picture into a folder",
            self.export_panels_dialog,
        )
        a(
            "export_csv",
            "Export numbers CSV…",
            "Ctrl+Alt+C",
            "Per-patch distances of predictor and baselines as CSV",
            lambda: self.export_numbers_dialog("csv"),
        )
        a(
            "export_npz",
            "Export arrays NPZ…",
            "Ctrl+Alt+N",
            "Embeddings, distances and heatmaps as a NumPy archive",
            lambda: self.export_numbers_dialog("npz"),
        )
        a("quit", "Quit", "Ctrl+Q", "Close JEPA Explorer", self.close)

        a("undo", "Undo", QKeySequence.Undo, "Undo the last mask edit", self.canvas.undo)
        a("redo", "Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], "Redo the mask edit you undid", self.canvas.redo)
        a(
            "fill",
            "Fill context",
            "F",
            "Every patch that is not a target becomes context",
            lambda: self.canvas.apply(mask_edit.fill_context),
        )
        a(
            "invert",
            "Invert context",
            "I",
            "Swap context and unused patches (targets stay)",
            lambda: self.canvas.apply(mask_edit.invert_context),
        )
        a("clear", "Clear masks", "Delete", "Remove all context and targets", lambda: self.canvas.apply(mask_edit.clear))

        self.tool_group = QActionGroup(self)
        for name, text, key, tip, layer, rgb in [
            ("tool_context", "Context", "C", "Paint context: the patches the encoder sees", Layer.CONTEXT, style.CONTEXT_RGB),
            (
                "tool_target_new",
                "New target",
                "T",
                "Paint a new target group (each stroke starts one)",
                Layer.TARGET_NEW,
                style.target_rgb(0),
            ),
            (
                "tool_target",
                "Add to target",
                "G",
                "Paint into the current target group (click its legend chip to pick it)",
                Layer.TARGET,
                style.target_rgb(1),
            ),
            ("tool_erase", "Eraser", "E", "Erase context and targets (right-drag erases with any tool)", Layer.ERASE, None),
        ]:
            action = a(
                name,
                text,
                key,
                tip,
                lambda _=False, layer=layer: self.canvas.set_layer(layer),
                checkable=True,
                icon=style.color_icon(rgb, 18, "circle"),
            )
            self.tool_group.addAction(action)
        self.qactions["tool_context"].setChecked(True)
        a(
            "rect",
            "Rectangle",
            "R",
            "Drag rectangles snapped to patches instead of brushing",
            self.canvas.set_rect_mode,
            checkable=True,
        )
        a("brush_bigger", "Bigger brush", "]", "Brush one patch wider", lambda: self._change_brush(+1))
        a("brush_smaller", "Smaller brush", "[", "Brush one patch narrower", lambda: self._change_brush(-1))

        for i, (key, label, tip, _, _) in enumerate(PRESETS):
            a(f"preset_{key}", label, str(i + 1), tip, lambda _=False, key=key: self.apply_preset(key))

        a("metric_cycle", "Next metric", "M", "Switch the distance metric (L2, cosine, training loss)", self._cycle_metric)
        a(
            "presentation",
            "Presentation mode",
            "F11",
            "Full screen, large fonts, thick strokes, simplified layout",
            self.toggle_presentation,
            checkable=True,
        )
        a(
            "self_check",
            "Self-check…",
            "Ctrl+Shift+D",
            "Check Python, torch, Qt, the bundled checkpoints' hashes and a timed prediction (jepa-explorer doctor)",
            self.run_self_check,
        )
        a(
            "step",
            "Step through the JEPA loop",
            "F5",
            "Reveal mask → encode context → encode target (EMA) → predict → compare, one stage per press",
            self.step_loop,
        )

        a("time_prev", "Previous time step", ",", "Show the previous time step of the clip", lambda: self._step_time(-1))
        a("time_next", "Next time step", ".", "Show the next time step of the clip", lambda: self._step_time(+1))
        a(
            "play",
            "Play / pause",
            "P",
            "Play the clip's time steps in a loop",
            lambda: self.timeline.set_playing(not self.timeline.play_button.isChecked()),
        )

    def _build_menus_and_toolbars(self) -> None:
        act = self.qactions
        menu = self.menuBar().addMenu("&File")
        for name in ("open_image",):
            menu.addAction(act[name])
        self.samples_menu = menu.addMenu("Open sample")
        self._fill_samples_menu()
        menu.addSeparator()
        for name in ("open_scene", "save_scene"):
            menu.addAction(act[name])
        self.recent_menu = menu.addMenu("Recent scenes")
        self._fill_recent_menu()
        menu.addSeparator()
        for name in ("export_window", "export_panels", "export_csv", "export_npz"):
            menu.addAction(act[name])
        menu.addSeparator()
        menu.addAction(act["quit"])

        menu = self.menuBar().addMenu("&Edit")
        for name in ("undo", "redo", None, "fill", "invert", "clear"):
            menu.addSeparator() if name is None else menu.addAction(act[name])
        menu = self.menuBar().addMenu("&Tools")
        for name in (
            "tool_context",
            "tool_target_new",
            "tool_target",
            "tool_erase",
            None,
            "rect",
            "brush_bigger",
            "brush_smaller",
        ):
            menu.addSeparator() if name is None else menu.addAction(act[name])
        menu = self.menuBar().addMenu("&Masks")
        for key, *_ in PRESETS:
            menu.addAction(act[f"preset_{key}"])
        menu = self.menuBar().addMenu("&Model")
        menu.addAction(act["open_checkpoint"])
        self.device_menu = menu.addMenu("Device")
        menu = self.menuBar().addMenu("&View")
        for name in ("metric_cycle", "presentation", "step", None, "time_prev", "time_next", "play"):
            menu.addSeparator() if name is None else menu.addAction(act[name])
        menu.addSeparator()
        for dock in self.docks.values():
            menu.addAction(dock.toggleViewAction())
        self.menuBar().addMenu("&Help").addAction(act["self_check"])

        bar = QToolBar("File and masks")
        bar.setObjectName("toolbar_main")
        bar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        bar.addAction(act["open_image"])
        samples = QToolButton()
        samples.setText("Samples ▾")
        samples.setToolTip("Bundled sample images (and a generated demo picture)")
        samples.setMenu(self.samples_menu)
        samples.setPopupMode(QToolButton.InstantPopup)
        bar.addWidget(samples)
        for name in ("undo", "redo"):
            bar.addAction(act[name])
        bar.addSeparator()
        bar.addWidget(QLabel(" Presets: "))
        for key, *_ in PRESETS:
            bar.addAction(act[f"preset_{key}"])
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
        self.brush_spin.valueChanged.connect(self.canvas.set_brush_size)
        tools.addWidget(self.brush_spin)
        tools.addSeparator()
        for name in ("fill", "invert", "clear"):
            tools.addAction(act[name])
        self.addToolBarBreak(Qt.TopToolBarArea)
        self.addToolBar(Qt.TopToolBarArea, tools)
        self.tools_toolbar = tools

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy_label = SteadyText("Starting…", template="Moving the model to cuda:0…")
        self.busy_label.set_color(style.WARN)
        self.busy_label.setProperty("busy", True)
        self._busy_text = "Starting…"
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_SHOWN_AFTER_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        self.model_label = QLabel("model: –")
        self.device_box = QComboBox()
        self.device_box.setToolTip("Where the model runs (CPU, or a GPU where present)")
        self.device_box.activated.connect(lambda i: self.set_device(self.device_box.itemData(i)))
        # room for the longest usual text: a new figure 25 times a second re-lays out nothing (see SteadyText)
        self.latency_label = SteadyText("update: –", template="update: 9999 ms (model 9999 ms)")
        self.latency_label.setToolTip("Time from the mask edit to the result on screen (model time in brackets)")
        bar.addWidget(self.busy_label, 1)
        bar.addPermanentWidget(self.model_label)
        bar.addPermanentWidget(QLabel("device"))
        bar.addPermanentWidget(self.device_box)
        bar.addPermanentWidget(self.latency_label)

    def _wire(self) -> None:
        self.canvas.masksChanged.connect(self._on_masks_changed)
        self.canvas.strokeFinished.connect(lambda _masks: self._set_stroking(False))
        self.canvas.historyChanged.connect(self._update_history_actions)
        self.canvas.toolChanged.connect(self._on_tool_changed)
        self.canvas.patchHovered.connect(self._on_patch_hovered)
        self.pca_panel.patchHovered.connect(self._on_pca_hovered)
        self.legend.groupSelected.connect(self._select_group)
        self.distance_panel.metricChanged.connect(lambda _: self._on_patch_hovered(self.canvas._hover))
        self.model_panel.checkpointChosen.connect(self.load_checkpoint)
        self.model_panel.openFileRequested.connect(self.open_checkpoint_dialog)
        self.worker.modelReady.connect(self._on_model_ready)
        self.worker.inputReady.connect(self._on_input_ready)
        self.worker.predictionReady.connect(self._on_prediction)
        self.worker.clipReady.connect(self._on_clip_ready)
        self.timeline.stepChanged.connect(self.set_time_step)
        self.timeline.spanChanged.connect(self.canvas.set_paint_span)
        # another part of a long video: the same masks on the clip from that frame
        self.timeline.source_bar.startChosen.connect(lambda start: self.open_video(self.image_path, start))
        self.distance_panel.metricChanged.connect(lambda _: self._show_timeline_prediction())
        self.worker.failed.connect(self._on_failed)
        self.worker.busy.connect(self._on_busy)
        self.setAcceptDrops(True)
        self._update_history_actions()
        self._on_tool_changed()

    # ================================================================== start-up

    def start(self) -> None:
        """Called once the window is shown: the model loads in the worker while the window is already up."""
        self.canvas.set_busy("Loading model…")
        scene_path = self._startup["scene"]
        if scene_path:
            try:
                self.open_scene(scene_path, override_checkpoint=self._startup["checkpoint"])
                return
            except JepaError as e:
                self._error("Cannot open the scene", str(e))
        self.load_checkpoint(self._startup["checkpoint"], self._startup["device"])
        image = self._startup["image"]
        if image:
            if not self.open_image(image):
                self._set_demo_image()
        elif self.image_rgb is None:
            samples = sample_images()
            if not (samples and self.open_image(str(samples[0]))):
                self._set_demo_image()

    def _set_demo_image(self) -> None:
        self.set_image(demo_image(), None)

    # ================================================================== model

    def load_checkpoint(self, source: str | None, device: str | None = None) -> None:
        self.checkpoint_source = source
        self._min_valid_request = self._last_sent + 1  # nothing computed by the old model is shown any more
        self.canvas.set_busy("Loading model…")
        self.busy_label.setText("Loading model…")
        self.worker.load_model(source, device)

    def set_device(self, device: str) -> None:
        if self.model_info is not None and device and device != self.model_info.device.split(":")[0]:
            self._min_valid_request = self._last_sent + 1
            self.worker.set_device(device)

    def _on_model_ready(self, info) -> None:
        self.model_info = info
        self._heap_settled = False
        self.checkpoint_source = info.source
        self.canvas.set_busy(None if self.image_rgb is not None else "Open an image (Ctrl+O) or drop one here")
        self.model_panel.show_model(info)
        self.model_label.setText(f"model: {info.name}")
        self.device_box.clear()
        self.device_menu.clear()
        for name in info.devices:
            label = {"cpu": "CPU", "cuda": "GPU (CUDA)", "mps": "GPU (Apple)"}.get(name, name)
            self.device_box.addItem(label, name)
            action = self.device_menu.addAction(label)
            action.setToolTip(f"Run the model on {label}")
            action.triggered.connect(lambda _=False, n=name: self.set_device(n))
        self.device_box.setCurrentIndex(max(0, self.device_box.findData(info.device.split(":")[0])))
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
        blank = not self.canvas.masks.context.any() and not self.canvas.masks.targets
        if tuple(info.grid_shape) != self.canvas.masks.grid_shape or blank:
            masks = self._preset_masks("multiblock", info.grid_shape) or PatchMasks.empty(info.grid_shape)
            self.canvas.set_masks(masks, record=False)  # a new grid: the old undo stack no longer applies
        if self._pending_view:
            self._apply_view(self._pending_view)
            self._pending_view = {}
        self._show_media_kind(info.video)
        self.modelShown.emit(info)
        self._refresh_input_panels()
        # the input must suit the model: a video model gets a clip, an image model a picture
        if info.video and self.clip_view is None and not self._clip_requested:
            clips = sample_clips()
            if clips:
                self.open_video(str(clips[0]))
            else:
                self.canvas.set_busy("Open a video (Ctrl+O) for this video model")
        elif not info.video and self.clip_view is not None:
            samples = sample_images()
            if not (samples and self.open_image(str(samples[0]))):
                self._set_demo_image()

    def _note_switch(self, checkpoint: Path) -> None:
        """Say in the status bar when opening a clip or a picture replaces the loaded model."""
        if self.model_info is not None:
            kind = "image" if self.model_info.video else "video"
            self.statusBar().showMessage(
                f"Switching from {self.model_info.name} to the bundled {kind} model {checkpoint.name} for this input", 8000
            )

    def _show_media_kind(self, video: bool) -> None:
        """Timeline and video presets for a video model; the image ones otherwise."""
        self.timeline.setVisible(video)
        for key, label, tip, *_ in PRESETS:
            action = self.qactions[f"preset_{key}"]
            text, tooltip = VIDEO_PRESETS[key][:2] if video and key in VIDEO_PRESETS else (label, tip)
            action.setText(text)
            action.setToolTip(f"{text} ({action.shortcut().toString()}): {tooltip}")
        self.qactions["preset_future"].setEnabled(video)
        for name in ("time_prev", "time_next", "play"):
            self.qactions[name].setEnabled(video)
        self.pixel_panel.tax_box.setEnabled(not video)
        if not video:
            self.timeline.set_playing(False)

    # ================================================================== image

    def open_image(self, path: str) -> bool:
        """Open an image file, or a video / frame folder (``open_video``); on failure show why and keep
        the current input and masks."""
        if is_video_path(path):
            return self.open_video(path)
        try:
            rgb = load_image(path)
        except JepaError as e:
            self._error("Cannot open the image", str(e))
            return False
        self.set_image(rgb, str(path))
        return True

    def open_video(self, path: str, start: int = 0) -> bool:
        """Open a video file or a folder of frames for the video model (switching to the bundled one if an
        image model is loaded). Decoding runs in the worker; a file that cannot be read changes nothing."""
        from jepa_explorer.media.video import probe_video

        try:
            probe_video(path)  # reads the header only: a broken file is refused before anything changes
        except JepaError as e:
            self._error("Cannot open the video", str(e))
            return False
        if self.model_info is None or not self.model_info.video:
            video_model = default_video_checkpoint()
            if video_model is None:
                self._error("Cannot open the video", f"{path}: no video model is bundled; open a V-JEPA checkpoint first.")
                return False
            if self.checkpoint_source is None or Path(self.checkpoint_source).resolve() != video_model.resolve():
                self._note_switch(video_model)
                self.load_checkpoint(str(video_model))
        request = next(self._ids)
        self._input_request = request
        self._min_valid_request = request
        self._clip_requested = True
        self.timeline.set_playing(False)
        self.canvas.set_busy("Decoding the video…")
        self.distance_panel.clear("Decoding the video…")
        self.worker.open_clip(str(path), DISPLAY_SIZE, request, start)
        return True

    def _on_clip_ready(self, view) -> None:
        if view.request_id < self._input_request:
            self.dropped_stale += 1
            return
        self._clip_requested = False
        self.clip_view = view
        self.display_frames = view.display
        self.image_rgb = np.stack(view.display)  # [T, S, S, 3]: marks that an input is there
        self.image_path = view.path
        self.input_view = None
        self.prediction = None
        step = self._pending_step if self._pending_step is not None else self.canvas.time_step
        self._pending_step = None
        self.pixel_square = None
        self.setWindowTitle(f"JEPA Explorer — {Path(view.path).name}")
        self.canvas.set_busy(None)
        self.timeline.clear_prediction()
        self.timeline.set_clip(view.steps, view.stride, view.info, view.indices)
        self.set_time_step(step)  # clamps; canvas picture, heatmap background and panels of that step
        self.timeline.set_masks(self.canvas.masks)
        for kind in ("original", "masked", "mae", "jepa", "actual"):
            self.pixel_panel.tiles[kind].show_placeholder("waiting for the first prediction")
        self._refresh_input_panels()
        self.distance_panel.clear("Encoding the clip…")
        self._submit()

    def set_time_step(self, step: int) -> None:
        """Show time step `step` of the clip on the canvas and in the distance heatmap."""
        if not self.display_frames:
            return
        step = int(np.clip(step, 0, len(self.display_frames) - 1))
        self.canvas.set_time_step(step)
        self.display_square = self.display_frames[step]
        self.canvas.set_image(self.display_square)
        self.distance_panel.set_background(self.display_square, self.canvas.grid_hw)
        self.distance_panel.set_time_step(step)
        self.pca_panel.set_time_step(step)
        if self.clip_view is not None and self.prediction is not None:
            self._show_clip_pixels()
        if self.timeline.step != step:
            self.timeline.set_step(step)  # re-enters here through stepChanged; the step is already shown

    def _show_clip_pixels(self) -> None:
        """The pixel tiles of the shown time step (its first frame), when the video model has a decoder."""
        comparison = self.prediction.pixels if self.prediction is not None else None
        if comparison is None and not self._shown_asked_pixels:
            return  # made while the panel was hidden: showing it asks for a result with pixels
        if comparison is None:  # the frame and what the encoder sees, without decoded tiles
            step = self.canvas.time_step
            self.pixel_panel.set_original(self.display_square)
            self.pixel_panel.tiles["masked"].show_image(
                masked_view(self.display_square, self.canvas.masks, step), f"step {step + 1}"
            )
            for kind in ("mae", "jepa", "actual"):
                self.pixel_panel.tiles[kind].show_placeholder("no pixel decoder for this video model")
            return
        from jepa_explorer.engine.pixels import frame_of

        frame = frame_of(comparison, self.canvas.time_step * len(self.clip_view.steps[0]))
        self.pixel_panel.set_original(frame.images["original"])
        self.pixel_panel.tiles["masked"].show_image(frame.images["masked"], f"step {self.canvas.time_step + 1}")
        self.pixel_panel.show_comparison(frame)
        self.pixel_panel.tiles["mae"].show_placeholder("no MAE for video: the bundled MAE is an image model")

    def _step_time(self, delta: int) -> None:
        if self.display_frames:
            self.timeline.set_step(int(np.clip(self.timeline.step + delta, 0, len(self.display_frames) - 1)))

    def _show_timeline_prediction(self) -> None:
        if self.clip_view is not None and self.prediction is not None:
            self.timeline.show_prediction(self.prediction, self.distance_panel.metric_name)

    def set_image(self, rgb: np.ndarray, path: str | None) -> None:
        image_model = default_checkpoint()
        if self.model_info is not None and self.model_info.video and image_model is not None:
            self._note_switch(image_model)
            self.load_checkpoint(str(image_model))  # a picture needs an image model; it loads first
        self.clip_view, self.display_frames, self._clip_requested = None, None, False
        self._pending_step = None
        self.timeline.clear_prediction()
        self.canvas.set_time_step(0)
        self.distance_panel.set_time_step(0)
        self.pca_panel.set_time_step(0)
        self.timeline.set_playing(False)
        self.image_rgb, self.image_path = rgb, path
        self.display_square = fit_square(rgb, DISPLAY_SIZE)
        self.pixel_square = fit_square(rgb, DISPLAY_SIZE // 2)  # the pixel tiles are small: half the work
        self.input_view = None
        self.prediction = None
        request = next(self._ids)
        self._input_request = request
        self._min_valid_request = request
        self.setWindowTitle(f"JEPA Explorer — {Path(path).name if path else 'demo image'}")
        self.canvas.set_image(self.display_square)
        if self.model_info is not None:
            self.canvas.set_busy(None)
        self.pixel_panel.set_original(rgb)
        self._refresh_input_panels()
        self.distance_panel.clear("Encoding the image…")
        self.worker.set_input(rgb, request)
        self._submit()

    def _refresh_input_panels(self) -> None:
        grid_hw = self.canvas.grid_hw
        self.distance_panel.set_background(self.display_square, grid_hw)
        if self.pixel_square is not None:
            self.pixel_panel.set_masked(self.pixel_square, self.canvas.masks)

    def _on_input_ready(self, view) -> None:
        if view.request_id < self._input_request:
            self.dropped_stale += 1
            return
        self.input_view = view
        self.pca_panel.set_input(view, self.canvas.grid_hw)
        self.inputShown.emit(view)
        self._submit()

    # ================================================================== masks -> predictions

    def _on_masks_changed(self, masks: PatchMasks) -> None:
        self._set_stroking(self.canvas.stroking)
        self._submit()  # the request goes out at once; the panels catch up once per event-loop pass
        self._masks_dirty = True
        self._refresh_timer.start()

    def _set_stroking(self, on: bool) -> None:
        # mid-stroke the heatmap follows every result; the numbers and the PCA plot redraw less often
        self.distance_panel.set_stroking(on)
        self.pca_panel.set_stroking(on)

    def _on_masks_changed_view(self) -> None:
        self._masks_dirty = True
        self._refresh_timer.start()

    def _refresh_panels(self) -> None:
        if self._masks_dirty:
            self._masks_dirty = False
            masks = self.canvas.masks
            self.legend.update_masks(masks, self.canvas.current_group)
            if getattr(self, "_step", None) is not None:
                from jepa_explorer.gui.presentation import refresh_stage

                refresh_stage(self)
            if self.clip_view is not None:
                self.timeline.set_masks(masks)
            if self.pixel_square is not None and not self.pixel_panel.visibleRegion().isEmpty():
                self.pixel_panel.set_masked(self.pixel_square, masks)
        prediction, self._pending_prediction = self._pending_prediction, None
        if prediction is not None:
            self._show_prediction(prediction)

    def _on_pixels_visibility(self, visible: bool) -> None:
        if visible:
            asked = self._last_sent
            self._on_masks_changed_view()
            self._submit()
            if self._last_sent != asked:  # the last result was made without pixels while the panel was hidden
                self.pixel_panel.show_pending()

    def _submit(self) -> None:
        if self.model_info is None or self.image_rgb is None:
            return
        masks = self.canvas.masks
        if masks.grid_shape != tuple(self.model_info.grid_shape):
            return
        hint = mask_edit.problem(masks)
        if hint is not None:
            self.distance_panel.clear(hint)
            self.pca_panel.clear_prediction()
            self.timeline.clear_prediction()
            self.prediction = self._pending_prediction = None
            self._min_valid_request = self._last_sent + 1  # a late result would contradict the hint
            return
        request = next(self._ids)
        self._last_sent = request
        shown = not self.pixel_panel.visibleRegion().isEmpty()
        tax = shown and self.pixel_panel.tax_box.isChecked() and self.clip_view is None  # needs the image MAE
        self._sent[request] = (time.perf_counter(), shown)
        self.worker.predict(masks.without_empty_targets(), request, pixels=shown, surface_tax=tax)

    def _is_stale(self, request_id: int | None) -> bool:
        return request_id is None or request_id < self._min_valid_request or request_id <= self._displayed_request

    def _on_prediction(self, prediction) -> None:
        if self._is_stale(prediction.request_id) or (self.input_view is not None and prediction.input_key != self.input_view.key):
            self.dropped_stale += 1
            return
        self._displayed_request = prediction.request_id
        self._pending_prediction = prediction
        self._refresh_timer.start()

    def _show_prediction(self, prediction) -> None:
        sent, self._shown_asked_pixels = self._sent.pop(prediction.request_id, (None, False))
        self.prediction = prediction
        self.distance_panel.show_prediction(prediction)
        self.pca_panel.show_prediction(prediction)
        if self.clip_view is None:
            if self._shown_asked_pixels:  # else the panel is hidden, or showing it asked for a result with pixels
                self.pixel_panel.show_comparison(prediction.pixels, prediction.surface_tax)
        else:
            self.timeline.show_prediction(prediction, self.distance_panel.metric_name)
            self._show_clip_pixels()
        if sent is not None:
            latency = (time.perf_counter() - sent) * 1e3
            self.latencies_ms.append(latency)
            del self.latencies_ms[:-200]
            self.latency_label.setText(f"update: {latency:.0f} ms (model {prediction.timings_ms.get('total_ms', 0):.0f} ms)")
        if getattr(self, "_step", None) is not None:  # the step-through draws the new result on the canvas
            from jepa_explorer.gui.presentation import refresh_stage

            refresh_stage(self)
        if not self._heap_settled:
            self._heap_settled = True
            QTimer.singleShot(0, _settle_heap)
        for old in [k for k in self._sent if k < prediction.request_id]:
            self._sent.pop(old, None)
        self.predictionShown.emit(prediction)

    def _on_failed(self, error) -> None:
        if error.stage == "masks":
            if self._is_stale(error.request_id) or error.request_id != self._last_sent:
                self.dropped_stale += 1
                return
            self.distance_panel.clear(error.message)
            self.last_error = error.message
            return
        if error.stage in ("input", "clip") and error.request_id is not None and error.request_id < self._input_request:
            return
        if error.stage == "clip":
            self._clip_requested = False
            self.canvas.set_busy(None if self.image_rgb is not None else "Open a video (Ctrl+O)")
        title = {
            "model": "Cannot load the model",
            "input": "Cannot use this image",
            "clip": "Cannot open the video",
            "device": "Cannot switch device",
            "companion": "Cannot load the pixel-panel model",
        }.get(error.stage, "Error")
        if error.stage == "model":
            self.canvas.set_busy("No model loaded")
        self._error(title, error.message)

    def _on_busy(self, text: str) -> None:
        # a prediction takes tens of ms: saying "Predicting…" and "Ready" around each one would flicker and
        # restyle the status bar 50 times a second during a stroke; a job is named once it has lasted a while
        self._busy_text = text
        if not text:
            self._busy_timer.stop()
            self._show_busy()
        elif not self._busy_timer.isActive():
            self._busy_timer.start()

    def _show_busy(self) -> None:
        text = self._busy_text or "Ready"
        if self.busy_label.text() != text:
            self.busy_label.setText(text)
        busy = bool(self._busy_text)
        if busy != self.busy_label.property("busy"):
            self.busy_label.setProperty("busy", busy)
            self.busy_label.set_color(style.WARN if busy else style.MUTED)

    # ================================================================== tools

    def apply_preset(self, key: str) -> None:
        if self.model_info is None and self.canvas.masks.grid_shape is None:
            return
        grid = tuple(self.model_info.grid_shape) if self.model_info else self.canvas.masks.grid_shape
        masks = self._preset_masks(key, grid, reroll=True)
        if masks is not None:
            self.canvas.set_masks(masks, record=True)

    def _preset_masks(self, key: str, grid, reroll: bool = False) -> PatchMasks | None:
        entry = next(p for p in PRESETS if p[0] == key)
        if reroll and entry[4]:
            self._preset_seed[key] += 1
        make = VIDEO_PRESETS[key][2] if grid[0] > 1 and key in VIDEO_PRESETS else entry[3]
        try:
            return make(tuple(grid), self._preset_seed[key])
        except JepaError as e:
            self._error("Cannot make these masks", str(e))
            return None

    def _change_brush(self, delta: int) -> None:
        self.brush_spin.setValue(self.brush_spin.value() + delta)

    def _select_group(self, group: int) -> None:
        self.canvas.set_current_group(group)
        self.qactions["tool_target"].setChecked(True)
        self.canvas.set_layer(Layer.TARGET)

    def _on_tool_changed(self) -> None:
        name = {
            Layer.CONTEXT: "tool_context",
            Layer.TARGET_NEW: "tool_target_new",
            Layer.TARGET: "tool_target",
            Layer.ERASE: "tool_erase",
        }[self.canvas.layer]
        self.qactions[name].setChecked(True)
        self.qactions["rect"].setChecked(self.canvas.rect_mode)
        if self.brush_spin.value() != self.canvas.brush_size:
            self.brush_spin.setValue(self.canvas.brush_size)
        self.legend.update_masks(self.canvas.masks, self.canvas.current_group)

    def _update_history_actions(self) -> None:
        self.qactions["undo"].setEnabled(self.canvas.history.can_undo)
        self.qactions["redo"].setEnabled(self.canvas.history.can_redo)

    def _cycle_metric(self) -> None:
        from jepa_explorer.analysis.distances import METRICS

        self.distance_panel.set_metric(METRICS[(METRICS.index(self.distance_panel.metric_name) + 1) % len(METRICS)])

    # ================================================================== linked hover

    def _on_patch_hovered(self, index: int) -> None:
        self.pca_panel.highlight_patch(index)
        self.distance_panel.highlight_patch(index)
        self._show_hover_text(index)

    def _on_pca_hovered(self, index: int) -> None:
        self.canvas.highlight_patch(index)
        self.distance_panel.highlight_patch(index)
        self.pca_panel.highlight_patch(index)
        self._show_hover_text(index)

    def _show_hover_text(self, index: int) -> None:
        if index is None or index < 0:
            self.hover_label.setText(" ")
            return
        self.hover_label.setText(
            results.describe_patch(self.prediction, index, self.distance_panel.metric_name, self.canvas.masks.grid_shape)
        )

    # ================================================================== dialogs, drag and drop

    def run_self_check(self) -> None:
        """`jepa-explorer doctor` in a child process (never the UI thread); its report in a dialog."""
        from PySide6.QtCore import QProcess

        from jepa_explorer.doctor import doctor_command

        if self._self_check is not None:
            return
        command = doctor_command()
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.MergedChannels)
        process.finished.connect(lambda code, _status: self._self_check_done(process, code))
        self._self_check = process
        self._on_busy("Running the self-check…")
        process.start(command[0], command[1:])

    def _self_check_done(self, process, code: int) -> None:
        self._self_check = None
        self.self_check_report = bytes(process.readAllStandardOutput()).decode(errors="replace")
        self._on_busy("")
        self.statusBar().showMessage("Self-check passed" if code == 0 else "Self-check found problems", 8000)
        if self.show_dialogs:
            box = QMessageBox(
                QMessageBox.Information if code == 0 else QMessageBox.Warning,
                "Self-check",
                "All checks passed." if code == 0 else "Some checks failed; see the details.",
                parent=self,
            )
            box.setDetailedText(self.self_check_report)
            box.open()
        self.selfCheckFinished.emit(code)

    def _error(self, title: str, message: str) -> None:
        self.last_error = message
        self.busy_label.setText(message)
        self.errorShown.emit(message)
        if self.show_dialogs:
            QMessageBox.warning(self, title, message)

    def open_image_dialog(self) -> None:
        images = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        videos = " ".join(f"*{s}" for s in VIDEO_SUFFIXES)
        filters = f"Images and videos ({images} {videos});;Images ({images});;Videos ({videos});;All files (*)"
        path, _ = QFileDialog.getOpenFileName(self, "Open image or video", "", filters)
        if path:
            self.open_image(path)

    def open_checkpoint_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open checkpoint", "", "Checkpoints (*.pth.tar *.pth *.pt *.safetensors card.json);;All files (*)"
        )
        if path:
            if Path(path).name == "card.json":
                path = str(Path(path).parent)
            self.load_checkpoint(path)

    def _fill_samples_menu(self) -> None:
        self.samples_menu.clear()
        samples = sample_images()
        for path in samples:
            action = self.samples_menu.addAction(QIcon(str(path)), path.stem.replace("_", " "))
            action.setToolTip(f"Open the bundled sample {path.name}")
            action.triggered.connect(lambda _=False, p=str(path): self.open_image(p))
        clips = sample_clips()
        if clips:
            self.samples_menu.addSeparator()
            for path in clips:
                action = self.samples_menu.addAction(f"▶ {path.stem.replace('_', ' ')} (video)")
                action.setToolTip(f"Open the bundled clip {path.name} with the video model")
                action.triggered.connect(lambda _=False, p=str(path): self.open_image(p))
            self.samples_menu.addSeparator()
        demo = self.samples_menu.addAction("Generated demo picture")
        demo.setToolTip("A generated picture with simple shapes (always available)")
        demo.triggered.connect(self._set_demo_image)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls:
            path = urls[0].toLocalFile()
            if path.endswith(".json"):
                self.open_scene(path)
            else:
                self.open_image(path)
            event.acceptProposedAction()

    # ================================================================== scenes

    def current_scene(self) -> Scene:
        return Scene(self.checkpoint_source, self.image_path, self.canvas.masks.copy(), self._view_settings())

    def _view_settings(self) -> dict:
        return {
            "metric": self.distance_panel.metric_name,
            "layer": self.canvas.layer.value,
            "rect": self.canvas.rect_mode,
            "brush": self.canvas.brush_size,
            "seeds": dict(self._preset_seed),
            "time_step": self.canvas.time_step,
            "span": self.canvas.paint_span,
            "clip_start": self.clip_view.indices[0] if self.clip_view is not None and self.clip_view.indices else 0,
        }

    def _apply_view(self, view: dict) -> None:
        if view.get("metric"):
            self.distance_panel.set_metric(view["metric"])
        if view.get("layer"):
            self.canvas.set_layer(Layer(view["layer"]))
        self.canvas.set_rect_mode(bool(view.get("rect", False)))
        self.canvas.set_brush_size(int(view.get("brush", 1)))
        self._preset_seed.update(view.get("seeds", {}))
        if view.get("span") in ("all", "this", "from"):
            self.timeline.set_span(view["span"])
            self.canvas.set_paint_span(view["span"])
        step = int(view.get("time_step", 0))
        if self.display_frames:
            self.set_time_step(step)
        else:
            self._pending_step = step  # the clip is still on its way

    def save_scene(self, path: str) -> None:
        save_scene(self.current_scene(), path)
        self._remember_scene(path)
        self.busy_label.setText(f"Saved scene {path}")

    def open_scene(self, path: str, override_checkpoint: str | None = None) -> None:
        scene = load_scene(path)
        self._remember_scene(path)
        checkpoint = override_checkpoint or scene.checkpoint
        if scene.masks is not None:
            if self.model_info is None or checkpoint != self.checkpoint_source:
                self._pending_view = scene.view
            self.canvas.set_masks(scene.masks, record=self.model_info is not None)
        if self.model_info is None or checkpoint != self.checkpoint_source:
            self.load_checkpoint(checkpoint)
        else:
            self._apply_view(scene.view)
        if scene.image:
            if is_video_path(scene.image):  # the same part of the video as when it was saved
                if not self.open_video(scene.image, int(scene.view.get("clip_start", 0))):
                    return
            elif not self.open_image(scene.image):
                return
        else:
            self._set_demo_image()

    def open_scene_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open scene", "", "Scenes (*.json);;All files (*)")
        if path:
            try:
                self.open_scene(path)
            except JepaError as e:
                self._error("Cannot open the scene", str(e))

    def save_scene_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save scene", "scene.json", "Scenes (*.json)")
        if path:
            try:
                self.save_scene(path)
            except JepaError as e:
                self._error("Cannot save the scene", str(e))

    def _remember_scene(self, path: str) -> None:
        path = str(Path(path).resolve())
        recent = [p for p in self.recent_scenes() if p != path]
        self.settings.setValue("recent_scenes", [path, *recent][:MAX_RECENT])
        self._fill_recent_menu()

    def recent_scenes(self) -> list[str]:
        value = self.settings.value("recent_scenes", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_scenes()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        self.recent_menu.setEnabled(bool(recent))

    def _open_recent(self, path: str) -> None:
        try:
            self.open_scene(path)
        except JepaError as e:
            self._error("Cannot open the scene", str(e))

    # ================================================================== exports

    def export_window(self, path: str) -> None:
        if not self.grab().save(path):
            raise JepaError(f"{path}: cannot write the PNG (check the folder exists and is writable).")

    def export_panels(self, folder: str) -> list[str]:
        out = []
        folder_path = Path(folder)
        folder_path.mkdir(parents=True, exist_ok=True)
        # grab the docks, not the panels: grabbing DistancePanel on its own crashes PySide6 6.12 here
        for name, widget in [("canvas", self.centralWidget()), *self.docks.items()]:
            path = folder_path / f"{name}.png"
            if widget.isVisible() and widget.grab().save(str(path)):
                out.append(str(path))
        return out

    def export_numbers(self, path: str) -> None:
        if self.prediction is None:
            raise JepaError("no prediction to export yet: paint context and targets first.")
        try:
            if path.endswith(".npz"):
                view = self.input_view
                extra = (view.actual, view.actual_pca, view.pixels) if view is not None else ()
                np.savez_compressed(path, **self.prediction.to_arrays(*extra))
            else:
                Path(path).write_text(results.prediction_csv(self.prediction, self.prediction.masks.grid_shape))
        except OSError as e:
            raise JepaError(f"{path}: cannot write the numbers ({e.strerror}).") from None

    def export_window_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export window", "jepa-explorer.png", "PNG (*.png)")
        if path:
            try:
                self.export_window(path)
            except JepaError as e:
                self._error("Cannot export", str(e))

    def export_panels_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export panels into folder")
        if folder:
            written = self.export_panels(folder)
            self.busy_label.setText(f"Wrote {len(written)} panel pictures to {folder}")

    def export_numbers_dialog(self, kind: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export numbers", f"jepa-explorer.{kind}", f"{kind.upper()} (*.{kind})")
        if path:
            try:
                self.export_numbers(path)
            except JepaError as e:
                self._error("Cannot export", str(e))

    # ================================================================== presentation

    def toggle_presentation(self, on: bool | None = None) -> None:
        from jepa_explorer.gui.presentation import set_presentation

        on = (not self.presentation) if on is None or not isinstance(on, bool) else on
        set_presentation(self, on)

    def step_loop(self) -> None:
        from jepa_explorer.gui.presentation import step_loop

        step_loop(self)

    # ================================================================== lifetime

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            self.layout_docks()

    def layout_docks(self) -> None:
        """The right column gets about half the width; distances above, the tabbed panels below."""
        width, height = self.width(), self.height()
        right = int(width * (0.5 if width < 1600 else 0.48))
        top = 0.46
        if self.presentation:  # the canvas and the verdict first: fewer, larger things
            right, top = int(width * 0.5), 0.6
        self.resizeDocks([self.docks["distance"]], [right], Qt.Horizontal)
        self.resizeDocks([self.docks["distance"], self.docks["pca"]], [int(height * top), int(height * (1 - top))], Qt.Vertical)

    def closeEvent(self, event) -> None:
        self.worker.shutdown(30000)
        super().closeEvent(event)


def _settle_heap() -> None:
    """Once a model has answered: collect, then freeze what is alive into the permanent generation.

    Python's full (generation-2) collection walks every tracked object - with torch, pyqtgraph and Qt loaded
    that took 40-150 ms, on whichever thread triggered it and holding the lock both threads need: a frozen
    brush in the middle of a stroke. Frozen objects are never walked again, so later full collections only
    see what the app made since. Run while nobody paints (right after the first prediction)."""
    gc.collect()
    gc.freeze()


def show_when_ready(window: MainWindow) -> None:
    """Show first, load after: the first paint must not wait for torch."""
    window.show()
    QTimer.singleShot(0, window.start)
