"""Seeded fuzz over image and video bytes: each damaged file is either read (right dtype and shape) or
refused with one MediaError / MaskError line; nothing else escapes, and nothing is printed."""

import io

import numpy as np
import pytest
from PIL import Image

from jepa_explorer.errors import MaskError, MediaError
from jepa_explorer.masks.grid import PatchMasks
from jepa_explorer.media.images import load_image
from jepa_explorer.media.video import probe_video, read_frames

FORMATS = {"png": "PNG", "jpg": "JPEG", "bmp": "BMP", "gif": "GIF", "tif": "TIFF", "webp": "WEBP", "ppm": "PPM"}


def _image_bytes(suffix: str) -> bytes:
    yy, xx = np.mgrid[0:24, 0:32]
    rgb = np.stack([xx * 8, yy * 10, (xx + yy) * 4], axis=-1).astype(np.uint8)
    buf = io.BytesIO()
    extra = {"compression": "tiff_lzw"} if suffix == "tif" else {}
    Image.fromarray(rgb).save(buf, FORMATS[suffix], **extra)
    return buf.getvalue()


def _mutations(data: bytes, rng, n: int):
    """Bit flips, overwritten runs, truncations and header-size edits of `data`."""
    for _ in range(n):
        b = bytearray(data)
        kind = rng.integers(0, 4)
        if kind == 0:
            for i in rng.integers(0, len(b), size=rng.integers(1, 8)):
                b[i] ^= 1 << int(rng.integers(0, 8))
        elif kind == 1:
            start = int(rng.integers(0, len(b)))
            b[start : start + 16] = rng.integers(0, 256, size=len(b[start : start + 16]), dtype=np.uint8).tobytes()
        elif kind == 2:
            b = b[: int(rng.integers(1, len(b)))]
        else:  # the first 64 bytes hold the sizes: large values there are header bombs
            i = int(rng.integers(0, min(64, len(b) - 4)))
            b[i : i + 4] = bytes([0xFF, 0xFF, rng.integers(0, 256), rng.integers(0, 256)])
        yield bytes(b)


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_damaged_images_are_read_or_refused(suffix, tmp_path, capfd):
    rng = np.random.default_rng(sum(map(ord, suffix)))
    counts = {"read": 0, "refused": 0}
    for i, data in enumerate(_mutations(_image_bytes(suffix), rng, 25)):
        path = tmp_path / f"{i}.{suffix}"
        path.write_bytes(data)
        try:
            rgb = load_image(path)
            assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.shape[0] * rgb.shape[1] <= 40e6
            counts["read"] += 1
        except MediaError as e:
            assert "\n" not in str(e) and str(path) in str(e)
            counts["refused"] += 1
        try:
            masks = PatchMasks.load_png(path, (1, 4, 4))
            assert masks.context.shape == (1, 4, 4)
        except MaskError as e:
            assert "\n" not in str(e)
    assert sum(counts.values()) == 25
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # no library warnings on the way


def _clip_bytes(tmp_path, suffix: str) -> bytes:
    import av

    path = tmp_path / f"clip.{suffix}"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4" if suffix == "mp4" else "gif", rate=8)
        stream.width, stream.height = 32, 24
        stream.pix_fmt = "yuv420p" if suffix == "mp4" else "rgb8"
        for t in range(12):
            frame = np.full((24, 32, 3), t * 20, dtype=np.uint8)
            frame[:, t * 2 : t * 2 + 4] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path.read_bytes()


@pytest.mark.parametrize("suffix", ["mp4", "gif"])
def test_damaged_videos_are_read_or_refused(suffix, tmp_path, capfd):
    rng = np.random.default_rng(7 if suffix == "mp4" else 8)
    data = _clip_bytes(tmp_path, suffix)
    counts = {"read": 0, "refused": 0}
    for i, damaged in enumerate(_mutations(data, rng, 20)):
        path = tmp_path / f"{i}.{suffix}"
        path.write_bytes(damaged)
        try:
            info = probe_video(path)
            frames = read_frames(path, [0, info.frame_count - 1], info=info)
            assert frames.dtype == np.uint8 and frames.shape[0] == 2 and frames.shape[3] == 3
            counts["read"] += 1
        except MediaError as e:
            assert "\n" not in str(e) and str(path) in str(e)
            counts["refused"] += 1
    assert sum(counts.values()) == 20
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # FFmpeg's log stays quiet too
