"""The step-through of the JEPA loop (F5) as the window shows it: one stage per press (texts and the
panels of each in ``app.stages``), each drawn on the canvas (``stage_overlay``) and labelled where it
happens: the banner above the canvas says what the canvas shows, the dock titles what the panels on the
right show, the status bar names the stage.

A stage shows its own state only: the panels that would show later stages (predictions, distances) stay
hidden until their stage. Ending the step-through at any point (a sixth press, Esc, leaving presentation
mode) puts the docks, their titles and sizes back exactly as they were before the first press.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from jepa_explorer.app import results
from jepa_explorer.app.stages import DOCK_TITLES, OWN_PANEL, STAGES
from jepa_explorer.gui import style
from jepa_explorer.gui.layout_snapshot import LayoutSnapshot

HIDDEN = (12, 12, 16, 215)  # patches a stage does not show: nearly black
RIGHT_SHARE = 0.5  # the width the docks get back when a stage shows them


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


def stage_banner(stage: int) -> str:
    title, text, _ = STAGES[stage]
    where = f"<small>({stage + 1} of {len(STAGES)})</small>"
    return f"<b>Stage {title}</b> &nbsp;{where}<br>{text}<br><i>F5: next stage · Esc: leave</i>"


class StepThrough:
    """The step-through's view (see the module's docstring); `status` is the window's StatusBar."""

    def __init__(self, app, window, docks: dict, canvas, banner, status):
        self.app, self.window, self.docks, self.canvas = app, window, docks, canvas
        self.banner, self.status = banner, status
        self._before: LayoutSnapshot | None = None  # the layout before the first press
        self.one_panel = False  # presentation mode: a stage shows only its own panel (OWN_PANEL), at full height
        app.events.stage.connect(self._on_stage)
        app.events.masks_settled.connect(lambda _masks: self.refresh())
        app.events.prediction.connect(lambda _prediction: self.refresh())

    @property
    def active(self) -> bool:
        return self._before is not None

    def refresh(self) -> None:
        """Redraw the current stage (after an edit or a new prediction)."""
        if self.app.stage is not None or self.canvas.stage_overlay is not None:
            self.canvas.set_stage_overlay(stage_overlay(self.app, self.app.stage))

    def _on_stage(self, stage: int | None) -> None:
        if stage is None:
            self._end()
            return
        if self._before is None:
            self._before = LayoutSnapshot.take(self.window, self.docks)
        title, _text, visible = STAGES[stage]
        if self.one_panel:
            visible = {key: key == OWN_PANEL.get(stage) for key in visible}
        titles = DOCK_TITLES.get(stage, {})
        was_hidden = not any(d.isVisibleTo(self.window) for d in self.docks.values())
        for key, dock in self.docks.items():
            dock.setVisible(bool(visible.get(key)))
            dock.setWindowTitle(titles.get(key, self._before.dock_titles[key]))
        if visible.get("pca"):
            self.docks["pca"].raise_()
        shown = [self.docks[key] for key, show in visible.items() if show]
        if was_hidden and shown:  # the docks come back at their share of the width, not squeezed
            self.window.resizeDocks(shown[:1], [int(self.window.width() * RIGHT_SHARE)], Qt.Horizontal)
        self.banner.setText(stage_banner(stage))
        self.banner.show()
        self.status.set_idle_text(f"Step-through: {title}")
        self.refresh()

    def _end(self) -> None:
        self.banner.hide()
        self.canvas.set_stage_overlay(None)
        before, self._before = self._before, None
        if before is not None:
            before.restore(self.window, self.docks, geometry=False)
            self.status.set_idle_text(None)
            self.status.say("Step-through finished")
