"""Images of any size and mode (RGBA, greyscale, 16-bit, palette, EXIF-rotated) as uint8 RGB arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jepa_explorer.errors import MediaError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
MAX_PIXELS = 200_000_000  # a decompression bomb guard well above any photograph


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
    from PIL import Image, UnidentifiedImageError

    path = Path(path).expanduser()
    if not path.exists():
        raise MediaError(f"{path}: no such file.")
    if path.is_dir():
        raise MediaError(f"{path}: is a folder; choose an image file.")
    if path.stat().st_size == 0:
        raise MediaError(f"{path}: the file is empty.")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                raise MediaError(f"{path}: {image.width}×{image.height} px is too large to open; scale it down first.")
            image.load()
            array = to_rgb_array(image)
    except UnidentifiedImageError:
        raise MediaError(f"{path}: not an image Pillow can read; use PNG, JPEG, BMP, TIFF, GIF or WebP.") from None
    except Image.DecompressionBombError:
        raise MediaError(f"{path}: too many pixels to open safely; scale it down first.") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise MediaError(f"{path}: the image is truncated or corrupt ({e}).") from None
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
