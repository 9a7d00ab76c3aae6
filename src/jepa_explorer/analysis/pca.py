"""PCA views of patch embeddings: a basis fitted on the input's actual patches, predictions projected in it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class PcaBasis:
    mean: np.ndarray  # [D]
    components: np.ndarray  # [k, D]
    explained_variance_ratio: np.ndarray  # [k]
    low: np.ndarray  # [k] 1st percentile of the fitted points, for colour scaling
    high: np.ndarray  # [k] 99th percentile

    def project(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.mean) @ self.components.T

    def to_rgb(self, x: np.ndarray) -> np.ndarray:
        """[N, D] -> uint8 [N, 3]: the first three components scaled by the fitted points' range."""
        coords = self.project(x)[:, :3]
        if coords.shape[1] < 3:
            coords = np.pad(coords, ((0, 0), (0, 3 - coords.shape[1])))
        low, high = np.resize(self.low, 3), np.resize(self.high, 3)
        scaled = (coords - low) / np.maximum(high - low, 1e-12)
        return (np.clip(scaled, 0, 1) * 255 + 0.5).astype(np.uint8)


def fit_pca(actual: np.ndarray, n_components: int = 3, seed: int = 0) -> PcaBasis:
    """Fit on [N, D] actual patch embeddings (scikit-learn, deterministic solver)."""
    from sklearn.decomposition import PCA

    k = max(1, min(n_components, actual.shape[0] - 1, actual.shape[1])) if actual.shape[0] > 1 else 1
    pca = PCA(n_components=k, svd_solver="full", random_state=seed).fit(np.asarray(actual, dtype=np.float64))
    components = pca.components_.copy()
    # fix each component's sign so colours do not flip between runs or machines
    signs = np.sign(components[np.arange(k), np.abs(components).argmax(axis=1)])
    components *= signs[:, None]
    basis = PcaBasis(pca.mean_, components, pca.explained_variance_ratio_, np.zeros(k), np.ones(k))
    coords = basis.project(actual)
    basis.low, basis.high = np.percentile(coords, 1, axis=0), np.percentile(coords, 99, axis=0)
    return basis


def nearest_patch(predicted: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """For each predicted embedding [M, D], the index of the closest actual patch embedding [N, D] (L2)."""
    d2 = (predicted**2).sum(1)[:, None] - 2 * predicted @ actual.T + (actual**2).sum(1)[None, :]
    return np.argmin(d2, axis=1)
