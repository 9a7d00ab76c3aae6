"""Batched masks for training, collated as the official I-JEPA collator does: per sample masks from
the seeded generator, then every index list cut to the batch's shortest so they stack."""

from __future__ import annotations

import numpy as np
import torch

from jepa_explorer.masks import generators


def collate_multiblock(batch_size: int, grid: tuple[int, int, int], rng: np.random.Generator, **kwargs):
    """(masks_enc [1 × LongTensor[B, Kc]], masks_pred [npred × LongTensor[B, Kp]])."""
    samples = [generators.multiblock(grid, seed=int(rng.integers(2**31)), **kwargs) for _ in range(batch_size)]
    contexts = [m.context_indices() for m in samples]
    targets = [m.target_indices() for m in samples]
    keep_context = min(len(c) for c in contexts)
    keep_target = min(len(t) for group in targets for t in group)
    masks_enc = [torch.from_numpy(np.stack([c[:keep_context] for c in contexts])).long()]
    npred = len(targets[0])
    masks_pred = [torch.from_numpy(np.stack([t[k][:keep_target] for t in targets])).long() for k in range(npred)]
    return masks_enc, masks_pred


def collate_mae(
    batch_size: int, grid: tuple[int, int, int], rng: np.random.Generator, ratio: float = 0.75, block_fraction: float = 0.5
):
    """(visible LongTensor[B, K], hidden LongTensor[B, M]): MAE random masks, and for `block_fraction` of
    batches multiblock-shaped ones, so the MAE has seen the masks the app shows it."""
    if rng.random() < block_fraction:
        enc, pred = collate_multiblock(batch_size, grid, rng)
        visible = enc[0]
        n = int(np.prod(grid))
        hidden_rows = []
        for row in visible.numpy():
            hidden = np.setdiff1d(np.arange(n), row)
            hidden_rows.append(hidden)
        keep = min(len(h) for h in hidden_rows)
        return visible, torch.from_numpy(np.stack([h[:keep] for h in hidden_rows])).long()
    n = int(np.prod(grid))
    n_hidden = int(round(n * ratio))
    order = np.argsort(rng.random((batch_size, n)), axis=1)
    return torch.from_numpy(np.sort(order[:, n_hidden:], axis=1)).long(), torch.from_numpy(
        np.sort(order[:, :n_hidden], axis=1)
    ).long()
