"""The two batch helpers the official training loops use; same names and semantics, so ported code runs."""

import torch


def apply_masks(x: torch.Tensor, masks: list[torch.Tensor], concat: bool = True):
    """Gather kept tokens: x [B, N, D], each mask [B, K] -> [len(masks)·B, K, D] (or a list if not concat)."""
    gathered = [torch.gather(x, 1, m.unsqueeze(-1).expand(-1, -1, x.size(-1))) for m in masks]
    return torch.cat(gathered, dim=0) if concat else gathered


def repeat_interleave_batch(x: torch.Tensor, batch_size: int, repeat: int) -> torch.Tensor:
    """[G·B, ...] -> [G·repeat·B, ...]: each group of B rows repeated `repeat` times in place."""
    groups = len(x) // batch_size
    return torch.cat(
        [x[g * batch_size : (g + 1) * batch_size].repeat(repeat, *([1] * (x.dim() - 1))) for g in range(groups)],
        dim=0,
    )
