"""uint8 frames -> the normalised tensors the model takes, using the card's mean/std."""

from __future__ import annotations

import numpy as np
import torch

from jepa_explorer.errors import MediaError
from jepa_explorer.media.images import fit_square


def image_tensor(rgb: np.ndarray, size: int, mean, std) -> torch.Tensor:
    """uint8 [H, W, 3] (any size) -> float [1, 3, size, size], normalised."""
    square = rgb if rgb.shape[:2] == (size, size) else fit_square(rgb, size)
    x = torch.from_numpy(square).float().div_(255.0).permute(2, 0, 1)
    x = (x - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    return x.unsqueeze(0)


def clip_tensor(frames: np.ndarray, size: int, num_frames: int, mean, std) -> torch.Tensor:
    """uint8 [T, H, W, 3] with exactly `num_frames` frames -> float [1, 3, T, size, size]."""
    if frames.ndim != 4 or frames.shape[0] != num_frames:
        raise MediaError(f"the clip has {frames.shape[0] if frames.ndim == 4 else '?'} frames; the model takes {num_frames}.")
    per_frame = [image_tensor(f, size, mean, std)[0] for f in frames]  # each [3, size, size]
    return torch.stack(per_frame, dim=1).unsqueeze(0)


def denormalise(x: torch.Tensor, mean, std) -> np.ndarray:
    """float [3, H, W] normalised -> uint8 [H, W, 3] (for showing what the model saw)."""
    x = x.detach().cpu() * torch.tensor(std).view(3, 1, 1) + torch.tensor(mean).view(3, 1, 1)
    return (x.clamp(0, 1).permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
