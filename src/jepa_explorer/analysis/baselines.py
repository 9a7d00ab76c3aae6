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


def last_context_step(context_emb, context_idx, target_idx, grid_shape) -> np.ndarray:
    """Video: copy the same (row, column) from the latest context time step that has it; where no
    step has that position, fall back to the nearest context patch."""
    ctx = coordinates(context_idx, grid_shape)
    fallback = nearest_context(context_emb, context_idx, target_idx, grid_shape)
    out = fallback.copy()
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    for k, (t, r, c) in enumerate(ctx):
        if (r, c) not in latest or t > latest[(r, c)][0]:
            latest[(int(r), int(c))] = (int(t), k)
    for m, (_, r, c) in enumerate(coordinates(target_idx, grid_shape)):
        hit = latest.get((int(r), int(c)))
        if hit is not None:
            out[m] = context_emb[hit[1]]
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
