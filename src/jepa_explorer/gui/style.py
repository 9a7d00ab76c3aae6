"""Colours, fonts and the application style: one place, so the canvas, the legend, the PCA scatter and
the saved mask PNGs agree on what "context" and "target group 3" look like."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

# the same colours as PatchMasks.save_png's palette, so a saved mask PNG looks like the canvas
from jepa_explorer.masks.grid import CONTEXT_RGB, TARGET_RGB

MASK_ALPHA = 110  # translucent enough to see the image through the mask
HEATMAP_COLORMAP = "inferno"

BACKGROUND = "#1e1f24"
PANEL = "#26282e"
TEXT = "#e8e8ea"
MUTED = "#9a9ca3"
GOOD = "#5ad17a"
BAD = "#ff6b5a"
WARN = "#ffb340"

BASE_POINT_SIZE = 10


def target_rgb(group: int) -> tuple[int, int, int]:
    return TARGET_RGB[group % len(TARGET_RGB)]


def color_icon(rgb: tuple[int, int, int] | None, size: int = 16, shape: str = "square") -> QIcon:
    """A small swatch (legend chips, tool icons); None draws an eraser-style hollow square."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    if rgb is None:
        painter.setPen(QColor(TEXT))
        painter.setBrush(QColor(0, 0, 0, 0))
        painter.drawRect(2, 2, size - 5, size - 5)
        painter.drawLine(2, size - 3, size - 3, 2)
    else:
        painter.setPen(QColor(0, 0, 0, 0))
        painter.setBrush(QColor(*rgb))
        if shape == "circle":
            painter.drawEllipse(1, 1, size - 2, size - 2)
        else:
            painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    painter.end()
    return QIcon(pixmap)


def show_uint8(item: pg.ImageItem, image: np.ndarray) -> None:
    """Show a uint8 grey / RGB / RGBA image as it is. `levels=None`, not (0, 255): with levels, pyqtgraph
    rescales every RGB pixel with numpy inside the next paint (a UI stall in the middle of a brush stroke,
    docs/performance.md); without them it hands the bytes straight to a QImage."""
    if image.dtype != np.uint8:
        raise TypeError(f"show_uint8 expects uint8 pixels, got {image.dtype}")
    item.setImage(image, levels=None)


def mask_overlay(context: np.ndarray, targets: list[np.ndarray], alpha: int = MASK_ALPHA) -> np.ndarray:
    """uint8 RGBA [H, W, 4] for one frame: context blue, each target group its colour (a later group wins)."""
    height, width = context.shape
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[context] = (*CONTEXT_RGB, alpha)
    for k, target in enumerate(targets):
        rgba[target] = (*target_rgb(k), alpha + 30)
    return rgba


STYLESHEET = f"""
QMainWindow, QWidget {{ background: {BACKGROUND}; color: {TEXT}; font-size: __SIZE__pt; }}
QDockWidget {{ color: {TEXT}; font-weight: bold; }}
QDockWidget::title {{ background: {PANEL}; padding: 4px 8px; }}
QToolBar {{ background: {PANEL}; border: none; spacing: 4px; padding: 2px; }}
QToolButton {{ padding: 4px 6px; border-radius: 4px; }}
QToolButton:checked {{ background: #3b5b9a; }}
QToolButton:hover {{ background: #3a3d46; }}
QStatusBar {{ background: {PANEL}; color: {TEXT}; }}
QComboBox, QSpinBox, QPushButton {{ background: #33363e; border: 1px solid #4a4d56; border-radius: 4px; padding: 3px 8px; }}
QPushButton:hover {{ background: #3f434d; }}
QTableWidget {{ background: {PANEL}; gridline-color: #3a3d46; border: none; }}
QHeaderView::section {{ background: #33363e; color: {TEXT}; border: none; padding: 3px; }}
QMenu {{ background: {PANEL}; }}
QMenu::item:selected {{ background: #3b5b9a; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ background: {PANEL}; padding: 5px 12px; }}
QTabBar::tab:selected {{ background: #3b5b9a; }}
QLabel#banner {{ background: #5a3a10; color: #ffd9a0; padding: 6px; border-radius: 4px; font-weight: bold; }}
QLabel#stage {{ background: #1d3557; color: #ffffff; padding: 8px; border-radius: 6px; border-left: 6px solid #5aa0ff; }}
QLabel#placeholder {{ color: {MUTED}; border: 1px dashed #4a4d56; border-radius: 6px; padding: 8px; }}
QLabel#tileTitle {{ color: {MUTED}; font-weight: bold; }}
"""


def configure_pyqtgraph() -> None:
    # row-major: arrays index [row, column] like numpy images and the patch grid
    # antialiasing off: it multiplies repaint time and the plots are mostly points and pixels
    pg.setConfigOptions(imageAxisOrder="row-major", background=BACKGROUND, foreground=TEXT, antialias=False)


configure_pyqtgraph()  # every gui module imports this one, so every widget sees row-major images


def apply_style(app: QApplication, scale: float = 1.0) -> None:
    """Dark theme (projects well and keeps the masks' colours vivid); `scale` enlarges fonts."""
    configure_pyqtgraph()
    app.setStyle("Fusion")
    palette = app.palette()
    for role, color in [
        (QPalette.Window, BACKGROUND),
        (QPalette.Base, PANEL),
        (QPalette.AlternateBase, "#2c2e35"),
        (QPalette.Text, TEXT),
        (QPalette.WindowText, TEXT),
        (QPalette.Button, "#33363e"),
        (QPalette.ButtonText, TEXT),
        (QPalette.Highlight, "#3b5b9a"),
        (QPalette.ToolTipBase, PANEL),
        (QPalette.ToolTipText, TEXT),
    ]:
        palette.setColor(role, QColor(color))
    app.setPalette(palette)
    set_font_scale(app, scale)


def set_font_scale(app: QApplication, scale: float) -> None:
    """Font size for every widget: the application font and the style sheet (a style sheet stops the
    application font from reaching widgets it styles, so the size goes into both)."""
    size = BASE_POINT_SIZE * scale
    font = QFont(app.font())
    font.setPointSizeF(size)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET.replace("__SIZE__", f"{size:.1f}"))


def opaque_views(root) -> None:
    """Mark every pyqtgraph view under `root` as painting all its pixels (each fills its background), so Qt
    does not first paint the window's, dock's and panel's style-sheet backgrounds beneath it on every update
    (a measurable part of each panel repaint)."""
    for view in root.findChildren(pg.GraphicsView):
        view.viewport().setAttribute(Qt.WA_OpaquePaintEvent)


def plot_text_size(scale: float = 1.0) -> str:
    """A pyqtgraph title size ("11.0pt") that follows the application font (presentation mode enlarges it)."""
    return f"{QApplication.font().pointSizeF() * scale:.1f}pt"


def outline_patch(item, index, grid_hw: tuple[int, int]) -> None:
    """Move a 1×1 rectangle item onto patch `index` (flat, frame 0) of an H×W grid; None or -1 hides it."""
    from PySide6.QtCore import QRectF

    if index is None or index < 0:
        item.hide()
        return
    height, width = grid_hw
    row, col = divmod(int(index) % (height * width), width)
    item.setRect(QRectF(col, row, 1, 1))
    item.show()
