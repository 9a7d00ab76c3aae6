"""Presentation mode (F11) and the step-through of the JEPA loop (F5), for lectures.

Presentation mode: full screen, fonts ×1.6, thick grid and highlight strokes, only the canvas and the
distance panel. The step-through (``AppModel.stage``, texts in ``app.stages``) reveals one stage of the
loop per press, with a sentence for each: mask -> encode context -> encode target (EMA encoder) ->
predict -> compare; a sixth press ends it. Each stage is also drawn on the canvas (``stage_overlay``):
what the context encoder sees, the target encoder's answers as PCA colours, the predictions in the same
colours, then the distance per patch.

``Presentation`` is a view: it listens to the app model's stage, masks and predictions, and is handed
the widgets it rearranges (the window's docks, canvas, labels); nobody else reads its state.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from jepa_explorer.app import results
from jepa_explorer.app.stages import STAGES
from jepa_explorer.gui import style

PRESENTATION_SCALE = 1.6
HIDDEN = (12, 12, 16, 215)  # patches a stage does not show: nearly black


def stage_overlay(app, step: int | None) -> np.ndarray | None:
    """uint8 RGBA [T, H, W, 4] drawn over the image for stage `step` of the app model's state, or None
    for the plain masks."""
    if not step:
        return None
    masks, view, prediction = app.masks, app.input_view, app.prediction
    grid = masks.grid_shape
    rgba = np.zeros((*grid, 4), dtype=np.uint8)
    if step == 1:  # the context encoder sees the context patches only
        rgba[~masks.context] = HIDDEN
        return rgba
    if view is None or len(view.actual_rgb) != masks.context.size:
        return None  # no encoded input for this grid yet (e.g. the model is changing)
    if step == 2:  # the target encoder sees everything: its embeddings as PCA colours
        rgba[..., :3] = view.actual_rgb.reshape(*grid, 3)
        rgba[..., 3] = 235
        return rgba
    if prediction is None or prediction.masks.grid_shape != grid:
        return None
    rgba[...] = HIDDEN
    rgba[masks.context] = 0
    flat = rgba.reshape(-1, 4)
    if step == 3:  # predictions in the colours of the actual embeddings: similar colour = good guess
        targets = np.concatenate([group.target_indices for group in prediction.groups])
        flat[targets, :3] = results.predicted_feature_rgb(prediction, view)[targets]
        flat[targets, 3] = 255
        return rgba
    heat = prediction.heatmap(app.metric).reshape(-1)
    on = np.isfinite(heat)
    high = float(np.nanpercentile(heat, 98)) if on.any() else 1.0
    colours = pg.colormap.get(style.HEATMAP_COLORMAP).map(np.clip(heat[on] / max(high, 1e-12), 0, 1), mode="byte")
    flat[on, :3] = colours[:, :3]
    flat[on, 3] = 235
    return rgba


class Presentation:
    """Presentation mode and the step-through's view (see the module's docstring)."""

    def __init__(self, app, window, docks: dict, canvas, stage_label, say, font_views: list, toolbar, action):
        """`say(text)`: show a line in the status bar; `font_views`: widgets with refresh_fonts();
        `action`: the checkable presentation action, kept in step."""
        self.app, self.window, self.docks, self.canvas = app, window, docks, canvas
        self.stage_label, self.say, self.font_views = stage_label, say, font_views
        self.toolbar, self.action = toolbar, action
        self.on = False
        self._font: float | None = None  # the application font before presentation mode, restored after it
        self._docks_before: dict[str, bool] = {}
        self._leaving = False
        app.events.stage.connect(self._on_stage)
        app.events.masks_settled.connect(lambda _masks: self.refresh_stage())
        app.events.prediction.connect(lambda _prediction: self.refresh_stage())

    def set_on(self, on: bool) -> None:
        qapp = QApplication.instance()
        self.action.setChecked(on)
        self.on = on
        if on and not self._font:
            self._font = qapp.font().pointSizeF()
        base = self._font or style.BASE_POINT_SIZE
        if on or qapp.styleSheet():  # leave an unstyled application (tests, embedding) unstyled on the way back
            style.set_font_scale(qapp, PRESENTATION_SCALE * base / style.BASE_POINT_SIZE if on else base / style.BASE_POINT_SIZE)
        for view in self.font_views:
            view.refresh_fonts()
        self.canvas.set_grid_pen_width(2.5 if on else 1.0)
        if on:
            self._docks_before = {k: d.isVisible() for k, d in self.docks.items()}
            for key, dock in self.docks.items():
                dock.setVisible(key in ("distance", "pca"))
            self.toolbar.setVisible(True)
            self.window.showFullScreen()
        else:
            for key, visible in self._docks_before.items():
                self.docks[key].setVisible(visible)
            self._leaving = True  # the docks are as they were: ending the step-through must not change them
            self.app.end_stages()
            self._leaving = False
            self.window.showNormal()
        QTimer.singleShot(0, self.window.layout_docks)

    def refresh_stage(self) -> None:
        """Redraw the current stage (after an edit or a new prediction)."""
        if self.app.stage is not None or self.canvas.stage_overlay is not None:
            self.canvas.set_stage_overlay(stage_overlay(self.app, self.app.stage))

    def _on_stage(self, stage: int | None) -> None:
        if stage is None and self._leaving:
            self.stage_label.hide()
            self.canvas.set_stage_overlay(None)
            return
        if stage is None:
            for key, dock in self.docks.items():
                dock.setVisible(key != "model" or not self.on)
            self.docks["pca"].raise_()
            self.stage_label.hide()
            self.canvas.set_stage_overlay(None)
            self.say("Step-through finished")
            return
        title, text, visible = STAGES[stage]
        for key, show in visible.items():
            self.docks[key].setVisible(show)
        self.docks["model"].setVisible(False)
        if visible.get("pixels"):
            self.docks["pixels"].raise_()
        elif visible.get("pca"):
            self.docks["pca"].raise_()
        self.stage_label.setText(f"<b>{title}</b><br>{text}<br><i>F5: next stage</i>")
        self.stage_label.show()
        self.say(title)
        self.refresh_stage()
