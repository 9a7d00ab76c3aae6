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
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from jepa_explorer.gui import style
from jepa_explorer.gui.panels.explain import ExplainButton
from jepa_explorer.masks.grid import PatchMasks

TILES = [  # key, title (short: a title that wraps steals the picture's height), tooltip
    ("original", "Original", "The picture as the models get it (the model's square)"),
    (
        "masked",
        "Masked input",
        "What the context encoder sees: context as it is, targets dark in their group's tint, the rest grey",
    ),
    ("mae", "MAE", "A masked autoencoder's reconstruction of the target pixels from the same context (a pixel model)"),
    (
        "jepa",
        "JEPA, decoded",
        "The JEPA's predicted target embeddings, turned into pixels by a decoder trained on the target encoder",
    ),
    ("actual", "Actual, decoded", "The actual target embeddings through the same decoder: the best the decoded JEPA could look"),
]
TAX_TILES = [  # key, title, tooltip: before (plain) and after (texture in the targets), per model
    ("input_plain", "Input", "The picture as it is"),
    ("mae_plain", "MAE before", "MAE reconstruction of the plain picture"),
    ("jepa_plain", "JEPA before", "Decoded JEPA prediction on the plain picture"),
    (
        "input_textured",
        "Input + texture",
        "Random high-frequency texture added inside the targets: detail no context can predict",
    ),
    ("mae_textured", "MAE after", "MAE reconstruction with the texture: a pixel model must try to reproduce it"),
    ("jepa_textured", "JEPA after", "Decoded JEPA prediction with the texture: an embedding predictor may ignore it"),
]
TAX_HINT = "The surface-tax comparison needs the bundled MAE and decoder for this model's patch grid."
TAX_READING = (
    "Read: +44% = the error on the targets grew 1.44 times with texture no context can predict; a pixel model "
    "(MAE) must pay for it, a JEPA may ignore it. A negative change: the error fell, no tax paid."
)
REFERENCE_NOTE = (
    ". This decoder also gets each target patch as the last context frame showed it and decodes the change from "
    "it: an embedding that says 'nothing moved' decodes to a copy of that frame"
)
NOT_AVAILABLE = {
    "mae": "not available: no MAE checkpoint bundled",
    "jepa": "not available: no decoder checkpoint bundled",
    "actual": "not available: no decoder checkpoint bundled",
}
ZOOM_MARGIN = 0.5  # patches around the targets' bounding box when zoomed


def target_box(masks: PatchMasks, size: int, frame: int = 0) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) in the pixels of a size×size square: the targets' bounding box on `frame`, half a
    patch around it, clipped to the square; None without targets."""
    union = masks.target_union[min(frame, masks.grid_shape[0] - 1)]
    rows, cols = np.nonzero(union)
    if not rows.size:
        return None
    _, height, width = masks.grid_shape
    cell_y, cell_x = size / height, size / width
    y0 = max(0.0, (rows.min() - ZOOM_MARGIN) * cell_y)
    y1 = min(float(size), (rows.max() + 1 + ZOOM_MARGIN) * cell_y)
    x0 = max(0.0, (cols.min() - ZOOM_MARGIN) * cell_x)
    x1 = min(float(size), (cols.max() + 1 + ZOOM_MARGIN) * cell_x)
    return int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1))


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
    def __init__(self, title: str, tip: str = "", parent=None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("tileTitle")
        self.title.setAlignment(Qt.AlignCenter)
        self.set_tip(tip)
        self.zoom: tuple | None = None  # (x0, y0, x1, y1) pixels shown, None: the whole picture
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
        self.caption.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)  # one line; the whole text in the tooltip
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.caption)
        layout.addStretch(0)  # a tall tile keeps title, picture and caption together at its top

    def set_tip(self, tip: str) -> None:
        self.title.setToolTip(tip)
        self.setToolTip(tip)

    def set_caption(self, *texts: str) -> None:
        """The first of `texts` (longest first) that fits the tile's width on one line; the first in the tooltip."""
        self._captions = texts
        self._fit_caption()

    def _fit_caption(self) -> None:
        texts = getattr(self, "_captions", ())
        if not texts:
            return
        room = self.caption.width() - 4
        fits = [t for t in texts if self.caption.fontMetrics().horizontalAdvance(t) <= room]
        self.caption.setText(fits[0] if fits else texts[-1])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.stack.setMaximumHeight(max(60, self.width()))  # the picture is square: no taller than wide
        self._fit_caption()

    def show_image(self, rgb: np.ndarray, caption: str = "") -> None:
        style.show_uint8(self.image, rgb)
        self.image.setRect(QRectF(0, 0, rgb.shape[1], rgb.shape[0]))
        self._size = rgb.shape[0]
        self._fit()
        self.stack.setCurrentWidget(self.view)
        self._captions = ()
        self.caption.setText(caption)
        self.caption.setToolTip(caption)

    def set_zoom(self, box: tuple | None) -> None:
        self.zoom = box
        self._fit()

    def _fit(self) -> None:
        if self.image.image is None:
            return
        height, width = np.asarray(self.image.image).shape[:2]
        if self.zoom is None:
            self.box.setRange(QRectF(0, 0, width, height), padding=0.01)
        else:  # the zoom is in the pixels of a square of side zoom_size: scale it to this picture
            x0, y0, x1, y1, size = self.zoom
            scale = width / size
            self.box.setRange(QRectF(x0 * scale, y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale), padding=0.0)

    def shown_rect(self) -> QRectF:
        return self.box.viewRect()

    def show_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)
        self.caption.setText("")
        self.caption.setToolTip("")

    @property
    def available(self) -> bool:
        return self.stack.currentWidget() is self.view


HELP = (
    "JEPA predicts <b>embeddings</b>, not pixels. To <i>see</i> a prediction, a small <b>decoder</b> trained on "
    "the target encoder's features turns embeddings into pixels.<br><br><b>Masked input</b>: what the models get "
    "(the original is the canvas). <b>MAE</b>: a pixel model's reconstruction of the targets from the same context. "
    "<b>JEPA, decoded</b>: the JEPA's prediction through the decoder. <b>Actual, decoded</b>: the true embeddings "
    "through the same decoder — the best the decoded JEPA could look. PSNR (higher is better) is measured on the "
    "target pixels.<br><b>Zoom to targets</b> shows only the region around the targets.<br><br><b>Surface tax</b>: "
    "add texture nobody could predict inside the targets, and compare each model's output before and after. A "
    "pixel model must pay for it; an embedding predictor may not. The percentages are how much each error grew "
    "(a negative one: it fell)."
)


class PixelPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.tiles = {key: _Tile(title, tip) for key, title, tip in TILES}
        self.tax_tiles = {key: _Tile(title, tip) for key, title, tip in TAX_TILES}
        # one row of four: in a dock shorter than it is wide, a second row would halve every tile's height. The
        # original is the canvas itself, so its tile stays hidden here (it is kept for exports and clips' frames)
        compare = QWidget()
        row = QHBoxLayout(compare)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.tiles["original"].setParent(compare)
        self.tiles["original"].hide()
        for key in ("masked", "mae", "jepa", "actual"):
            row.addWidget(self.tiles[key], 1)
        # the surface tax: the textured input, then each model's output before and after, side by side
        tax = QWidget()
        tax_row = QHBoxLayout(tax)
        tax_row.setContentsMargins(0, 0, 0, 0)
        tax_row.setSpacing(4)
        self.tax_tiles["input_plain"].setParent(tax)
        self.tax_tiles["input_plain"].hide()
        for key in ("input_textured", "mae_plain", "mae_textured", "jepa_plain", "jepa_textured"):
            tax_row.addWidget(self.tax_tiles[key], 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(compare)
        self.pages.addWidget(tax)
        self.zoom_box = QCheckBox("Zoom to targets")
        self.zoom_box.setToolTip("Show only the region around the target patches, in every picture")
        self.zoom_box.toggled.connect(lambda _on: self._apply_zoom())
        # the surface-reproduction tax: texture nobody could predict, inside the targets only
        self.tax_box = QCheckBox("Surface tax")
        self.tax_box.setToolTip(
            "Adds random high-frequency texture inside the targets and shows each model's output before and after, "
            "with how much its error grew (needs the bundled MAE)."
        )
        self.explain = ExplainButton("Pixels", HELP)
        controls = QHBoxLayout()
        controls.addWidget(self.zoom_box)
        controls.addWidget(self.tax_box)
        controls.addStretch(1)
        controls.addWidget(self.explain)
        self.tax_label = QLabel("")  # what the surface tax needs, when it cannot run
        self.tax_label.setWordWrap(True)
        self.tax_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.reading_label = QLabel(TAX_READING)  # how to read them
        self.reading_label.setWordWrap(True)
        self.reading_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.reading_label.setStyleSheet(f"color: {style.MUTED};")
        self.reading_label.hide()
        self.tax_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(controls)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.tax_label)
        layout.addWidget(self.reading_label)
        for key, text in NOT_AVAILABLE.items():
            self.tiles[key].show_placeholder(text)
        self.tiles["original"].show_placeholder("no image yet")
        self.tiles["masked"].show_placeholder("no image yet")
        for tile in self.tax_tiles.values():
            tile.show_placeholder("computing…")
        self._zoom_masks = None  # (masks, frame) the zoom is fitted to

    def bind(self, app) -> None:
        """Follow the app model: the input, its masks (while on screen), and each prediction's pixels."""
        self.app = app
        app.events.input.connect(self._on_input)
        app.events.model.connect(self._on_model)
        app.events.masks_settled.connect(lambda masks: self._show_masked() if self._on_screen() else None)
        app.events.prediction.connect(self._on_prediction)
        app.events.time_step.connect(lambda _step: self._show_clip_step() if app.prediction is not None else None)
        self.tax_box.toggled.connect(app.set_surface_tax)
        self.tax_box.toggled.connect(self._show_tax_page)
        app.events.time_step.connect(lambda _step: self._apply_zoom())

    def _show_tax_page(self, on: bool) -> None:
        self.pages.setCurrentIndex(1 if on else 0)
        self.reading_label.setVisible(on)
        if on:
            for tile in self.tax_tiles.values():
                tile.show_placeholder("computing…")

    def _on_screen(self) -> bool:
        return not self.visibleRegion().isEmpty()

    def _show_masked(self) -> None:
        shown = self.app.input
        if shown is not None and shown.pixel_square is not None:
            self.set_masked(shown.pixel_square, self.app.masks)
        self._apply_zoom()

    def _apply_zoom(self) -> None:
        """Every tile on the targets' region (Zoom to targets), or on the whole picture."""
        app = getattr(self, "app", None)
        box = None
        if self.zoom_box.isChecked() and app is not None:
            corners = target_box(app.masks, 1000, app.time_step)  # in a 1000-px square: each tile scales it
            box = (*corners, 1000) if corners is not None else None
        for tile in (*self.tiles.values(), *self.tax_tiles.values()):
            if tile.zoom != box:
                tile.set_zoom(box)

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
        """The masked input and the count of what stays visible."""
        self.tiles["masked"].show_image(masked_view(square_rgb, masks), f"{masks.stats()['context_fraction']:.0%} visible")

    def show_comparison(self, comparison, surface_tax=None) -> None:
        """Fill the MAE / decoder tiles from an engine.pixels.PixelComparison (None: models not bundled);
        with a SurfaceTax, show each model's output before and after the texture, and how much each error grew."""
        if surface_tax is not None:
            self.show_surface_tax(comparison, surface_tax)
        else:
            self._set_tax_text(TAX_HINT if self.tax_box.isChecked() else "")
        images = comparison.images if comparison is not None else {}
        scores = comparison.psnr if comparison is not None else {}
        for kind, key in (("mae", "mae"), ("jepa", "decoded_prediction"), ("actual", "decoded_actual")):
            self.set_decoded(kind, images.get(key), scores.get(key))
        with_reference = comparison is not None and comparison.decoded_with_reference
        for key, _, tip in TILES:
            if key in ("jepa", "actual"):
                self.tiles[key].set_tip(tip + (REFERENCE_NOTE if with_reference else ""))
        self._apply_zoom()

    def show_surface_tax(self, plain, surface_tax) -> None:
        """Before / after pictures for the input, the MAE and the decoded JEPA, their numbers and how to read them."""
        change = surface_tax.increase()
        before = plain.images if plain is not None else {}
        after = surface_tax.pixels.images if surface_tax.pixels is not None else {}
        pixels = before.get("original")
        self.tax_tiles["input_plain"].show_image(pixels, "") if pixels is not None else None
        self.tax_tiles["input_textured"].show_image(surface_tax.textured, "")
        for model, key, label in (("mae", "mae", "pixels"), ("jepa", "decoded_prediction", "pixels")):
            for when, images in (("plain", before), ("textured", after)):
                tile = self.tax_tiles[f"{model}_{when}"]
                if key not in images:
                    tile.show_placeholder(NOT_AVAILABLE[model])
                    continue
                caption = ""
                if when == "textured" and key in change:
                    caption = f"{label} {_percent(change[key])}"
                tile.show_image(images[key], caption)
                if caption:
                    tile.caption.setToolTip(
                        f"The error of these pixels on the targets grew {_percent(change[key])} with the texture"
                    )
        if "jepa_embedding" in change:  # what the JEPA itself is judged on: its embedding error
            tile = self.tax_tiles["jepa_textured"]
            caption = tile.caption.text()
            value = _percent(change["jepa_embedding"])
            tile.set_caption(f"embedding {value}", f"emb. {value}", value)
            tile.caption.setToolTip(
                f"The JEPA's embedding error grew {_percent(change['jepa_embedding'])} with the texture"
                + (f"; its decoded pixels' error {caption.split()[-1]}" if caption else "")
            )
        # the numbers are on the pictures; the sentence with all of them is the reading line's tooltip
        self._set_tax_text("")
        self.tax_summary = surface_tax.summary().replace("-", "−")
        self.reading_label.setToolTip(self.tax_summary)
        self.tax_change = change

    tax_change: dict = {}
    tax_summary = ""

    def _set_tax_text(self, text: str) -> None:
        self.tax_label.setText(text)
        self.tax_label.setVisible(bool(text))  # an empty line would take a tile's height

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
            tile.show_image(image, f"PSNR {psnr_db:.1f} dB" if psnr_db is not None else "")
            tile.caption.setToolTip(
                f"PSNR on targets {psnr_db:.1f} dB: how close the target pixels are to the original (higher is better)"
                if psnr_db is not None
                else ""
            )


def _percent(change: float) -> str:
    """+44%, −6% (a real minus sign: it reads as one on a projector)."""
    return f"{change:+.0%}".replace("-", "−")
