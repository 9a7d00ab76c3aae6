"""Session: cached target features, predictions equal to the official calls, leak-free baselines."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from jepa_explorer.engine.session import Session
from jepa_explorer.errors import JepaError, MaskError, MediaError
from jepa_explorer.masks.generators import block, multiblock
from jepa_explorer.masks.grid import PatchMasks


class _CountingEncoder(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner, self.full_calls, self.masked_calls = inner, 0, 0

    def embed_tokens(self, x):
        return self.inner.embed_tokens(x)

    def forward_tokens(self, tokens):  # the session runs the blocks on all tokens (full) or the context's
        if tokens.shape[1] == self.inner.pos_embed.shape[1]:
            self.full_calls += 1
        else:
            self.masked_calls += 1
        return self.inner.forward_tokens(tokens)


@pytest.fixture(params=[False, True], ids=["eager", "live"])
def session(ijepa_model, photo_like, request):
    s = Session(ijepa_model, live=request.param)
    s.set_input(photo_like)
    return s


def test_prediction_equals_official_calls(session, ijepa_model):
    masks = multiblock(session.grid_shape, seed=2)
    result = session.predict(masks)
    x = session.features.x
    ctx = torch.from_numpy(masks.context_indices()).unsqueeze(0)
    with torch.no_grad():
        h = F.layer_norm(ijepa_model.target_encoder(x), (ijepa_model.config.encoder.embed_dim,))
        z = ijepa_model.encoder(x, [ctx])
        for g, tgt in zip(result.groups, masks.target_indices()):
            t = torch.from_numpy(tgt).unsqueeze(0)
            pred = ijepa_model.predictor(z, [ctx], [t])[0]
            np.testing.assert_allclose(g.predicted, pred.numpy(), atol=1e-5)
            np.testing.assert_allclose(g.actual, h[0, tgt].numpy(), atol=1e-5)
            official = F.smooth_l1_loss(pred, h[0, tgt]).item()
            assert abs(g.distances["loss"].mean() - official) < 1e-5
    all_loss = np.concatenate([g.distances["loss"] for g in result.groups])
    assert result.summary["predictor"]["loss"]["mean"] == pytest.approx(all_loss.mean())
    assert result.summary["predictor"]["l2"]["median"] == pytest.approx(
        np.median(np.concatenate([g.distances["l2"] for g in result.groups]))
    )


def test_baselines_are_leak_free(session, ijepa_model):
    masks = block(session.grid_shape, top=2, left=2, height=3, width=3)
    result = session.predict(masks)
    x = session.features.x
    ctx = masks.context_indices()
    with torch.no_grad():
        only_context = F.layer_norm(
            ijepa_model.target_encoder(x, [torch.from_numpy(ctx).unsqueeze(0)]), (ijepa_model.config.encoder.embed_dim,)
        )[0].numpy()
    # the public call eval uses for the copy baselines' pixels gives the same leak-free embeddings
    np.testing.assert_allclose(session.context_embeddings(ctx), only_context, atol=1e-5)
    g = result.groups[0]
    mean_guess = only_context.mean(0)
    expected = np.abs(mean_guess[None] - g.actual)
    expected = np.where(expected < 1, 0.5 * expected**2, expected - 0.5).mean(1)
    np.testing.assert_allclose(g.baselines["mean_context"]["loss"], expected, rtol=1e-5)
    # nearest context of target (2,2) -> index 10 (row 1, col 2) is the first at distance 1 in index order
    first = g.target_indices.tolist().index(2 * 8 + 2)
    nearest_row = ctx.tolist().index(1 * 8 + 2)
    diff = np.abs(only_context[nearest_row] - g.actual[first])
    assert g.baselines["nearest_context"]["loss"][first] == pytest.approx(
        np.where(diff < 1, 0.5 * diff**2, diff - 0.5).mean(), rel=1e-5
    )


def test_edit_recomputes_only_context_side(ijepa_model, photo_like):
    counting = _CountingEncoder(ijepa_model.target_encoder)
    original = ijepa_model.target_encoder
    ijepa_model.target_encoder = counting
    try:
        s = Session(ijepa_model)
        s.set_input(photo_like)
        s.set_input(photo_like)  # same pixels: cached
        assert counting.full_calls == 1
        masks = multiblock(s.grid_shape, seed=0)
        s.predict(masks)
        edited = masks.copy()
        edited.targets = edited.targets[:2]  # a target-only edit keeps the context encodings
        s.predict(edited)
        assert counting.full_calls == 1 and counting.masked_calls == 1
        edited2 = edited.copy()
        edited2.context[0, edited2.context[0].nonzero()[0][0], edited2.context[0].nonzero()[1][0]] = False
        s.predict(edited2)
        assert counting.full_calls == 1 and counting.masked_calls == 2
    finally:
        ijepa_model.target_encoder = original


def test_results_carry_request_and_heatmap(session):
    masks = block(session.grid_shape, top=0, left=0, height=2, width=2)
    result = session.predict(masks, request_id=41)
    assert result.request_id == 41 and result.input_key == session.features.key
    heat = result.heatmap("l2")
    assert heat.shape == (1, 8, 8)
    assert np.isfinite(heat[0, :2, :2]).all() and np.isnan(heat[0, 2:, :]).all()
    np.testing.assert_allclose(np.sort(heat[0, :2, :2].ravel()), np.sort(result.groups[0].distances["l2"]))
    assert session.predict(masks).request_id is None  # ids are the caller's (the app model has the one counter)


def test_bad_masks_and_inputs(session, ijepa_model):
    with pytest.raises(MaskError, match="context is empty"):
        session.predict(PatchMasks.from_indices((1, 8, 8), [], [[3]]))
    with pytest.raises(MaskError, match="model uses"):
        session.predict(PatchMasks.from_indices((1, 4, 4), [0], [[3]]))
    with pytest.raises(MediaError, match="image model"):
        session.set_input(np.zeros((4, 32, 32, 3), dtype=np.uint8))
    with pytest.raises(JepaError, match="set_input"):
        Session(ijepa_model).predict(block((1, 8, 8), 0, 0, 2, 2))


def test_pca_basis_and_nearest(session):
    masks = multiblock(session.grid_shape, seed=1)
    result = session.predict(masks)
    feats = session.features
    coords = feats.pca.project(feats.actual)
    assert coords.shape == (64, 3)
    assert np.all(np.diff(np.var(coords, axis=0)) <= 1e-9), "components ordered by variance"
    g = result.groups[0]
    np.testing.assert_allclose(g.predicted_pca, feats.pca.project(g.predicted))
    d = ((g.predicted[:, None] - feats.actual[None]) ** 2).sum(-1)
    assert (g.nearest_actual == d.argmin(1)).all()
    rgb = feats.pca.to_rgb(feats.actual)
    assert rgb.dtype == np.uint8 and rgb.shape == (64, 3) and rgb.std() > 10
