"""PixelPanel: original | masked input | MAE reconstruction | JEPA prediction decoded | actual decoded.

JEPA predicts embeddings, not pixels; to *see* a prediction it needs a decoder trained on the target
encoder's features, and the MAE comparison needs an MAE checkpoint. The worker finds the bundled ones
that fit the model (`checkpoints.companions.find_companions`) and sends `engine.pixels.compare_pixels`
results with each prediction; without them the tiles say what is missing.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from jepa_explorer.gui import style
from jepa_explorer.masks.grid import PatchMasks

TILES = [
    ("original", "Original"),
    ("masked", "Masked input (context only)"),
    ("mae", "MAE reconstruction"),
    ("jepa", "JEPA prediction, decoded"),
    ("actual", "Actual features, decoded"),
]
TAX_HINT = "The surface-tax comparison needs the bundled MAE and decoder for this model's patch grid."
NOT_AVAILABLE = {
    "mae": "not available: no MAE checkpoint bundled",
    "jepa": "not available: no decoder checkpoint bundled",
    "actual": "not available: no decoder checkpoint bundled",
}


def masked_view(rgb: np.ndarray, masks: PatchMasks, frame: int = 0) -> np.ndarray:
    """uint8 [S, S, 3]: context patches as they are, target patches dark with their group's tint, the
    rest grey: what the context encoder gets to see."""
    size = rgb.shape[0]
    _, height, width = masks.grid_shape
    ys = np.minimum((np.arange(size) * height) // size, height - 1)
    xs = np.minimum((np.arange(size) * width) // size, width - 1)
    context = masks.context[frame][ys][:, xs]
    out = np.full_like(rgb, 60)
    out[context] = rgb[context]
    for k, target in enumerate(masks.targets):
        cells = target[frame][ys][:, xs]
        out[cells] = (np.array(style.target_rgb(k)) * 0.35 + 20).astype(np.uint8)
    return out


class _Tile(QWidget):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("tileTitle")
        self.title.setAlignment(Qt.AlignCenter)
        self.title.setWordWrap(True)  # five tiles side by side must fit a narrow dock
        self.view = pg.GraphicsView(background=style.BACKGROUND)
        self.box = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.box.setMouseEnabled(False, False)
        self.view.setCentralItem(self.box)
        self.image = pg.ImageItem()
        self.box.addItem(self.image)
        self.placeholder = QLabel()
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.placeholder)
        self.caption = QLabel("")
        self.caption.setAlignment(Qt.AlignCenter)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.caption)

    def show_image(self, rgb: np.ndarray, caption: str = "") -> None:
        style.show_uint8(self.image, rgb)
        self.image.setRect(QRectF(0, 0, rgb.shape[1], rgb.shape[0]))
        self.box.setRange(QRectF(0, 0, rgb.shape[1], rgb.shape[0]), padding=0.01)
        self.stack.setCurrentWidget(self.view)
        self.caption.setText(caption)

    def show_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)
        self.caption.setText("")

    @property
    def available(self) -> bool:
        return self.stack.currentWidget() is self.view


class PixelPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.tiles = {key: _Tile(title) for key, title in TILES}
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for i, (key, _) in enumerate(TILES):
            layout.addWidget(self.tiles[key], 0, i)
            layout.setColumnStretch(i, 1)
        # the surface-reproduction tax: texture nobody could predict, inside the targets only
        self.tax_box = QCheckBox("Surface tax: add unpredictable texture inside the targets")
        self.tax_box.setToolTip(
            "Adds random high-frequency texture to the target patches and shows how the MAE's pixel error and "
            "the JEPA's embedding error each respond (needs the bundled MAE)."
        )
        self.tax_label = QLabel("")
        self.tax_label.setWordWrap(True)
        layout.addWidget(self.tax_box, 1, 0, 1, len(TILES))
        layout.addWidget(self.tax_label, 2, 0, 1, len(TILES))
        for key, text in NOT_AVAILABLE.items():
            self.tiles[key].show_placeholder(text)
        self.tiles["original"].show_placeholder("no image yet")
        self.tiles["masked"].show_placeholder("no image yet")

    def bind(self, app) -> None:
        """Follow the app model: the input, its masks (while on screen), and each prediction's pixels."""
        self.app = app
        app.events.input.connect(self._on_input)
        app.events.model.connect(self._on_model)
        app.events.masks_settled.connect(lambda masks: self._show_masked() if self._on_screen() else None)
        app.events.prediction.connect(self._on_prediction)
        app.events.time_step.connect(lambda _step: self._show_clip_step() if app.prediction is not None else None)
        self.tax_box.toggled.connect(app.set_surface_tax)

    def _on_screen(self) -> bool:
        return not self.visibleRegion().isEmpty()

    def _show_masked(self) -> None:
        shown = self.app.input
        if shown is not None and shown.pixel_square is not None:
            self.set_masked(shown.pixel_square, self.app.masks)

    def _on_input(self, shown) -> None:
        if shown.clip is None:
            self.set_original(shown.rgb)
            self._show_masked()
        else:
            for kind in ("original", "masked", "mae", "jepa", "actual"):
                self.tiles[kind].show_placeholder("waiting for the first prediction")

    def _on_model(self, info) -> None:
        self.tax_box.setEnabled(not info.video)
        self._show_masked()

    def _on_prediction(self, prediction) -> None:
        if self.app.clip_view is not None:
            self._show_clip_step()
        elif self.app.shown_asked_pixels:  # else the panel is hidden, or showing it asked for a result with pixels
            self.show_comparison(prediction.pixels, prediction.surface_tax)

    def _show_clip_step(self) -> None:
        """The tiles of the shown time step (its first frame), when the video model has a decoder."""
        app = self.app
        clip, prediction = app.clip_view, app.prediction
        if clip is None:
            return
        comparison = prediction.pixels if prediction is not None else None
        step = app.time_step
        if comparison is None and not app.shown_asked_pixels:
            return  # made while the panel was hidden: showing it asks for a result with pixels
        if comparison is None:  # the frame and what the encoder sees, without decoded tiles
            self.set_original(app.display_square)
            self.tiles["masked"].show_image(masked_view(app.display_square, app.masks, step), f"step {step + 1}")
            for kind in ("mae", "jepa", "actual"):
                self.tiles[kind].show_placeholder("no pixel decoder for this video model")
            return
        from jepa_explorer.engine.pixels import frame_of

        frame = frame_of(comparison, step * len(clip.steps[0]))
        self.set_original(frame.images["original"])
        self.tiles["masked"].show_image(frame.images["masked"], f"step {step + 1}")
        self.show_comparison(frame)
        self.tiles["mae"].show_placeholder("no MAE for video: the bundled MAE is an image model")

    def set_original(self, rgb: np.ndarray) -> None:
        self._original = rgb
        self.tiles["original"].show_image(rgb, f"{rgb.shape[1]}×{rgb.shape[0]} px")

    def set_masked(self, square_rgb: np.ndarray, masks: PatchMasks) -> None:
        self.tiles["masked"].show_image(masked_view(square_rgb, masks), f"{masks.stats()['context_fraction']:.0%} visible")

    def show_comparison(self, comparison, surface_tax=None) -> None:
        """Fill the MAE / decoder tiles from an engine.pixels.PixelComparison (None: models not bundled);
        with a SurfaceTax, show the textured input's tiles and how much each error grew."""
        if surface_tax is not None:
            comparison = surface_tax.pixels
            self.tiles["original"].show_image(surface_tax.textured, "with unpredictable texture in the targets")
            self.tax_label.setText(surface_tax.summary())
        else:
            self.tax_label.setText(TAX_HINT if self.tax_box.isChecked() else "")
            if getattr(self, "_original", None) is not None and self.tiles["original"].caption.text().startswith("with "):
                self.set_original(self._original)
        images = comparison.images if comparison is not None else {}
        scores = comparison.psnr if comparison is not None else {}
        for kind, key in (("mae", "mae"), ("jepa", "decoded_prediction"), ("actual", "decoded_actual")):
            self.set_decoded(kind, images.get(key), scores.get(key))

    def show_pending(self) -> None:
        """The decoded tiles while a result with pixels is on its way."""
        for kind in NOT_AVAILABLE:
            self.tiles[kind].show_placeholder("computing…")

    def set_decoded(self, kind: str, image: np.ndarray | None, psnr_db: float | None = None) -> None:
        """Plug-in point for the MAE and decoder models: `kind` is "mae", "jepa" or "actual"."""
        tile = self.tiles[kind]
        if image is None:
            tile.show_placeholder(NOT_AVAILABLE[kind])
        else:
            tile.show_image(image, f"PSNR on targets {psnr_db:.1f} dB" if psnr_db is not None else "")
