"""Data pipeline for the tiny I-JEPA: splits, determinism, shapes, procedural statistics, probe."""

import hashlib
import json

import numpy as np
import pytest
import torch

from jepa_explorer.train import procedural
from jepa_explorer.train.data import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    ImageBatches,
    eval_images,
    photos,
    probe_dataset,
)
from jepa_explorer.train.photos import COMMITTABLE, DATA_DIR, MANIFEST, assign_splits, read_gimp_pattern


@pytest.fixture(scope="module")
def manifest():
    return json.loads(MANIFEST.read_text())["photos"]


def test_manifest_fields_and_licences(manifest):
    assert len(manifest) >= 30
    for r in manifest:
        for k in ("file", "source", "licence", "original_path", "sha256", "split"):
            assert r[k]
        assert r["split"] in ("train", "test")
        assert r["redistributable_in_repo"] == (r["licence"] in COMMITTABLE)
        if r["redistributable_in_repo"]:  # committed photos are on disk and match the manifest
            data = (DATA_DIR / r["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == r["sha256"]
            assert len(data) < 200_000


def test_heldout_photos_never_in_train(manifest):
    train = {r["sha256"] for r in manifest if r["split"] == "train"}
    test = {r["sha256"] for r in manifest if r["split"] == "test"}
    assert test and not (train & test)
    orig_train = {r["original_sha256"] for r in manifest if r["split"] == "train"}
    assert not orig_train & {r["original_sha256"] for r in manifest if r["split"] == "test"}
    # decoded pixels too: no held-out photograph among the arrays ImageBatches trains on
    h = lambda a: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()  # noqa: E731
    assert not {h(a) for a in photos("train")} & {h(a) for a in photos("test")}
    assert len(photos("test", committed_only=True)) >= 4


def test_split_is_stratified_and_reproducible(manifest):
    recs = [dict(r) for r in manifest]
    assign_splits(recs)
    assert {(r["source"], r["name"]): r["split"] for r in recs} == {(r["source"], r["name"]): r["split"] for r in manifest}
    for src in {r["source"] for r in manifest}:
        rs = [r for r in manifest if r["source"] == src]
        k = sum(r["split"] == "test" for r in rs)
        assert k == int(np.floor(0.2 * len(rs) + 0.5))


def test_batches_deterministic_shape_and_normalised():
    b = ImageBatches(size=64, batch_size=16, photo_fraction=0.5, seed=3)
    x = b.batch(2)
    assert x.shape == (16, 3, 64, 64) and x.dtype == torch.float32
    assert torch.equal(x, ImageBatches(size=64, batch_size=16, photo_fraction=0.5, seed=3).batch(2))
    assert not torch.equal(x, ImageBatches(size=64, batch_size=16, photo_fraction=0.5, seed=4).batch(2))
    assert torch.equal(next(iter(b)), b.batch(0))
    raw = x * torch.tensor(IMAGENET_STD).view(1, 3, 1, 1) + torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    assert raw.min() >= -1e-5 and raw.max() <= 1 + 1e-5
    assert raw.std() > 0.05


def test_eval_images_deterministic_and_heldout():
    for dom in ("photos", "procedural"):
        a = eval_images(dom, size=48, n=6)
        assert a.shape == (6, 48, 48, 3) and a.dtype == np.uint8
        assert np.array_equal(a, eval_images(dom, size=48, n=6))
    # held-out procedural seeds differ from training ones
    tr = ImageBatches(size=48, batch_size=6, photo_fraction=0.0, seed=0, augment=False).batch_uint8(0)[0]
    ev = eval_images("procedural", size=48, n=6)
    assert not any(np.array_equal(t, e) for t in tr for e in ev)


def test_procedural_statistics():
    ims = [procedural.render([9, i], 64) for i in range(12)]
    assert np.array_equal(ims[0], procedural.render([9, 0], 64))
    for im in ims:
        assert im.shape == (64, 64, 3) and im.dtype == np.uint8
        assert im.std() > 3  # not flat
    # 1/f noise: radially averaged power spectrum falls as a power law with slope ~ -alpha
    f = procedural.power_noise(np.random.default_rng(0), 64, alpha=2.0)[0]
    p = np.abs(np.fft.fft2(f)) ** 2
    r = np.hypot(*np.meshgrid(np.fft.fftfreq(64), np.fft.fftfreq(64)))
    bins = np.geomspace(2 / 64, 0.5, 8)
    mids = np.sqrt(bins[1:] * bins[:-1])
    pw = [p[(r >= lo) & (r < hi)].mean() for lo, hi in zip(bins[:-1], bins[1:])]
    slope = np.polyfit(np.log(mids), np.log(pw), 1)[0]
    assert -2.6 < slope < -1.4
    # dead leaves: occluding shapes -> many flat regions with sharp edges (heavy-tailed gradients)
    flat = []
    for s in range(6):
        dl = procedural.dead_leaves(np.random.default_rng(s), 64, kinds=(0,))
        flat.append((np.abs(np.diff(dl.mean(-1), axis=1)) < 0.02).mean())
    assert np.median(flat) > 0.3


def test_probe_balanced_and_deterministic():
    xtr, ytr, xte, yte = probe_dataset(24, 16, size=32, seed=1)
    assert xtr.shape == (24, 32, 32, 3) and xtr.dtype == np.uint8 and xte.shape == (16, 32, 32, 3)
    assert np.bincount(ytr).tolist() == [6] * 4 and np.bincount(yte).tolist() == [4] * 4
    assert np.array_equal(xtr, probe_dataset(24, 16, size=32, seed=1)[0])


def test_gimp_pattern_reader():
    name = b"x\0"
    hdr = (24 + len(name)).to_bytes(4, "big") + (1).to_bytes(4, "big") + (2).to_bytes(4, "big")
    hdr += (3).to_bytes(4, "big") + (3).to_bytes(4, "big") + b"GPAT" + name
    px = np.arange(18, dtype=np.uint8)
    a = read_gimp_pattern(hdr + px.tobytes())
    assert a.shape == (3, 2, 3) and np.array_equal(a.ravel(), px)


def test_validation_images_are_their_own_sources():
    from jepa_explorer.train.data import eval_images, validation_images

    val = validation_images("procedural", size=32, n=6)
    test = eval_images("procedural", size=32, n=6)
    assert val.shape == (6, 32, 32, 3)
    assert not any(np.array_equal(v, t) for v in val for t in test)
