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


# the released V-JEPA mask sets (configs/pretrain): 8 short-range blocks of scale 0.15, 2 long-range of 0.7
DEFAULT_SETS = (
    {"set": "short", "num_blocks": 8, "spatial_scale": [0.15, 0.15], "aspect": [0.75, 1.5], "temporal_scale": [1.0, 1.0]},
    {"set": "long", "num_blocks": 2, "spatial_scale": [0.7, 0.7], "aspect": [0.75, 1.5], "temporal_scale": [1.0, 1.0]},
)


def collate_multiblock3d(batch_size: int, grid: tuple[int, int, int], rng: np.random.Generator, sets=DEFAULT_SETS):
    """(masks_enc, masks_pred): one LongTensor [B, K_i] of context and one [B, M_i] of target indices per
    mask set. As the official collator does, one block shape (aspect) is drawn per set and batch, each
    sample places its blocks, and index lists are cut to the batch's shortest so they stack.
    A set with ``"kind": "future"`` is the future-frames task instead: context = the first k time steps
    (k drawn per batch from ``context_steps`` [lo, hi]), target = the rest."""
    masks_enc, masks_pred = [], []
    for spec in sets:
        spec = dict(spec)
        if spec.get("kind") == "future":
            # the world-model task: the first k steps are context, the rest the target; k per batch
            lo, hi = spec.get("context_steps", [1, grid[0] - 1])
            lo, hi = max(1, min(lo, grid[0] - 1)), max(1, min(hi, grid[0] - 1))  # a shorter clip keeps >= 1 target step
            m = generators.future(grid, context_steps=int(rng.integers(lo, hi + 1)))
            masks_enc.append(torch.from_numpy(m.context_indices()).long().expand(batch_size, -1))
            masks_pred.append(torch.from_numpy(m.target_indices()[0]).long().expand(batch_size, -1))
            continue
        spec.pop("kind", None)
        aspect = spec.pop("aspect", (0.75, 1.5))
        a = float(np.exp(rng.uniform(np.log(aspect[0]), np.log(aspect[1]))))
        kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in spec.items()}
        samples = [
            generators.multiblock3d(grid, seed=int(rng.integers(2**31)), aspect=(a, a), **kwargs) for _ in range(batch_size)
        ]
        contexts = [m.context_indices() for m in samples]
        targets = [m.target_indices()[0] for m in samples]
        keep_context = min(len(c) for c in contexts)
        keep_target = min(len(t) for t in targets)
        masks_enc.append(torch.from_numpy(np.stack([c[:keep_context] for c in contexts])).long())
        masks_pred.append(torch.from_numpy(np.stack([t[:keep_target] for t in targets])).long())
    return masks_enc, masks_pred
