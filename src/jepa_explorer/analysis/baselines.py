"""Trivial predictors that see no more than the real one: they copy context embeddings.

Their inputs must come from encoding *only the context* (target_encoder(x, [context])), never from
the full-image encoding, where every token has attended to the hidden pixels.
"""

from __future__ import annotations

import numpy as np


def coordinates(indices: np.ndarray, grid_shape: tuple[int, int, int]) -> np.ndarray:
    """Flat (t, row, column) indices -> [K, 3] integer coordinates."""
    return np.stack(np.unravel_index(np.asarray(indices), grid_shape), axis=1)


def nearest_context(context_emb, context_idx, target_idx, grid_shape) -> np.ndarray:
    """Each target patch copies the spatially nearest context patch (ties: the first in index order)."""
    ctx_xyz = coordinates(context_idx, grid_shape).astype(np.float64)
    tgt_xyz = coordinates(target_idx, grid_shape).astype(np.float64)
    dist = ((tgt_xyz[:, None, :] - ctx_xyz[None, :, :]) ** 2).sum(-1)  # [M, K]
    return context_emb[np.argmin(dist, axis=1)]  # argmin returns the first minimum


def mean_context(context_emb, target_count: int) -> np.ndarray:
    return np.repeat(context_emb.mean(axis=0, keepdims=True), target_count, axis=0)


def latest_context_at(context_idx, target_idx, grid_shape) -> np.ndarray:
    """[M]: for each target patch, the position in `context_idx` of the context patch at the same
    (row, column) in the latest time step that has one; -1 where no step has that position."""
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    for k, (t, r, c) in enumerate(coordinates(context_idx, grid_shape)):
        if (r, c) not in latest or t > latest[(r, c)][0]:
            latest[(int(r), int(c))] = (int(t), k)
    return np.array([latest.get((int(r), int(c)), (0, -1))[1] for _, r, c in coordinates(target_idx, grid_shape)], dtype=np.int64)


def last_context_step(context_emb, context_idx, target_idx, grid_shape) -> np.ndarray:
    """Video: copy the same (row, column) from the latest context time step that has it; where no
    step has that position, fall back to the nearest context patch."""
    out = nearest_context(context_emb, context_idx, target_idx, grid_shape).copy()
    hits = latest_context_at(context_idx, target_idx, grid_shape)
    out[hits >= 0] = context_emb[hits[hits >= 0]]
    return out


def baseline_predictions(context_emb, context_idx, target_idx, grid_shape) -> dict[str, np.ndarray]:
    """{'nearest_context', 'mean_context'[, 'last_context_step' for video]}: each [M, D]."""
    out = {
        "nearest_context": nearest_context(context_emb, context_idx, target_idx, grid_shape),
        "mean_context": mean_context(context_emb, len(target_idx)),
    }
    if grid_shape[0] > 1:
        out["last_context_step"] = last_context_step(context_emb, context_idx, target_idx, grid_shape)
    return out
