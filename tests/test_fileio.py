"""Atomic writes: a write that fails midway leaves the previous file whole and no fragment beside it."""

import errno
import os
import stat

import numpy as np
import pytest
import torch.nn as nn

from jepa_explorer import fileio
from jepa_explorer.cli import main
from jepa_explorer.masks.generators import block


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_write_replaces_and_keeps_permissions(tmp_path):
    path = tmp_path / "scene.json"
    path.write_text("old")
    path.chmod(0o640)
    fileio.write_text(path, "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["scene.json"]
    fileio.write_bytes(tmp_path / "fresh.bin", b"\x00\x01")
    assert (tmp_path / "fresh.bin").read_bytes() == b"\x00\x01"


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_failure_midway_keeps_the_old_file(tmp_path, monkeypatch, where):
    path = tmp_path / "result.csv"
    path.write_text("a,b\n1,2\n")
    if where == "fsync":
        monkeypatch.setattr(fileio.os, "fsync", _disk_full)
    if where == "replace":
        monkeypatch.setattr(fileio.os, "replace", _disk_full)
    with pytest.raises(OSError, match="No space"):
        with fileio.atomic_open(path, "w") as f:
            f.write("a,b\n")  # part of the new file is already written when the disk fills
            if where == "write":
                _disk_full()
            f.write("3,4\n")
    assert path.read_text() == "a,b\n1,2\n"
    assert os.listdir(tmp_path) == ["result.csv"]


def test_writer_that_fails_leaves_nothing(tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"good weights")

    def half_then_fail(tmp):
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fileio.write_with(path, half_then_fail)
    assert path.read_bytes() == b"good weights" and os.listdir(tmp_path) == ["model.safetensors"]


def test_mask_png_save_failure_keeps_the_previous_png(tmp_path, monkeypatch):
    path = tmp_path / "mask.png"
    first = block((1, 8, 8), 1, 1, 2, 2)
    first.save_png(path)
    before = path.read_bytes()
    monkeypatch.setattr(fileio.os, "fsync", _disk_full)
    with pytest.raises(OSError):
        block((1, 8, 8), 4, 4, 3, 3).save_png(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["mask.png"]


def test_bundle_save_failure_keeps_the_previous_bundle(tmp_path, monkeypatch):
    from jepa_explorer.checkpoints.bundle import save_bundle

    out = save_bundle(tmp_path / "b", {"encoder": nn.Linear(2, 2)}, {"name": "b"})
    weights, card = (out / "model.safetensors").read_bytes(), (out / "card.json").read_text()
    monkeypatch.setattr(fileio.os, "fsync", _disk_full)
    with pytest.raises(OSError):
        save_bundle(out, {"encoder": nn.Linear(2, 3)}, {"name": "b2"})
    assert (out / "model.safetensors").read_bytes() == weights and (out / "card.json").read_text() == card
    assert sorted(os.listdir(out)) == ["card.json", "model.safetensors"]


def test_predict_out_failure_is_one_line_and_keeps_the_old_result(ijepa_fixture_path, tmp_path, monkeypatch, capsys, photo_like):
    from PIL import Image

    Image.fromarray(photo_like).save(tmp_path / "p.png")
    out = tmp_path / "r.npz"
    argv = ["predict", "-c", str(ijepa_fixture_path), "-i", str(tmp_path / "p.png"), "--mask", "center", "--out", str(out)]
    assert main(argv) == 0
    before = out.read_bytes()
    assert set(np.load(out).files) >= {"predicted_0", "heatmap_l2"}
    capsys.readouterr()
    monkeypatch.setattr(fileio.os, "fsync", _disk_full)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write the result" in err and "No space" in err
    assert out.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["p.png", "r.npz"]
