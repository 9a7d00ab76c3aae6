"""Photo-motion clips: pure functions of their seed, always moving, drawn only from the photographs of
their split (held out by source as data/photos_manifest.json says), mixable into the training batches."""

import hashlib
import json

import numpy as np
import pytest
import torch

from jepa_explorer.train import photo_motion
from jepa_explorer.train.clips import ClipBatches
from jepa_explorer.train.photo_motion import eval_photo_clips, render_photo_clip, split_photos


@pytest.fixture(scope="module")
def textures() -> list[np.ndarray]:
    """Two structured 'photographs' (smooth gradients, a disc, stripes), so motion shows in pixels."""
    yy, xx = np.mgrid[0:120, 0:160]
    a = np.stack([xx * 1.5, yy * 2, 128 + 60 * np.sin(xx / 6.0)], axis=-1)
    a[(yy - 60) ** 2 + (xx - 80) ** 2 < 600] = (230, 40, 40)
    b = np.stack([128 + 100 * np.sin((xx + yy) / 5.0), 255 - yy * 2, xx], axis=-1)
    return [np.clip(a, 0, 255).astype(np.uint8), np.clip(b, 0, 255).astype(np.uint8)]


def test_a_clip_is_a_pure_function_of_its_seed(textures):
    a = render_photo_clip([16, 0, 0, 1], textures, 32, 8)
    assert a.shape == (8, 32, 32, 3) and a.dtype == np.uint8
    assert np.array_equal(a, render_photo_clip([16, 0, 0, 1], textures, 32, 8))
    assert not np.array_equal(a, render_photo_clip([16, 0, 0, 2], textures, 32, 8))


def test_every_clip_moves(textures):
    """Camera-only, still-camera-with-objects and both: each kind changes from frame to frame."""
    motion = [np.abs(np.diff(render_photo_clip([16, 0, 0, j], textures, 48, 16).astype(int), axis=0)).mean() for j in range(24)]
    assert min(motion) > 0.3
    assert np.median(motion) > 2.0


def _motion(clip: np.ndarray) -> float:
    return float(np.abs(np.diff(clip.astype(int), axis=0)).mean())


def test_a_slower_pace_moves_less_and_pace_one_is_the_default(textures):
    ratios = []
    for j in range(12):
        default = render_photo_clip([16, 0, 0, j], textures, 48, 16)
        assert np.array_equal(default, render_photo_clip([16, 0, 0, j], textures, 48, 16, pace=1.0))
        slow = render_photo_clip([16, 0, 0, j], textures, 48, 16, pace=0.2)
        ratios.append(_motion(slow) / _motion(default))
    assert max(ratios) < 1.0 and np.median(ratios) < 0.6, ratios


def test_photo_slow_slows_photo_clips_only(textures):
    plain = ClipBatches("train", 32, 8, 6, seed=1, photo_fraction=0.5, photo_arrays=textures)
    slow = ClipBatches("train", 32, 8, 6, seed=1, photo_fraction=0.5, photo_arrays=textures, photo_slow=1.0)
    a, b = plain.batch_uint8(2)[0], slow.batch_uint8(2)[0]
    assert np.array_equal(a[3:], b[3:])  # the procedural clips are untouched
    assert all(_motion(b[j]) < _motion(a[j]) for j in range(3))
    half = ClipBatches("train", 32, 8, 6, seed=1, photo_fraction=0.5, photo_arrays=textures, photo_slow=0.5)
    assert torch.equal(half.batch(5), half.batch(5))  # the pace is a function of the clip too


def test_camera_motion_follows_a_path_inside_the_photograph():
    rng = np.random.default_rng(0)
    for _ in range(50):
        centre, half, turn = photo_motion._camera_path(rng, 120.0, 90.0, 48, 16, move=True)
        reach = half * (np.abs(np.cos(turn)) + np.abs(np.sin(turn)))
        assert np.all(centre[:, 0] - reach >= -1e-6) and np.all(centre[:, 0] + reach <= 120 + 1e-6)
        assert np.all(centre[:, 1] - reach >= -1e-6) and np.all(centre[:, 1] + reach <= 90 + 1e-6)
        assert np.abs(turn).max() <= 0.2 + 1e-9 and 0.74 < (24 / half).min() and (24 / half).max() < 1.34


def test_clips_draw_only_on_the_photographs_given():
    """Solid red and solid blue 'photographs': every pixel is red or blue (up to sensor noise), so nothing
    outside the split's photographs (a procedural texture, another split's photo) can appear."""
    red = np.zeros((64, 80, 3), np.uint8)
    red[..., 0] = 200
    blue = np.zeros((64, 80, 3), np.uint8)
    blue[..., 2] = 200
    for j in range(12):
        clip = render_photo_clip([16, 0, 0, j], [red, blue], 32, 8).astype(int)
        assert clip[..., 1].max() <= 25  # green: sensor noise only
        assert (clip[..., 0] + clip[..., 2] > 60).all()  # red, blue or (at an edge) a mix of the two


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def test_training_never_sees_a_held_out_photograph():
    from jepa_explorer.train.photos import load_photos

    train = {_digest(a) for a in split_photos("train")}
    held = [a for a, r in zip(*load_photos("all")) if r["split"] == "test"]
    assert train and held and not train & {_digest(a) for a in held}
    test = {_digest(a) for a in split_photos("test")}
    validation = {_digest(a) for a in split_photos("validation")}
    assert test and test <= {_digest(a) for a in held} and not test & validation  # held out by source, apart
    assert ClipBatches("train", 32, 8, 2, photo_fraction=0.5).photos == split_photos("train")


def test_eval_photo_clips_are_held_out_and_deterministic():
    held = eval_photo_clips(3, 32, 8)
    assert held.shape == (3, 8, 32, 32, 3) and held.dtype == np.uint8
    assert np.array_equal(held, eval_photo_clips(3, 32, 8))
    with pytest.raises(ValueError, match="neither 'test' nor 'validation'"):
        eval_photo_clips(1, 32, 8, split="train")


def test_batches_mix_photo_clips_by_weight(textures):
    plain = ClipBatches("train", 32, 8, 4, seed=1)
    zero = ClipBatches("train", 32, 8, 4, seed=1, photo_fraction=0.0, photo_arrays=textures)
    assert torch.equal(plain.batch(2), zero.batch(2))  # weight 0: the batches recipes always had
    mixed = ClipBatches("train", 32, 8, 4, seed=1, photo_fraction=0.5, photo_arrays=textures)
    x = mixed.batch(2)
    assert x.shape == (4, 3, 8, 32, 32) and x.dtype == torch.float32
    assert torch.equal(x, ClipBatches("train", 32, 8, 4, seed=1, photo_fraction=0.5, photo_arrays=textures).batch(2))
    u8_plain, u8_mixed = plain.batch_uint8(2)[0], mixed.batch_uint8(2)[0]
    # the first two clips are photo clips, the other two the procedural clips they always were
    assert np.array_equal(u8_mixed[2:], u8_plain[2:]) and not np.array_equal(u8_mixed[0], u8_plain[0])
    none = ClipBatches("train", 32, 8, 4, seed=1, photo_fraction=0.5, photo_arrays=[])
    assert none.photo_fraction == 0.0 and torch.equal(none.batch(2), plain.batch(2))  # no photographs: procedural


def test_a_recipe_mixes_photo_clips_in_and_its_card_says_so(tmp_path):
    from jepa_explorer.train.loop import Trainer, load_recipe

    recipe = load_recipe("vjepa-tiny-photo")
    recipe.pop("init")  # a tiny model from scratch: only the data path is under test
    recipe["model"]["encoder"].update(img_size=16, num_frames=4, depth=1)
    recipe["model"]["predictor"].update(depth=1, predictor_embed_dim=48)
    recipe["data"].update(size=16, num_frames=4, batch_size=4, photo_slow=0.25)
    recipe["optim"]["total_steps"] = 2
    trainer = Trainer(recipe, tmp_path / "run", "cpu")
    assert trainer.batches.photo_fraction == 0.5 and trainer.batches.photos == split_photos("train")
    assert trainer.batches.photo_slow == 0.25
    trainer.run(log=lambda line: None)
    assert trainer.state.step == 2
    card = json.loads((trainer.export(tmp_path / "bundle") / "card.json").read_text())
    assert "50% of each batch" in card["training_data"]["photo_motion_clips"]
    assert "25% of them slowed" in card["training_data"]["photo_motion_clips"]
