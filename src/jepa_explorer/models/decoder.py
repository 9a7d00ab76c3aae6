"""Embedding-to-pixel decoder: shows what a (predicted or actual) patch embedding encodes.

It decodes each patch from its own embedding alone (a per-token MLP), so a decoded prediction shows
only what the predictor put into that embedding: no neighbouring patch leaks in. Trained on the
frozen, layer-normed target-encoder outputs of a JEPA.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn

from jepa_explorer.models.vit import _init_weights


@dataclass(frozen=True)
class DecoderConfig:
    embed_dim: int = 192
    hidden_dim: int = 768
    depth: int = 2  # hidden layers
    patch_size: int = 8
    in_chans: int = 3
    tubelet_size: int = 1  # video: one token holds `tubelet_size` frames of its patch

    def to_dict(self) -> dict:
        return asdict(self)


class PatchDecoder(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.cfg = cfg
        layers: list[nn.Module] = [nn.LayerNorm(cfg.embed_dim, eps=1e-6)]
        width = cfg.embed_dim
        for _ in range(cfg.depth):
            layers += [nn.Linear(width, cfg.hidden_dim), nn.GELU()]
            width = cfg.hidden_dim
        layers.append(nn.Linear(width, cfg.tubelet_size * cfg.patch_size**2 * cfg.in_chans))
        self.net = nn.Sequential(*layers)
        _init_weights(self)

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        """[..., D] layer-normed patch embeddings -> [..., (tubelet·)p·p·C] normalised pixels."""
        return self.net(embeddings)
