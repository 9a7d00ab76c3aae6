"""Presentation mode (F11) and the step-through of the JEPA loop (F5), for lectures.

Presentation mode: full screen, fonts ×1.6, thick grid and highlight strokes, only the canvas and the
distance panel. The step-through reveals one stage of the loop per press, with a sentence for each:
mask -> encode context -> encode target (EMA encoder) -> predict -> compare; a sixth press ends it.
Each stage is also drawn on the canvas (``stage_overlay``): what the context encoder sees, the target
encoder's answers as PCA colours, the predictions in the same colours, then the distance per patch.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from jepa_explorer.gui import results, style

PRESENTATION_SCALE = 1.6

STAGES = [
    (
        "1 · Mask",
        "Choose what the model sees (context, blue) and what it must predict (targets, one colour per block).",
        {"distance": False, "pca": False, "pixels": True},
    ),
    (
        "2 · Encode the context",
        "The context encoder sees only the blue patches and turns each into an embedding.",
        {"distance": False, "pca": False, "pixels": True},
    ),
    (
        "3 · Encode the target",
        "The target encoder (an EMA copy of the context encoder) sees the whole image: "
        "its embeddings are the answers. Right: their first three PCA components as colours.",
        {"distance": False, "pca": True, "pixels": False},
    ),
    (
        "4 · Predict",
        "The predictor gets the context embeddings and the positions of the targets, and predicts "
        "their embeddings (★ in the PCA plot, lines to the actual ones).",
        {"distance": False, "pca": True, "pixels": False},
    ),
    (
        "5 · Compare",
        "Distance between predicted and actual embeddings per target patch — the training loss. "
        "Does the predictor beat simply copying the context?",
        {"distance": True, "pca": True, "pixels": False},
    ),
]


def set_presentation(window, on: bool) -> None:
    app = QApplication.instance()
    window.qactions["presentation"].setChecked(on)
    window.presentation = on
    if on and not window.presentation_font:
        window.presentation_font = app.font().pointSizeF()  # restored on the way out
    base = window.presentation_font or style.BASE_POINT_SIZE
    if on or app.styleSheet():  # leave an unstyled application (tests, embedding) unstyled on the way back
        style.set_font_scale(app, PRESENTATION_SCALE * base / style.BASE_POINT_SIZE if on else base / style.BASE_POINT_SIZE)
    window.distance_panel.refresh_fonts()
    window.legend.refresh_fonts()
    window.pca_panel.refresh_fonts()
    window.timeline.refresh_fonts()
    window.canvas.set_grid_pen_width(2.5 if on else 1.0)
    if on:
        window._docks_before = {k: d.isVisible() for k, d in window.docks.items()}
        for key, dock in window.docks.items():
            dock.setVisible(key in ("distance", "pca"))
        window.main_toolbar.setVisible(True)
        window.showFullScreen()
        QTimer.singleShot(0, window.layout_docks)
    else:
        for key, visible in getattr(window, "_docks_before", {}).items():
            window.docks[key].setVisible(visible)
        window._step = None
        window.canvas.set_stage_overlay(None)
        window.legend.setToolTip("")
        window.showNormal()
        QTimer.singleShot(0, window.layout_docks)
    window.hover_label.setText(" ")


HIDDEN = (12, 12, 16, 215)  # patches a stage does not show: nearly black


def stage_overlay(window, step: int) -> np.ndarray | None:
    """uint8 RGBA [T, H, W, 4] drawn over the image for stage `step`, or None for the plain masks."""
    if step == 0:
        return None
    masks, view, prediction = window.canvas.masks, window.input_view, window.prediction
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
    heat = prediction.heatmap(window.distance_panel.metric_name).reshape(-1)
    on = np.isfinite(heat)
    high = float(np.nanpercentile(heat, 98)) if on.any() else 1.0
    colours = pg.colormap.get(style.HEATMAP_COLORMAP).map(np.clip(heat[on] / max(high, 1e-12), 0, 1), mode="byte")
    flat[on, :3] = colours[:, :3]
    flat[on, 3] = 235
    return rgba


def refresh_stage(window) -> None:
    """Redraw the current stage (after an edit or a new prediction)."""
    step = getattr(window, "_step", None)
    window.canvas.set_stage_overlay(None if step is None else stage_overlay(window, step))


def step_loop(window) -> None:
    """Advance the step-through by one stage (and start it if it is not running)."""
    step = getattr(window, "_step", None)
    step = 0 if step is None else step + 1
    if step >= len(STAGES):
        window._step = None
        for key, dock in window.docks.items():
            dock.setVisible(key != "model" or not window.presentation)
        window.docks["pca"].raise_()
        window.stage_label.hide()
        window.canvas.set_stage_overlay(None)
        window.busy_label.setText("Step-through finished")
        return
    window._step = step
    title, text, visible = STAGES[step]
    for key, show in visible.items():
        window.docks[key].setVisible(show)
    window.docks["model"].setVisible(False)
    if visible.get("pixels"):
        window.docks["pixels"].raise_()
    elif visible.get("pca"):
        window.docks["pca"].raise_()
    window.stage_label.setText(f"<b>{title}</b><br>{text}<br><i>F5: next stage</i>")
    window.stage_label.show()
    window.busy_label.setText(title)
    refresh_stage(window)
