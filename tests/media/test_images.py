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
