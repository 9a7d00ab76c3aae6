"""The pixels tab as a learner reads it: tiles large enough to see, a zoom on the targets, one-line captions,
and the surface tax as before/after pictures for the MAE and the JEPA with its numbers and how to read them."""

import numpy as np
from PySide6.QtWidgets import QApplication

from jepa_explorer.gui.panels.pixels import target_box
from jepa_explorer.masks.grid import PatchMasks
from jepa_explorer.resources import default_checkpoint

from .conftest import TIMEOUT_MS, open_window


def test_target_box_is_the_targets_bounding_box_with_half_a_patch_around():
    target = np.zeros((1, 8, 8), bool)
    target[0, 2:4, 5:7] = True
    masks = PatchMasks(np.zeros((1, 8, 8), bool), [target])
    assert target_box(masks, 64) == (36, 12, 60, 36)  # patches of 8 px: cols 5-6 -> 40-56 px, ±4 px
    target[0, 7, 7] = True
    assert target_box(PatchMasks(np.zeros((1, 8, 8), bool), [target]), 64)[2:] == (64, 64)  # clipped to the square
    assert target_box(PatchMasks.empty((1, 8, 8)), 64) is None


def test_tiles_are_large_zoom_on_the_targets_and_captions_stay_on_one_line(qtbot, settings):

    w = open_window(qtbot, default_checkpoint(), settings)
    panel = w.pixel_panel
    w.docks["pixels"].raise_()
    qtbot.waitUntil(lambda: panel.tiles["mae"].available, timeout=TIMEOUT_MS)
    QApplication.processEvents()
    # at 1280 wide the five tiles were ~115 px: four now (the original is the canvas), larger
    for key in ("masked", "mae", "jepa", "actual"):
        view = panel.tiles[key].stack
        assert min(view.width(), view.height()) >= 140, (key, view.width(), view.height())
    assert not panel.tiles["original"].isVisible()
    for key in ("masked", "mae", "jepa", "actual"):
        tile = panel.tiles[key]
        line = tile.caption.fontMetrics().height()
        assert tile.caption.height() < 2 * line and tile.title.height() < 2 * line + 6  # one line each
    # zoom on the targets: every tile shows only the targets' region
    full = panel.tiles["mae"].shown_rect()
    panel.zoom_box.setChecked(True)
    zoomed = panel.tiles["mae"].shown_rect()
    size = np.asarray(panel.tiles["mae"].image.image).shape[1]
    box = target_box(w.app.masks, size)
    assert (
        zoomed.width() < full.width()
        and abs(zoomed.left() - box[0]) <= 2
        and abs(zoomed.right() - box[2]) <= 2
        or (zoomed.height() < full.height() and abs(zoomed.top() - box[1]) <= 2)
    )
    panel.zoom_box.setChecked(False)
    assert panel.tiles["mae"].shown_rect().width() >= full.width() - 1
    # the surface tax: before / after pictures for the input, the MAE and the JEPA, numbers and how to read them
    with qtbot.waitSignal(w.predictionShown, timeout=TIMEOUT_MS):
        panel.tax_box.setChecked(True)
    qtbot.waitUntil(lambda: w.app.prediction.surface_tax is not None, timeout=TIMEOUT_MS)
    QApplication.processEvents()
    assert panel.pages.currentIndex() == 1
    tax = w.app.prediction.surface_tax
    assert panel.tax_tiles["input_textured"].available and np.array_equal(
        np.asarray(panel.tax_tiles["input_textured"].image.image), tax.textured
    )
    assert panel.tax_tiles["mae_plain"].available and panel.tax_tiles["mae_textured"].available
    change = tax.increase()
    mae = f"{change['mae']:+.0%}".replace("-", "−")
    assert mae in panel.tax_tiles["mae_textured"].caption.text()
    embedding = f"{change['jepa_embedding']:+.0%}".replace("-", "−")
    assert embedding in panel.tax_tiles["jepa_textured"].caption.text()
    for tile in panel.tax_tiles.values():  # captions fit their tile: nothing cut
        assert tile.caption.fontMetrics().horizontalAdvance(tile.caption.text()) <= tile.caption.width()
    assert panel.reading_label.isVisible() and "negative change" in panel.reading_label.text()
    assert "MAE pixel error" in panel.tax_summary and panel.reading_label.toolTip() == panel.tax_summary
    assert panel.tiles["jepa"].caption.text().startswith("PSNR") and "on targets" in panel.tiles["jepa"].caption.toolTip()
    w.close()


def test_model_card_is_prose_with_an_explainer(window):
    panel = window.model_panel
    text = panel.card.text()
    assert "<h3" in text and "About this model" in text and "<table" not in text
    assert "patches" in text and "{" not in text
    panel.explain.click()
    assert panel.explain.popup.isVisible()
    panel.explain.popup.hide()


def test_the_decoded_tiles_say_when_the_decoder_started_from_the_last_context_frame(qtbot):
    from jepa_explorer.engine.pixels import PixelComparison
    from jepa_explorer.gui.panels.pixels import PixelPanel

    panel = PixelPanel()
    qtbot.addWidget(panel)
    image = np.zeros((16, 16, 3), np.uint8)
    images = {"decoded_prediction": image, "decoded_actual": image}
    panel.show_comparison(PixelComparison(images, {"decoded_prediction": 20.0}, decoded_with_reference=True))
    assert "last context frame" in panel.tiles["jepa"].toolTip() and "last context frame" in panel.tiles["actual"].toolTip()
    assert "last context frame" not in panel.tiles["mae"].toolTip()
    panel.show_comparison(PixelComparison(images, {"decoded_prediction": 20.0}))  # another model's plain decoder
    assert "last context frame" not in panel.tiles["jepa"].toolTip()
    assert panel.tiles["jepa"].toolTip().startswith("The JEPA's predicted target embeddings")
