"""Per-patch distances between predicted and actual (layer-normed target-encoder) embeddings."""

from __future__ import annotations

import numpy as np

METRICS = ("loss", "l2", "cosine")
METRIC_LABELS = {"loss": "training loss", "l2": "L2 distance", "cosine": "cosine distance"}


def patch_distances(predicted: np.ndarray, actual: np.ndarray, loss: str = "smooth_l1") -> dict[str, np.ndarray]:
    """[M, D] vs [M, D] -> {'loss', 'l2', 'cosine'}: each [M].

    'loss' is the training loss per patch (smooth-L1 with beta 1 for I-JEPA, L1 for V-JEPA), averaged
    over dimensions, so its mean over patches equals the official loss on these masks."""
    diff = predicted.astype(np.float64) - actual.astype(np.float64)
    if loss == "smooth_l1":
        absdiff = np.abs(diff)
        per_elem = np.where(absdiff < 1.0, 0.5 * diff**2, absdiff - 0.5)
    elif loss == "l1":
        per_elem = np.abs(diff)
    else:
        raise ValueError(f"unknown loss '{loss}'")
    norms = np.linalg.norm(predicted, axis=1) * np.linalg.norm(actual, axis=1)
    cosine = 1.0 - np.einsum("md,md->m", predicted, actual) / np.maximum(norms, 1e-12)
    return {"loss": per_elem.mean(axis=1), "l2": np.linalg.norm(diff, axis=1), "cosine": cosine}


def summarise(values: np.ndarray) -> dict[str, float]:
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return {"mean": float("nan"), "median": float("nan")}
    return {"mean": float(values.mean()), "median": float(np.median(values))}


def layer_norm(x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """The targets' normalisation (F.layer_norm without affine) for numpy arrays."""
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)
