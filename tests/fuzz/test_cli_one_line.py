"""Bad inputs on the command line: exit 2 and exactly one line on stderr, no traceback, no library warning."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from jepa_explorer.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from tests.media.test_images import _png_header_only

    tmp_path = tmp_path_factory.mktemp("inputs")
    yy, xx = np.mgrid[0:96, 0:128]
    photo_like = np.stack([xx * 2, yy * 2, xx + yy], axis=-1).clip(0, 255).astype(np.uint8)
    Image.fromarray(photo_like).save(tmp_path / "photo.png")
    _png_header_only(tmp_path / "bomb.png", 9000, 9000)
    _png_header_only(tmp_path / "mask_bomb.png", 20000, 20000)
    (tmp_path / "drawing.eps").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(tmp_path / "a.tif", compression="tiff_lzw")
    data = bytearray((tmp_path / "a.tif").read_bytes())
    data[200:400] = bytes(b ^ 0x55 for b in data[200:400])
    (tmp_path / "bad.tif").write_bytes(bytes(data))
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.png")
        os.mkfifo(tmp_path / "pipe.pth.tar")
    return tmp_path


@pytest.fixture(scope="module")
def damaged_bundle(tmp_path_factory):
    from jepa_explorer.checkpoints.bundle import save_bundle
    from jepa_explorer.models.config import ViTConfig
    from jepa_explorer.models.factory import new_jepa

    tmp_path = tmp_path_factory.mktemp("bundles")
    src = new_jepa(ViTConfig(img_size=16, patch_size=8, embed_dim=24, depth=1, num_heads=2))
    good = save_bundle(tmp_path / "good", {"encoder": src.encoder, "predictor": src.predictor}, {"name": "g"})
    flipped = save_bundle(tmp_path / "flipped", {"encoder": src.encoder, "predictor": src.predictor}, {"name": "f"})
    data = bytearray((flipped / "model.safetensors").read_bytes())
    data[-7] ^= 0x10
    (flipped / "model.safetensors").write_bytes(bytes(data))
    card = json.loads((good / "card.json").read_text())
    card["input"] = {"mean": None}
    (good / "card.json").write_text(json.dumps(card))
    return good, flipped


def _run(argv) -> int:
    try:
        return main(argv)
    except SystemExit as e:  # argparse's usage errors leave through sys.exit, as the console script does
        return e.code


CASES = [
    (["predict", "-c", "{ckpt}", "-i", "{d}/photo.png", "--mask", "multiblock:seed=-1"], "seed"),
    (["predict", "-c", "{ckpt}", "-i", "{d}/photo.png", "--mask", "multiblock:npred=100000000"], "npred"),
    (["predict", "-c", "{ckpt}", "-i", "{d}/photo.png", "--mask", "block:aspect=nan"], "aspect"),
    (["predict", "-c", "{ckpt}", "-i", "{d}/photo.png", "--mask", "random:seed=1," + "x" * 5000], "characters"),
    (["predict", "-c", "{ckpt}", "-i", "{d}/photo.png", "--mask", "{d}/mask_bomb.png"], "too large"),
    (["predict", "-c", "{ckpt}", "-i", "{d}/bomb.png"], "too large"),
    (["predict", "-c", "{ckpt}", "-i", "{d}/drawing.eps"], "supported format"),
    (["predict", "-c", "{ckpt}", "-i", "{d}/bad.tif"], "truncated or corrupt"),
    (["info", "-c", "{ckpt}", "--heads", "-3"], "--heads"),
    (["info", "-c", "{ckpt}", "--frames", "many"], "--frames"),
    (["info", "-c", "{good}"], "input.mean"),
    (["info", "-c", "{flipped}"], "damaged"),
]


@pytest.mark.parametrize("argv, expected", CASES, ids=[c[1] for c in CASES])
def test_bad_input_is_one_line_and_exit_2(argv, expected, files, damaged_bundle, ijepa_fixture_path, capfd):
    good, flipped = damaged_bundle
    argv = [a.format(ckpt=ijepa_fixture_path, d=files, good=good, flipped=flipped) for a in argv]
    capfd.readouterr()
    assert _run(argv) == 2
    out, err = capfd.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("error: "), err
    assert expected in err and "Traceback" not in err and "Warning" not in err


def test_pipes_are_refused_without_blocking(files, ijepa_fixture_path, capfd):
    if not hasattr(os, "mkfifo"):
        return  # no FIFOs on this system: nothing that could block
    image = ["predict", "-c", str(ijepa_fixture_path), "-i", str(files / "pipe.png")]
    for argv in (image, ["info", "-c", str(files / "pipe.pth.tar")]):
        capfd.readouterr()
        assert _run(argv) == 2
        out, err = capfd.readouterr()
        assert out == "" and err.count("\n") == 1 and "not a regular file" in err
