"""Our modules against outputs of the official code on the same weights and masks (reference fixtures)."""

import json

import numpy as np
import torch
import torch.nn.functional as F

from jepa_explorer.models.tensors import apply_masks, repeat_interleave_batch
from jepa_explorer.models.vit import MultiMaskWrapper, PredictorMultiMaskWrapper
from tests.conftest import official_heads, reference_file


def _tol(name):
    tol = json.loads(reference_file(f"{name}_manifest.json").read_text())["tolerance"]
    return dict(atol=tol["atol"], rtol=tol["rtol"])


def test_ijepa_matches_official(ijepa_model):
    ref = np.load(reference_file("ijepa_reference.npz"))
    tol = _tol("ijepa")
    m = ijepa_model
    x = torch.from_numpy(ref["x"])
    masks_enc = [torch.from_numpy(a) for a in ref["masks_enc"]]
    masks_pred = [torch.from_numpy(a) for a in ref["masks_pred"]]
    with torch.no_grad():
        np.testing.assert_allclose(m.encoder(x).numpy(), ref["encoder_full"], **tol)
        h = F.layer_norm(m.target_encoder(x), (m.config.encoder.embed_dim,))
        np.testing.assert_allclose(h.numpy(), ref["target_layernormed"], **tol)
        targets = repeat_interleave_batch(apply_masks(h, masks_pred), len(x), repeat=len(masks_enc))
        np.testing.assert_allclose(targets.numpy(), ref["targets"], **tol)
        z = m.encoder(x, masks_enc)
        np.testing.assert_allclose(z.numpy(), ref["context"], **tol)
        pred = m.predictor(z, masks_enc, masks_pred)
        np.testing.assert_allclose(pred.numpy(), ref["predicted"], **tol)
        assert abs(F.smooth_l1_loss(pred, targets).item() - float(ref["loss"])) < 1e-5
    # the target encoder is the EMA copy, not the context encoder
    assert not np.allclose(m.encoder(x).numpy(), m.target_encoder(x).numpy(), atol=1e-3)


def test_vjepa_matches_official(vjepa_fixture_path):
    from jepa_explorer.checkpoints.load import load_model

    ref = np.load(reference_file("vjepa_reference.npz"))
    tol = _tol("vjepa")
    m = load_model(vjepa_fixture_path, "cpu", num_heads=official_heads("vjepa"))
    encoder, predictor = MultiMaskWrapper(m.encoder), PredictorMultiMaskWrapper(m.predictor)
    x = torch.from_numpy(ref["x"])
    sets = [k for k in ref.files if k.startswith("masks_enc_")]
    masks_enc = [torch.from_numpy(ref[f"masks_enc_{i}"]) for i in range(len(sets))]
    masks_pred = [torch.from_numpy(ref[f"masks_pred_{i}"]) for i in range(len(sets))]
    with torch.no_grad():
        np.testing.assert_allclose(encoder(x).numpy(), ref["encoder_full"], **tol)
        h = F.layer_norm(m.target_encoder(x), (m.config.encoder.embed_dim,))
        np.testing.assert_allclose(h.numpy(), ref["target_layernormed"], **tol)
        targets = apply_masks(h, masks_pred, concat=False)
        z = encoder(x, masks_enc)
        preds = predictor(z, targets, masks_enc, masks_pred)
        for i in range(len(sets)):
            np.testing.assert_allclose(z[i].numpy(), ref[f"context_{i}"], **tol)
            np.testing.assert_allclose(targets[i].numpy(), ref[f"targets_{i}"], **tol)
            np.testing.assert_allclose(preds[i].numpy(), ref[f"predicted_{i}"], **tol)
        loss = sum(torch.mean(torch.abs(p - t)) for p, t in zip(preds, targets)) / len(preds)
        assert abs(loss.item() - float(ref["loss"])) < 1e-5
