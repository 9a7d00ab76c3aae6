"""The pixel comparison: bundled MAE / decoder found for a JEPA, decoded images keep the context, PSNR on targets."""

import numpy as np
import pytest
import torch

from jepa_explorer.checkpoints.bundle import save_bundle
from jepa_explorer.checkpoints.companions import find_companions, load_decoder, load_mae
from jepa_explorer.checkpoints.load import load_model
from jepa_explorer.engine.pixels import compare_pixels, psnr
from jepa_explorer.engine.session import Session
from jepa_explorer.masks.generators import block
from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder
from jepa_explorer.models.factory import new_jepa
from jepa_explorer.models.mae import MaeDecoderConfig, MaskedAutoencoder, patchify, unpatchify

CFG = ViTConfig(img_size=32, patch_size=8, embed_dim=192, depth=1, num_heads=3)


def make_home(root):
    """A home folder with a tiny JEPA, an MAE on the same grid and a decoder trained 'on' that JEPA."""
    torch.manual_seed(0)
    jepa = new_jepa(CFG)
    ckpts = root / "checkpoints"
    save_bundle(
        ckpts / "tiny",
        {"encoder": jepa.encoder, "target_encoder": jepa.target_encoder, "predictor": jepa.predictor},
        {"name": "tiny", "family": "ijepa"},
    )
    mae = MaskedAutoencoder(CFG, MaeDecoderConfig(embed_dim=64, depth=1, num_heads=2))
    save_bundle(
        ckpts / "tiny-mae",
        {"mae": mae},
        {"name": "tiny-mae", "kind": "mae", "architecture": {"encoder": CFG.to_dict(), "decoder": mae.decoder_cfg.to_dict()}},
    )
    dec = PatchDecoder(DecoderConfig(embed_dim=192, hidden_dim=64, depth=1, patch_size=8))
    save_bundle(
        ckpts / "tiny-decoder",
        {"decoder": dec},
        {"name": "tiny-decoder", "kind": "decoder", "jepa": "checkpoints/tiny", "architecture": {"decoder": dec.cfg.to_dict()}},
    )
    save_bundle(
        ckpts / "other-decoder",
        {"decoder": dec},
        {"name": "other", "kind": "decoder", "jepa": "checkpoints/elsewhere", "architecture": {"decoder": dec.cfg.to_dict()}},
    )
    return ckpts


def test_patchify_round_trip():
    x = torch.randn(2, 3, 32, 32)
    assert patchify(x, 8).shape == (2, 16, 192)
    torch.testing.assert_close(unpatchify(patchify(x, 8), 8), x)


def test_companions_and_comparison(tmp_path, monkeypatch, photo_like):
    monkeypatch.setenv("JEPA_EXPLORER_HOME", str(tmp_path))
    ckpts = make_home(tmp_path)
    model = load_model(ckpts / "tiny", "cpu")
    found = find_companions(model)
    assert found == {"mae": ckpts / "tiny-mae", "decoder": ckpts / "tiny-decoder"}
    mae, _ = load_mae(found["mae"], "cpu")
    decoder, _ = load_decoder(found["decoder"], "cpu")

    session = Session(model)
    session.set_input(photo_like)
    masks = block(session.grid_shape, top=1, left=1, height=2, width=2)
    result = session.predict(masks)
    comparison = compare_pixels(session, result, mae, decoder)
    assert set(comparison.images) == {"original", "masked", "mae", "decoded_actual", "decoded_prediction"}
    original = comparison.images["original"]
    context = np.kron(masks.context[0], np.ones((8, 8), dtype=bool))
    targets = np.kron(masks.target_union[0], np.ones((8, 8), dtype=bool))
    for name in ("mae", "decoded_actual", "decoded_prediction"):
        image = comparison.images[name]
        assert image.shape == (32, 32, 3) and image.dtype == np.uint8
        assert np.abs(image[context].astype(int) - original[context]).max() <= 1, "context pixels are the input's"
        assert comparison.psnr[name] == pytest.approx(psnr(image, original, targets))
    assert not comparison.unavailable


def test_comparison_without_companions(ijepa_model, photo_like):
    session = Session(ijepa_model)
    session.set_input(photo_like)
    comparison = compare_pixels(session, session.predict(block(session.grid_shape, 0, 0, 2, 2)))
    assert set(comparison.images) == {"original", "masked"}
    assert set(comparison.unavailable) == {"mae", "decoded_prediction", "decoded_actual"}


def test_psnr_region():
    a = np.zeros((4, 4, 3), dtype=np.uint8)
    b = a.copy()
    b[0, 0] = 255
    region = np.zeros((4, 4), dtype=bool)
    region[2:, 2:] = True
    assert psnr(a, b, region) == float("inf")
    region[0, 0] = True
    assert psnr(a, b, region) == pytest.approx(10 * np.log10(5))
