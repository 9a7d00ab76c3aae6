"""Images of any size and mode (RGBA, greyscale, 16-bit, palette, EXIF-rotated) as uint8 RGB arrays.

Decoding is bounded: only the formats below are tried (so an EPS file never starts Ghostscript), a
picture above MAX_DECODED_PIXELS is decoded reduced where the format allows it (JPEG: 1/2, 1/4, 1/8 in
the decoder, fast) and refused otherwise, which keeps a decode under ~1 GB of memory and a second or
so. Library warnings (Pillow's, libtiff's) are kept out of the output: the error says what is wrong.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np

from jepa_explorer.errors import JepaError, MediaError
from jepa_explorer.fileio import check_regular_file

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
# Pillow's names for the formats above (the JPEG opener also returns MPO, the variant many phones write)
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "PPM")
MAX_PIXELS = 200_000_000  # headers above twice this are refused by Pillow itself, before any decoding
# decoded size: 40 MP is a 7300×5500 photo; RGBA and 16-bit conversions stay below ~1 GB at this size
MAX_DECODED_PIXELS = 40_000_000
_STDERR_LOCK = threading.Lock()


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """libtiff writes its warnings straight to file descriptor 2; hide them for the length of a decode."""
    with _STDERR_LOCK:
        try:
            saved = os.dup(2)
        except OSError:  # no descriptor 2 (a GUI started without a console): nothing to hide
            yield
            return
        try:
            with suppress(AttributeError, ValueError, OSError):
                sys.stderr.flush()
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _reduction(width: int, height: int, max_pixels: int) -> int:
    """The JPEG draft factor (1, 2, 4 or 8) that brings the picture under `max_pixels`, or 0 if none does."""
    for factor in (1, 2, 4, 8):
        if math.ceil(width / factor) * math.ceil(height / factor) <= max_pixels:
            return factor
    return 0


def decode_image(path: str | Path, error: type[JepaError] = MediaError, max_pixels: int = MAX_DECODED_PIXELS):
    """A loaded Pillow image from `path`, decoded reduced if it is a large JPEG, or `error` saying what is wrong."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path).expanduser()
    check_regular_file(path, error, "file", "choose an image file")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning, "possibly corrupt EXIF" ...: the error says enough
            image = Image.open(path, formats=IMAGE_FORMATS)
            try:
                width, height = image.size
                if width * height > max_pixels:
                    factor = _reduction(width, height, max_pixels) if image.format in ("JPEG", "MPO") else 0
                    if not factor:
                        raise error(
                            f"{path}: {width}×{height} px ({width * height / 1e6:.0f} MP) is too large to open "
                            f"(at most {max_pixels / 1e6:.0f} MP, or a JPEG up to 64 times that); scale it down first."
                        )
                    image.draft(image.mode, (math.ceil(width / factor), math.ceil(height / factor)))
                if image.format == "TIFF":
                    with _quiet_stderr():
                        image.load()
                else:
                    image.load()
            except BaseException:
                image.close()
                raise
    except JepaError:
        raise
    except UnidentifiedImageError:
        raise error(f"{path}: not an image in a supported format; use PNG, JPEG, BMP, TIFF, GIF, WebP or PPM.") from None
    except Image.DecompressionBombError:
        raise error(f"{path}: too many pixels to open safely; scale it down first.") from None
    except MemoryError:
        raise error(f"{path}: not enough memory to decode this image; scale it down first.") from None
    except Exception as e:  # noqa: BLE001 - damaged files raise OSError, SyntaxError, struct.error, IndexError ...
        raise error(f"{path}: the image is truncated or corrupt ({type(e).__name__}: {e}).") from None
    return image


def to_rgb_array(image) -> np.ndarray:
    """A Pillow image -> uint8 [H, W, 3]: EXIF rotation applied, alpha composited on white, 16-bit scaled."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        high = values.max() if values.size else 1.0
        scale = 65535.0 if image.mode.startswith("I;16") or high > 255 else 255.0
        grey = np.clip(values / scale * 255.0, 0, 255).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


def load_image(path: str | Path) -> np.ndarray:
    """uint8 RGB [H, W, 3] from an image file, or a MediaError that says what is wrong."""
    path = Path(path).expanduser()
    with decode_image(path) as image:
        try:
            array = to_rgb_array(image)
        except MemoryError:
            raise MediaError(f"{path}: not enough memory to convert this image; scale it down first.") from None
        except Exception as e:  # noqa: BLE001 - a mode Pillow cannot convert
            raise MediaError(f"{path}: the image cannot be converted to RGB ({type(e).__name__}: {e}).") from None
    if array.shape[0] < 2 or array.shape[1] < 2:
        raise MediaError(f"{path}: {array.shape[1]}×{array.shape[0]} px is too small to show a patch grid.")
    return array


def fit_square(rgb: np.ndarray, size: int) -> np.ndarray:
    """Centre-crop to a square and resize to `size`×`size` (the model's input): the view the user paints on."""
    from PIL import Image

    height, width = rgb.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    crop = Image.fromarray(rgb[top : top + side, left : left + side])
    return np.array(crop.resize((size, size), Image.BICUBIC, reducing_gap=3.0), dtype=np.uint8)
