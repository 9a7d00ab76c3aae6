"""The window's two extra modes: the lesson panel (F2) and world-model mode (F3).

Lesson mode is a dock on the left holding ``gui.lesson.LessonPanel``; its chapter set-ups go through
``app.lesson_host.AppLessonHost`` (app-model intents), and this module supplies the window's part of them
(bring a dock forward, switch to world-model mode). In presentation mode its type grows (``lesson_scale``)
and it keeps a third of the width.

World-model mode shows ``gui.world.view.WorldView`` in place of the canvas (the central widget becomes a
stack of the two), over the bundle ``checkpoints/world-tiny`` (with its decoder) loaded through
``jepa_explorer.load_model``. While it is on, the panels and the painting tools are hidden and the image
commands are disabled, so the view's own keys (arrows / WASD drive, I imagine, P plan, 1-4 inject, ...)
reach it and nothing paints or re-rolls masks behind it; the image entries leave the main toolbar and
presentation mode's bar, and the status bar names the world model and the view's step and plan times.
Opening an image or a clip (or F3 again) goes back to the canvas as it was.

Both are installed by ``install(window)``; the window calls ``presentation_changed`` after presentation mode
switches, since presentation mode lays out the docks its own way.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDockWidget, QSizePolicy, QStackedWidget

from jepa_explorer.app.lesson_host import AppLessonHost
from jepa_explorer.errors import JepaError
from jepa_explorer.gui.preset_strip import PresetStrip
from jepa_explorer.resources import checkpoints_dir

WORLD_BUNDLE = "world-tiny"
LESSON_PRESENTATION_SCALE = 1.6  # the panel's type in presentation mode at 1920x1080 (less on smaller screens)
LESSON_MIN_WIDTH = 200  # px: the panel's pages scroll; below this its navigation squeezes
NARROW_WINDOW = 1400  # px: below this, beside the lesson, the right-hand panels may shrink below their own minimum
PRESENTING_PANELS_MAX = 0.3  # of the width: the panels' minimum beside the lesson in presentation mode
NARROW_PANELS_MIN = 400  # px: ... down to this (their pictures scale down; at 1024 px the lesson keeps ~300 px)
LESSON_SHARE = {False: 0.32, True: 0.3}  # of the window's width (0.29 in a narrow window)
PANELS_SHARE_WITH_LESSON = 0.34  # the right-hand docks beside the lesson (0.4 in a narrow window): the canvas keeps the middle
# the window's commands that stay on in world-model mode (the rest act on the canvas's image and masks)
WORLD_KEEPS = {
    "open_image", "open_scene", "quit", "presentation", "leave", "self_check", "open_checkpoint",
    "export_window", "lesson", "world_mode",
}  # fmt: skip


def install(window) -> None:
    """Give `window` its lesson and world-model modes (``window.lesson_mode``, ``window.world_mode``)."""
    window.world_mode = WorldMode(window)
    window.lesson_mode = LessonMode(window)
    window.samples_menu.addSeparator()
    entry = window.samples_menu.addAction("World model (F3)")
    entry.setToolTip("World-model mode: drive an agent, imagine, plan and be surprised (checkpoints/world-tiny)")
    entry.triggered.connect(lambda _=False: window.world_mode.set_on(True))
    window.presentation._refit.timeout.connect(lambda: presentation_changed(window))  # after its own fit


def presentation_changed(window) -> None:
    """Presentation mode switched or re-fitted: the modes lay themselves out again."""
    on = window.presentation.on
    window.lesson_mode.relayout(on)
    window.world_mode.relayout(on)
    QTimer.singleShot(0, lambda: window.world_mode.relayout(window.presentation.on))  # after its restore pass


def load_world_bundle():
    """The bundled world model (with its decoder), or (None, why not): the world still runs without it."""
    from jepa_explorer import load_model

    path = checkpoints_dir() / WORLD_BUNDLE
    if not (path / "card.json").is_file():
        return None, f"No {WORLD_BUNDLE} bundle in {path.parent}: drive and inject events; imagining and planning need it."
    try:
        return load_model(path, "cpu"), f"World model: {WORLD_BUNDLE}"
    except JepaError as e:
        return None, f"Cannot load {path}: {e}"


def lesson_scale(window) -> float:
    """The lesson panel's type size: smaller in a dock of a small window; in presentation mode from 1.0 at
    1024x768 to LESSON_PRESENTATION_SCALE at 1920x1080, following the window's own presentation font scale."""
    if window.presentation.on:  # the window's presentation scale runs from 1.2 (1024x768) to 1.8 (1920x1080)
        return round(1.0 + (LESSON_PRESENTATION_SCALE - 1.0) * (window.presentation.scale - 1.2) / 0.6, 2)
    return 0.8 if window.width() < 1600 else 1.0


class LessonMode:
    """The lesson panel as a left dock (see the module's docstring)."""

    def __init__(self, window) -> None:
        self.window = window
        self.host = AppLessonHost(window.app, view=self)
        self.host.events.done.connect(self._set_up_done)
        self.host.events.failed.connect(lambda message: window.status.say(f"Lesson set-up stopped: {message}"))
        self.panel = None
        self.dock: QDockWidget | None = None
        self.folder = None  # the content folder (None: $JEPA_EXPLORER_LESSON or the bundled lesson)
        self.progress_path = None  # None: the user's data folder; tests point it elsewhere
        self._width_before = 0  # the window's width when the last set-up began
        self._shrink_after_prediction = False
        window.app.events.prediction.connect(self._on_prediction)

    def _set_up_done(self) -> None:
        self.window.status.say("Lesson set-up on screen")
        self._shrink_back()
        self._shrink_after_prediction = True  # the new model's first result fills its panels: once more after it

    def _on_prediction(self, _prediction) -> None:
        if self._shrink_after_prediction:
            self._shrink_after_prediction = False
            QTimer.singleShot(0, self._shrink_back)

    def _shrink_back(self) -> None:
        """A new model's panels (a video's timeline) can ask for more width for a moment at 1024 px beside the
        lesson; the window grows then, and would stay wider than the screen: back to its width from before."""
        window, started = self.window, self._width_before
        if started and window.width() > started and not (window.isFullScreen() or window.isMaximized()):
            window.resize(max(started, window.minimumSizeHint().width()), window.height())
            self.relayout(window.presentation.on)

    @property
    def on(self) -> bool:
        return self.dock is not None and self.dock.isVisibleTo(self.window)

    def set_on(self, on: bool) -> None:
        window = self.window
        if on and self.panel is None and not self._build():
            window.qactions["lesson"].setChecked(False)
            return
        window.qactions["lesson"].setChecked(on)
        if self.dock is None:
            return
        self._width_before = window.width()
        self.dock.setVisible(on)
        self.relayout(window.presentation.on)
        QTimer.singleShot(0, self._shrink_back)  # the dock's first layout can push the window a pixel wider
        if on:
            self.dock.raise_()
            self.panel.setFocus()

    def _build(self) -> bool:
        from jepa_explorer.gui.lesson.panel import LessonPanel

        window = self.window
        try:
            self.panel = LessonPanel.open(self.host, self.folder, self.progress_path, lesson_scale(window))
        except JepaError as e:
            window._error("Cannot open the lesson", str(e))
            return False
        self.panel.setMinimumWidth(LESSON_MIN_WIDTH)  # its pages scroll; below its layout's minimum the nav squeezes
        self.panel.footer.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # clipped, not wrapped letter by letter
        self.panel.footer.setWordWrap(False)
        self.dock = QDockWidget("Lesson", window)
        self.dock.setObjectName("dock_lesson")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable | QDockWidget.DockWidgetClosable)
        window.addDockWidget(Qt.LeftDockWidgetArea, self.dock)
        self.dock.visibilityChanged.connect(self._visibility_changed)
        self.panel.setupRequested.connect(lambda *_: setattr(self, "_width_before", window.width()))
        return True

    def _visibility_changed(self, _visible: bool) -> None:
        """Also when its own close button hides it: the menu's tick and the panels' minimum follow."""
        if not shiboken6.isValid(self.window):
            return  # the window is being destroyed
        self.window.qactions["lesson"].setChecked(self.on)
        if not self.on:
            self.relayout(self.window.presentation.on)

    def relayout(self, presenting: bool) -> None:
        width = self.window.width()
        narrow = self.on and width < NARROW_WINDOW
        # beside the lesson the panels may shrink below their own minimum: in a narrow window, and in presentation
        # mode, where the large type makes the distance panel ask for most of the screen
        cap = int(width * PRESENTING_PANELS_MAX) if self.on and presenting else NARROW_PANELS_MIN if narrow else 0
        for dock in self.window.docks.values():
            # on the panel, not the dock: a dock's minimum is its content's (QDockWidgetItem); 0: its own again
            panel = dock.widget()
            panel.setMinimumWidth(min(cap, panel.minimumSizeHint().width()) if cap else 0)
        if not self.on:
            return
        scale = lesson_scale(self.window)
        if self.panel.scale != scale:
            self.panel.set_scale(scale)
        window, width = self.window, self.window.width()
        if narrow and not presenting:
            lesson_share, panels_share = 0.29, 0.4
        else:
            lesson_share, panels_share = LESSON_SHARE[presenting], PANELS_SHARE_WITH_LESSON
        window.resizeDocks([self.dock], [int(width * lesson_share)], Qt.Horizontal)
        right = [dock for dock in window.docks.values() if dock.isVisibleTo(window)]
        if right:
            window.resizeDocks(right[:1], [int(width * panels_share)], Qt.Horizontal)

    # ------------------------------------------------------------ app.lesson_host.LessonView

    def show_panel(self, name: str) -> None:
        if self.window.world_mode.on:
            return  # world-model mode shows no panels; the set-up's mode decides (it comes before the panel)
        dock = self.window.docks[name]
        dock.show()
        dock.raise_()

    def set_mode(self, name: str) -> None:
        box = self.window.pixel_panel.tax_box  # the pixel panel shows the tax page when its switch is ticked
        if box.isChecked() != self.window.app.surface_tax and (box.isEnabled() or not self.window.app.surface_tax):
            box.setChecked(self.window.app.surface_tax)
        self.window.world_mode.set_on(name == "world")


class WorldMode:
    """World-model mode in place of the canvas (see the module's docstring)."""

    def __init__(self, window, load=load_world_bundle) -> None:
        self.window, self.load = window, load
        self.view = None
        self.on = False
        self._docks: dict[str, bool] = {}
        self._tools_visible = True
        self._enabled: dict[str, bool] = {}
        self._policies: dict = {}  # the hidden page's own size policy, by index
        self._bar_visible: dict = {}  # the image entries' visibility on the toolbars, put back on leaving
        self._status_before: tuple | None = None
        self.stack = QStackedWidget()
        self.stack.setObjectName("central_stack")
        self.stack.addWidget(window.takeCentralWidget())
        window.setCentralWidget(self.stack)
        window.app.events.input.connect(lambda _input: self.set_on(False))  # an image or a clip was opened
        # a lesson set-up's image model can still answer after the switch: the bar keeps naming the world's
        window.app.events.latency.connect(self.show_times)
        window.app.events.model.connect(lambda _info: self.on and self._name_model())

    def set_on(self, on: bool) -> None:
        self.window.qactions["world_mode"].setChecked(on)
        if on == self.on:
            return
        if on:
            self._enter()
        else:
            self._leave()

    def _enter(self) -> None:
        from jepa_explorer.gui.world.view import WorldView

        window = self.window
        if self.view is None:
            model, note = self.load()
            self.view = WorldView(model)
            compact_world_view(self.view)
            self.view.stepped.connect(self.show_times)
            self.view.planned.connect(self.show_times)
            self.stack.addWidget(self.view)
            window.status.say(note)
        self.on = True
        window.app.end_stages()
        self._docks = {key: dock.isVisibleTo(window) for key, dock in window.docks.items()}
        self._tools_visible = window.tools_toolbar.isVisibleTo(window)
        for dock in window.docks.values():
            dock.hide()
        window.tools_toolbar.hide()
        self._enabled = {}
        for name, action in window.qactions.items():
            if name not in WORLD_KEEPS:
                self._enabled[name] = action.isEnabled()
                action.setEnabled(False)  # its key would clash with the view's, or act on the hidden canvas
        self._show_page(self.view)
        self._image_bars(False)
        self._world_status(True)
        self.relayout(window.presentation.on)
        self.view.setFocus()
        window.setWindowTitle("JEPA Explorer — world model")

    def _leave(self) -> None:
        from jepa_explorer.gui import actions as action_table
        from jepa_explorer.gui.presentation import DOCKS_SHOWN

        window = self.window
        self.on = False
        if self.view is not None:
            self.view.pause()
        self._show_page(self.stack.widget(0))
        self._image_bars(True)
        self._world_status(False)
        for name, enabled in self._enabled.items():
            window.qactions[name].setEnabled(enabled)
        window._update_history_actions()
        if window.app.model_info is not None:
            action_table.show_media_kind(window.qactions, window.app.model_info.video)
        presenting = window.presentation.on
        for key, dock in window.docks.items():
            dock.setVisible(key in DOCKS_SHOWN if presenting else self._docks.get(key, True))
        window.tools_toolbar.setVisible(self._tools_visible and not presenting)
        if presenting:
            window.presentation.fit()
        window.canvas.setFocus()
        shown = window.app.input
        name = (shown.path.rsplit("/", 1)[-1] if shown.path else "demo image") if shown is not None else None
        window.setWindowTitle(f"JEPA Explorer — {name}" if name else "JEPA Explorer")

    def close(self) -> None:
        """The window closes: end the view's worker thread (a plan may be running)."""
        if self.view is not None:
            self.view.shutdown()

    def _image_bars(self, shown: bool) -> None:
        """The image mode's entries on the main toolbar (undo, presets and their label) and on presentation
        mode's bar (next stage, masks, metric) hide in world mode; opening a file and the samples stay."""
        from PySide6.QtWidgets import QLabel, QWidgetAction

        from jepa_explorer.gui.presentation import BAR_ACTIONS

        window = self.window
        image_actions = {action for name, action in window.qactions.items() if name not in WORLD_KEEPS}
        toolbar = [a for a in window.main_toolbar.actions()
                   if a in image_actions or a.isSeparator()
                   or (isinstance(a, QWidgetAction) and isinstance(a.defaultWidget(), (QLabel, PresetStrip)))]  # fmt: skip
        leave = dict(BAR_ACTIONS)["leave"]
        bar = [a for a in window.presentation.bar.actions() if a.text() != leave]
        if not shown:
            self._bar_visible = {a: a.isVisible() for a in toolbar + bar}
        for action in toolbar + bar:
            action.setVisible(self._bar_visible.get(action, True) if shown else False)

    def _world_status(self, on: bool) -> None:
        """The status bar names the world model and the view's step and plan times in world mode; the image
        model, its device and its update latency again after."""
        status = self.window.status
        for widget in (status.device_label, status.device_box):
            widget.setVisible(not on)
        if on:
            self._status_before = (status.model_label.text(), status.latency_label.text(), status.latency_label.toolTip())
            self._name_model()
            status.latency_label.setToolTip("How long the last driving step held the window, and the last plan took")
            self.show_times()
        elif self._status_before is not None:
            info = self.window.app.model_info
            text, latency, tip = self._status_before
            status.model_label.setText(f"model: {info.name}" if info is not None else text)
            status.latency_label.setText(latency)
            status.latency_label.setToolTip(tip)

    def _name_model(self) -> None:
        model = self.view.controller.model
        name = f"model: {Path(str(model.path)).name}" if model is not None else "model: – (world only)"
        self.window.status.model_label.setText(name)

    def show_times(self, *_args) -> None:
        if not self.on or self.view is None:
            return
        view = self.view
        step = f"step {view.drive_ms[-1]:.0f} ms" if view.drive_ms else "step –"
        plan = f", plan {view.plan_ms:.0f} ms" if view.plan_ms is not None else ""
        self.window.status.latency_label.setText(step + plan)

    def _show_page(self, page) -> None:
        """Show `page`; the hidden one gets the Ignored policy, since a stack's minimum size is the largest of
        all its pages' (the world view's would widen the window in image mode beside the lesson, and the other way)."""
        for i in range(self.stack.count()):
            widget = self.stack.widget(i)
            if widget is page:
                widget.setSizePolicy(self._policies.pop(i, widget.sizePolicy()))
            elif i not in self._policies:
                self._policies[i] = widget.sizePolicy()
                widget.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.stack.setCurrentWidget(page)

    def relayout(self, presenting: bool) -> None:
        """While on: no panels (presentation mode and its restore pass bring them back), fonts for the room."""
        if not self.on:
            return
        for dock in self.window.docks.values():
            dock.hide()
        if presenting:
            self.window.tools_toolbar.hide()
        scale_world_view(self.view, self.window.presentation.scale if presenting else 1.0)


# in the window the world view shares the width with the lesson and takes presentation type: short button
# labels (the tooltips keep the long ones) so it fits 1024 px beside the lesson and 1280 px in presentation mode
SHORT_LABELS = {
    "inject_teleport": "Teleport", "inject_through_wall": "Through a wall", "inject_vanish": "Vanish",
    "inject_colour": "Recolour", "step": "Step", "play": "Play", "reset": "New world",
}  # fmt: skip
WORLD_CANVAS_MIN = 200  # px (the standalone view asks for 260)


def compact_world_view(view) -> None:
    from PySide6.QtWidgets import QPushButton

    by_text = {action.text(): name for name, action in view.actions_by_name.items()}
    for button in view.findChildren(QPushButton):
        name = by_text.get(button.text())
        if name in SHORT_LABELS:
            button.setText(SHORT_LABELS[name])
    # a plot's title sets its minimum width: short ones let the three small plots share a narrow column
    view.horizon_plot.setTitle("imagined: error by step")
    view.pca_plot.setTitle("latents (PCA)")
    view.energy_plot.setTitle("plan energy")
    view.mask_box.setText("Hide the object (C-JEPA)")
    view.mask_box.setToolTip("Hide the object from the model's context (C-JEPA's object masking)")
    view.canvas.setMinimumSize(WORLD_CANVAS_MIN, WORLD_CANVAS_MIN)


def scale_world_view(view, scale: float) -> None:
    """Type and strokes of the world view for the room: the surprise strip chart must read from the back."""
    view.error_px = round(20 * scale)
    view.refresh()
    tick = QFont()
    tick.setPointSizeF(9 * scale)
    for plot in (view.surprise_plot, view.horizon_plot, view.pca_plot, view.energy_plot):
        points = 12 if plot is view.surprise_plot else 9  # the surprise chart is the one to read from afar
        plot.setTitle(plot.titleLabel.text, size=f"{points * scale:.0f}pt")
        for side in ("left", "bottom"):
            plot.getAxis(side).setStyle(tickFont=tick)
            plot.getAxis(side).label.setFont(tick)
    for label in view.strip_labels:
        label.setText(label.text, size=f"{9 * scale:.0f}pt")
    view.surprise_curve.setPen(width=3 * scale, color=view.surprise_curve.opts["pen"].color())
    view.surprise_events.setSize(16 * scale)
    # presentation mode gives the surprise chart the larger share of the plots
    view.plots.ci.layout.setRowStretchFactor(0, 2 if scale > 1 else 1)
    view.plots.ci.layout.setRowStretchFactor(1, 1)
    fit_graphics(view)
    QTimer.singleShot(0, lambda: fit_graphics(view))  # once more after the new titles' layout pass


def fit_graphics(view) -> None:
    """Each pyqtgraph view's items to its widget's size again: new title fonts re-activate the top-level
    graphics layout at its preferred size (wider than the widget beside the lesson), and no resize follows."""
    for widget in (view.canvas, view.strip, view.plots):
        widget.resizeEvent(None)
