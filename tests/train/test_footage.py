"""Real footage: held out by whole source, windows never cross a cut, clips are pure functions of the
seed and the stored files, and the gather step round-trips a video into the manifest."""

import hashlib
import json

import numpy as np
import pytest

from jepa_explorer.train import footage
from jepa_explorer.train.footage import CATALOGUE, find_shots, footage_clips, load_manifest, windows
from jepa_explorer.train.photos import DATA_DIR


def test_sources_are_held_out_whole():
    splits = {}
    for item in CATALOGUE:
        splits.setdefault(item.source, set()).add(item.split)
    assert all(len(s) == 1 for s in splits.values())  # no source in two splits
    assert {s.pop() for s in splits.values()} == {"test", "validation"}
    for r in load_manifest():
        assert r["split"] == next(i.split for i in CATALOGUE if i.source == r["source"])


def test_the_committed_test_footage_is_what_the_manifest_says():
    committed = [r for r in load_manifest() if r["redistributable_in_repo"]]
    assert committed and all(r["split"] == "test" for r in committed)
    for r in committed:
        data = (DATA_DIR / r["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"] and len(data) < 400_000
        assert r["shots"][0][0] == 0 and r["shots"][-1][1] == r["frames"]


def test_windows_stay_inside_one_shot_at_the_apps_frame_step():
    shots = [[0, 30], [30, 100], [100, 108]]
    got = windows(shots, 16)
    assert got and all(step in (1, 4) for _, step in got)
    for start, step in got:
        last = start + step * 15
        assert any(a <= start and last < b for a, b in shots)  # never across a cut
    assert {step for start, step in got if start >= 30} == {4}  # 70 frames: every 4th, as the app samples
    assert {step for start, step in got if start < 30} == {1}  # 30 frames: the largest step that fits
    assert not [w for w in got if w[0] >= 100]  # 8 frames: too short for a clip


def test_find_shots_cuts_where_the_picture_jumps():
    rng = np.random.default_rng(0)
    a = np.clip(rng.normal(60, 20, (1, 40, 40, 3)), 0, 255)
    b = np.clip(rng.normal(190, 20, (1, 40, 40, 3)), 0, 255)
    drift = np.arange(20)[:, None, None, None] * 0.5  # slow change within each shot
    frames = np.concatenate([a + drift, b - drift]).astype(np.uint8)
    assert find_shots(frames) == [[0, 20], [20, 40]]


def test_footage_clips_are_deterministic_moving_and_split_by_source():
    test = footage_clips(4, 32, 8, seed=0)
    assert test.shape == (4, 8, 32, 32, 3) and test.dtype == np.uint8
    assert np.array_equal(test, footage_clips(4, 32, 8, seed=0))
    assert not np.array_equal(test, footage_clips(4, 32, 8, seed=1))
    assert np.abs(np.diff(test.astype(int), axis=1)).mean() > 1.0  # a moving camera: frames differ
    with pytest.raises(ValueError, match="no footage is for training"):
        footage_clips(1, 32, 8, split="train")


def test_missing_footage_says_how_to_gather_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m jepa_explorer.train.footage"):
        footage_clips(1, 32, 8, split="validation", data_dir=tmp_path)


def test_gather_stores_a_found_video_with_its_shots(tmp_path, monkeypatch):
    pytest.importorskip("av")
    yy, xx = np.mgrid[0:64, 0:96]
    dark = np.stack([xx, yy, xx + yy], -1) + 20.0
    light = 230.0 - np.stack([yy, xx, xx], -1)
    pan = [np.roll(dark, t, axis=1) for t in range(20)] + [np.roll(light, t, axis=0) for t in range(20)]
    frames = np.clip(pan, 0, 255).astype(np.uint8)  # two shots: a pan, then a tilt over another picture
    root = tmp_path / "unpacked"
    footage.encode_mp4(root / "usr/share/demo/clip.mp4", frames, 25.0, bit_rate=400_000)
    item = footage.Footage("demo-pkg", "apt", "1.0", "clip", "share/demo/clip.mp4", "CC0-1.0", "someone", "noise", "test")
    monkeypatch.setattr(footage, "CATALOGUE", (item,))
    records = footage.gather_footage([root], data_dir=tmp_path / "data")
    (r,) = records
    assert r["frames"] == 40 and r["shots"] == [[0, 20], [20, 40]] and r["redistributable_in_repo"]
    assert (r["height"], r["width"]) == (64, 96)  # smaller than the short side: kept as it is
    manifest = json.loads((tmp_path / "data" / "footage_manifest.json").read_text())
    assert manifest["footage"] == records
    clips = footage_clips(2, 16, 8, data_dir=tmp_path / "data")
    assert clips.shape == (2, 8, 16, 16, 3)
