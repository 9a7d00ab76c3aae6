"""Dense maps of an input's actual patch embeddings, laid out on the patch grid (the DINOv2 feature demos):
the PCA-colour map and the cosine-similarity map of one patch against every other."""

from __future__ import annotations

import numpy as np


def grid_frame(values: np.ndarray, grid_shape: tuple[int, int, int], step: int = 0) -> np.ndarray:
    """Time step `step` of per-patch values [T·H·W, ...] as [H, W, ...] (the step is clipped to the grid)."""
    t_len, height, width = grid_shape
    values = np.asarray(values)
    if values.shape[0] != t_len * height * width:
        raise ValueError(f"{values.shape[0]} patch values do not fill a {t_len}x{height}x{width} grid")
    step = int(np.clip(step, 0, t_len - 1))
    start = step * height * width
    return values[start : start + height * width].reshape(height, width, *values.shape[1:])


def pca_colour_map(actual_rgb: np.ndarray, grid_shape: tuple[int, int, int], step: int = 0) -> np.ndarray:
    """uint8 [H, W, 3]: each patch's PCA colour (RGB = PC 1-3 of the actual embeddings) on the grid."""
    return grid_frame(np.asarray(actual_rgb, dtype=np.uint8), grid_shape, step)


def cosine_similarity_map(actual: np.ndarray, index: int) -> np.ndarray:
    """float [N] in [-1, 1]: cosine similarity of patch `index`'s actual embedding with every patch's
    (itself 1). A zero embedding is similar to nothing (0)."""
    actual = np.asarray(actual, dtype=np.float64)
    if not 0 <= index < len(actual):
        raise IndexError(f"patch {index} is outside the input's {len(actual)} patches")
    norms = np.linalg.norm(actual, axis=1)
    query = actual[index]
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = actual @ query / (norms * norms[index])
    similarity = np.where(np.isfinite(similarity), similarity, 0.0)
    return np.clip(similarity, -1.0, 1.0)


def similarity_levels(similarity: np.ndarray, index: int) -> tuple[float, float]:
    """(low, high) for colouring a similarity map [N]: the range of every patch but the chosen one (itself is
    always 1): layer-normed embeddings share a large common part, so all similarities can sit near 0.8 and a
    fixed 0-1 scale would paint every patch alike."""
    others = np.delete(np.asarray(similarity, dtype=np.float64), index)
    if not others.size:
        return 0.0, 1.0
    low, high = float(others.min()), float(others.max())
    return (low, high) if high > low else (low - 1e-3, low + 1e-3)


def similarity_rgba(similarity: np.ndarray, colormap_lut: np.ndarray, alpha: int = 255, levels=(0.0, 1.0)) -> np.ndarray:
    """uint8 [..., 4]: similarities through a colour lookup table [K, 3 or 4], `levels` (low, high) mapped to
    its first and last entries (values outside clipped): how alike each patch is to the chosen one."""
    lut = np.asarray(colormap_lut, dtype=np.uint8)[:, :3]
    low, high = levels
    scaled = np.clip((np.asarray(similarity, dtype=np.float64) - low) / max(high - low, 1e-12), 0.0, 1.0)
    rows = np.round(scaled * (len(lut) - 1)).astype(int)
    rgba = np.empty(scaled.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = lut[rows]
    rgba[..., 3] = alpha
    return rgba
