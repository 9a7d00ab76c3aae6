"""A video file through the whole V-JEPA path: sample_clip -> Session -> predictions per mask, with
per-frame heatmaps and the copy-last-context-step baseline (official fixture: 16 frames, tubelet 2,
32 px, patch 8, grid (8, 4, 4))."""

from pathlib import Path

import av
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from jepa_explorer.engine.session import Session
from jepa_explorer.masks.generators import future, multiblock3d
from jepa_explorer.media.video import sample_clip
from jepa_explorer.resources import assets_dir
from jepa_explorer.train.clips import render_clip
from tests.conftest import official_heads


@pytest.fixture(scope="module")
def vjepa_model(vjepa_fixture_path):
    from jepa_explorer.checkpoints.load import load_model

    return load_model(vjepa_fixture_path, "cpu", num_heads=official_heads("vjepa"))


@pytest.fixture(scope="module")
def clip_path(tmp_path_factory):
    """A 40-frame 48×64 procedural clip written with PyAV (MPEG-4): more frames than the model takes,
    not square (the session centre-crops)."""
    frames = render_clip([98, 1], 64, 40)[:, 8:56]  # [40, 48, 64, 3]
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for f in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(f), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture(scope="module")
def session(vjepa_model, clip_path):
    enc = vjepa_model.config.encoder
    clip = sample_clip(clip_path, enc.num_frames, stride=2, start=4)
    assert clip.frames.shape == (16, 48, 64, 3) and clip.indices.tolist() == list(range(4, 36, 2))
    s = Session(vjepa_model)
    s.set_input(clip.frames)
    return s


def test_fixture_shape(vjepa_model, session):
    enc = vjepa_model.config.encoder
    assert enc.video and (enc.num_frames, enc.tubelet_size, enc.img_size) == (16, 2, 32)
    assert session.grid_shape == (8, 4, 4)
    assert session.features.x.shape == (1, 3, 16, 32, 32)
    assert session.features.pixels.shape == (16, 32, 32, 3)
    assert session.features.actual.shape == (128, vjepa_model.config.encoder.embed_dim)


@pytest.mark.parametrize("split", ["joint", "step"])
def test_future_masks(session, split):
    masks = future(session.grid_shape, context_steps=4, split=split)
    result = session.predict(masks)
    groups = 1 if split == "joint" else 4
    assert len(result.groups) == groups
    assert sum(len(g.target_indices) for g in result.groups) == 4 * 16
    for g in result.groups:
        assert g.predicted.shape == g.actual.shape == (len(g.target_indices), session.features.actual.shape[1])
    heat = result.heatmap("loss")
    assert heat.shape == (8, 4, 4)
    assert np.isnan(heat[:4]).all() and np.isfinite(heat[4:]).all()  # the context steps have no distance
    assert set(result.summary) == {"predictor", "nearest_context", "mean_context", "last_context_step"}
    # future targets see no context step at their (row, column) later than step 3: the baseline copies step 3
    assert result.summary["last_context_step"]["loss"]["mean"] == pytest.approx(result.summary["nearest_context"]["loss"]["mean"])
    assert np.isfinite(result.gain("loss"))


def test_future_step_error_per_horizon(session):
    result = session.predict(future(session.grid_shape, context_steps=2, split="step"))
    per_step = [g.distances["loss"].mean() for g in result.groups]
    assert len(per_step) == 6 and np.isfinite(per_step).all()
    heat = result.heatmap("l2")  # one number per time step, for a timeline
    per_frame = np.array([np.nanmean(h) if np.isfinite(h).any() else np.nan for h in heat])
    assert np.isnan(per_frame[:2]).all() and np.isfinite(per_frame[2:]).all()


@pytest.mark.parametrize("mask_set", ["short", "long"])
def test_multiblock3d_matches_the_official_call(session, vjepa_model, mask_set):
    masks = multiblock3d(session.grid_shape, seed=5, set=mask_set)
    result = session.predict(masks)
    (group,) = result.groups
    heat = result.heatmap("cosine")
    assert heat.shape == (8, 4, 4) and np.array_equal(np.isfinite(heat), masks.targets[0])
    # the blocks span all time (temporal scale 1.0): every frame shows the same target footprint
    assert all(np.array_equal(np.isfinite(heat[t]), np.isfinite(heat[0])) for t in range(8))
    x = session.features.x
    ctx = torch.from_numpy(masks.context_indices()).unsqueeze(0)
    tgt = torch.from_numpy(masks.target_indices()[0]).unsqueeze(0)
    with torch.no_grad():
        h = vjepa_model.target_encoder(x)
        h = F.layer_norm(h, (h.size(-1),))
        z = vjepa_model.encoder(x, [ctx])
        pred = vjepa_model.predictor(z, h[:, tgt[0]], [ctx], [tgt], mask_index=masks.token_id(0))[0]
    np.testing.assert_allclose(group.predicted, pred.numpy(), atol=1e-5)
    assert abs(group.distances["loss"].mean() - F.l1_loss(pred, h[0, tgt[0]]).item()) < 1e-5
    assert "last_context_step" in result.summary


def test_bundled_sample_clips(vjepa_model):
    clips_dir = Path(__file__).resolve().parents[2] / "assets" / "clips"  # the source checkout's
    if not clips_dir.is_dir():
        clips_dir = assets_dir() / "clips"
    paths = sorted(p for p in clips_dir.iterdir() if p.suffix in (".mp4", ".gif")) if clips_dir.is_dir() else []
    if not paths:
        pytest.skip(f"no sample clips in {clips_dir}")
    session = Session(vjepa_model)
    for path in paths:
        assert path.stat().st_size < 300 * 1024
        clip = sample_clip(path, 16, stride=2)
        assert clip.frames.shape[0] == 16 and clip.info.frame_count >= 32  # room for the official stride
        session.set_input(clip.frames)
        result = session.predict(future(session.grid_shape))
        assert result.heatmap("loss").shape == (8, 4, 4)


def test_engine_video_helpers(vjepa_model, clip_path, session):
    from jepa_explorer.engine.video import clip_for_model, default_stride, per_step, token_steps

    assert default_stride(200, 16) == 4 and default_stride(40, 16) == 2 and default_stride(10, 16) == 1
    clip = clip_for_model(vjepa_model, clip_path)  # 40 frames: stride 2
    assert clip.indices.tolist() == list(range(0, 32, 2))
    steps = token_steps(clip.indices, vjepa_model.config.encoder.tubelet_size)
    assert len(steps) == 8 and steps[3].tolist() == [12, 14]
    result = session.predict(future(session.grid_shape, context_steps=5, split="step"))
    horizon = per_step(result.heatmap("loss"))
    assert np.isnan(horizon[:5]).all()
    assert np.allclose(horizon[5:], [g.distances["loss"].mean() for g in result.groups])
