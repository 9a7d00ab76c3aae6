"""Images of any size and mode reach the model as RGB; bad files get a clear message."""

import numpy as np
import pytest
from PIL import Image

from jepa_explorer.errors import MediaError
from jepa_explorer.media.images import fit_square, load_image


def test_modes(tmp_path):
    rgba = np.zeros((20, 30, 4), dtype=np.uint8)
    rgba[..., 0] = 200
    rgba[:, :15, 3] = 255  # left opaque red, right transparent -> white
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    out = load_image(tmp_path / "a.png")
    assert out.shape == (20, 30, 3) and tuple(out[0, 0]) == (200, 0, 0) and tuple(out[0, 29]) == (255, 255, 255)

    Image.fromarray(np.full((10, 10), 77, dtype=np.uint8), "L").save(tmp_path / "g.png")
    assert tuple(load_image(tmp_path / "g.png")[3, 3]) == (77, 77, 77)

    Image.fromarray(np.full((10, 10), 65535, dtype=np.uint16)).save(tmp_path / "16.png")
    assert tuple(load_image(tmp_path / "16.png")[0, 0]) == (255, 255, 255)


def test_exif_rotation(tmp_path):
    img = Image.new("RGB", (40, 20), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° on display
    img.save(tmp_path / "r.jpg", exif=exif)
    assert load_image(tmp_path / "r.jpg").shape == (40, 20, 3)


def test_bad_files(tmp_path):
    with pytest.raises(MediaError, match="no such file"):
        load_image(tmp_path / "missing.png")
    (tmp_path / "t.png").write_text("hello")
    with pytest.raises(MediaError, match="not an image"):
        load_image(tmp_path / "t.png")
    Image.new("RGB", (64, 64), "red").save(tmp_path / "ok.png")
    data = (tmp_path / "ok.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match="truncated or corrupt"):
        load_image(tmp_path / "cut.png")
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        load_image(tmp_path / "empty.jpg")


def test_fit_square_centre_crop():
    img = np.zeros((50, 100, 3), dtype=np.uint8)
    img[:, 25:75] = 255  # the centre square is white
    out = fit_square(img, 16)
    assert out.shape == (16, 16, 3) and out.min() > 240


def _png_header_only(path, width, height):
    """A PNG whose header claims width×height pixels (a decompression bomb's header, without the bomb)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)


@pytest.mark.parametrize("side", [7000, 30000])  # 49 MP: above our limit; 900 MP: above Pillow's own
def test_bombs_are_refused_from_the_header(tmp_path, side):
    _png_header_only(tmp_path / "bomb.png", side, side)
    with pytest.raises(MediaError, match="too (large|many pixels)"):
        load_image(tmp_path / "bomb.png")


def test_large_jpeg_decodes_reduced(tmp_path):
    from jepa_explorer.media.images import decode_image

    Image.new("RGB", (400, 300), (0, 128, 255)).save(tmp_path / "big.jpg")
    with decode_image(tmp_path / "big.jpg", max_pixels=40_000) as image:  # 120,000 px -> 1/2 -> 30,000 px
        assert image.size == (200, 150)
    Image.new("RGB", (400, 300)).save(tmp_path / "big.png")  # PNG cannot decode reduced: refused
    with pytest.raises(MediaError, match=r"400×300 px .* too large"):
        decode_image(tmp_path / "big.png", max_pixels=40_000)


def test_only_supported_formats_are_tried(tmp_path, monkeypatch):
    from PIL import EpsImagePlugin

    def no_ghostscript(*_args, **_kwargs):
        raise AssertionError("Ghostscript must never be looked for")

    monkeypatch.setattr(EpsImagePlugin, "has_ghostscript", no_ghostscript)
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    for name in ("drawing.eps", "drawing.png"):
        (tmp_path / name).write_bytes(eps)
        with pytest.raises(MediaError, match="not an image in a supported format"):
            load_image(tmp_path / name)


def test_library_warnings_stay_out_of_the_output(tmp_path, capfd):
    import warnings

    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(tmp_path / "a.tif", compression="tiff_lzw")
    data = bytearray((tmp_path / "a.tif").read_bytes())
    data[200:400] = bytes(b ^ 0x55 for b in data[200:400])  # libtiff: "Using code not yet in table"
    (tmp_path / "bad.tif").write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a Python warning would fail here
        with pytest.raises(MediaError, match="truncated or corrupt"):
            load_image(tmp_path / "bad.tif")
    assert capfd.readouterr().err == ""


def test_pipes_and_devices_are_refused_without_blocking(tmp_path):
    import os

    targets = [tmp_path]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.png")  # opening it for reading would wait for a writer for ever
        targets.append(tmp_path / "pipe.png")
    if os.path.exists("/dev/zero"):
        targets.append("/dev/zero")
    for target in targets:
        with pytest.raises(MediaError, match="folder|not a regular file"):
            load_image(target)
    assert len(targets) == 3 or os.name != "posix"
