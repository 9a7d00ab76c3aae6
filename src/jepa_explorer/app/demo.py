"""A generated demo picture for when no sample image is bundled: simple shapes with clear structure, so
the patch grid and the predictor's successes and failures are easy to read."""

from __future__ import annotations

import numpy as np


def demo_image(size: int = 256) -> np.ndarray:
    """uint8 [size, size, 3]: sky, sun, hills, a house with a window and a door, a tree."""
    y, x = np.mgrid[0:size, 0:size] / size
    img = np.zeros((size, size, 3), dtype=np.float64)
    img[...] = np.stack([0.45 + 0.3 * y, 0.65 + 0.2 * y, 0.95 - 0.1 * y], axis=-1)  # sky
    sun = (x - 0.8) ** 2 + (y - 0.18) ** 2 < 0.09**2
    img[sun] = (1.0, 0.85, 0.3)
    hills = y > 0.62 + 0.06 * np.sin(x * 7.0)
    img[hills] = np.stack([0.25 + 0.1 * x, 0.6 - 0.15 * y, 0.25 + 0 * x], axis=-1)[hills]
    house = (x > 0.18) & (x < 0.5) & (y > 0.45) & (y < 0.75)
    img[house] = (0.85, 0.8, 0.7)
    roof = (y > 0.28) & (y <= 0.45) & (np.abs(x - 0.34) < (y - 0.28) * 1.05)
    img[roof] = (0.7, 0.15, 0.12)
    img[(x > 0.23) & (x < 0.31) & (y > 0.52) & (y < 0.6)] = (0.3, 0.55, 0.9)
    img[(x > 0.37) & (x < 0.44) & (y > 0.58) & (y < 0.75)] = (0.4, 0.22, 0.1)
    img[(x > 0.72) & (x < 0.76) & (y > 0.5) & (y < 0.72)] = (0.4, 0.25, 0.1)
    crown = (x - 0.74) ** 2 + (y - 0.45) ** 2 < 0.1**2
    img[crown] = (0.15, 0.45, 0.15)
    rng = np.random.default_rng(0)
    img += rng.normal(0, 0.015, img.shape)  # a little texture so the features are not degenerate
    return (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
