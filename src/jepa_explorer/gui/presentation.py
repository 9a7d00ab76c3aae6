"""Presentation mode (F11) and the step-through of the JEPA loop (F5), for lectures.

Presentation mode: full screen, fonts ×1.6, thick grid and highlight strokes, only the canvas and the
distance panel. The step-through reveals one stage of the loop per press, with a sentence for each:
mask -> encode context -> encode target (EMA encoder) -> predict -> compare; a sixth press ends it.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from jepa_explorer.gui import style

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
        window.legend.setToolTip("")
        window.showNormal()
        QTimer.singleShot(0, window.layout_docks)
    window.hover_label.setText(" ")


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
