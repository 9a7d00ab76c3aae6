"""Embedding-to-pixel decoder: shows what a (predicted or actual) patch embedding encodes.

It decodes each patch from its own embedding alone (a per-token MLP), so a decoded prediction shows
only what the predictor put into that embedding: no neighbouring patch leaks in. Trained on the
frozen, layer-normed target-encoder outputs of a JEPA.

A video decoder may also take a *reference*: the same patch in the last context frame that shows it.
It then decodes the change from that frame (its last layer starts at zero, so an untrained decoder
copies the frame), and the panel's copy-the-last-frame baseline becomes its starting point rather than
something the embedding has to rebuild pixel by pixel. The reference is context, never target: it
leaks nothing the predictor did not see.
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
    reference: bool = False  # also takes the patch in the last context frame, and decodes the change from it

    def to_dict(self) -> dict:
        return asdict(self)


class PatchDecoder(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.cfg = cfg
        layers: list[nn.Module] = [nn.LayerNorm(cfg.embed_dim, eps=1e-6)]
        # the reference's pixels and a flag saying whether there is one join the normed embedding
        width = cfg.embed_dim + (self.frame_pixels + 1 if cfg.reference else 0)
        for _ in range(cfg.depth):
            layers += [nn.Linear(width, cfg.hidden_dim), nn.GELU()]
            width = cfg.hidden_dim
        layers.append(nn.Linear(width, cfg.tubelet_size * cfg.patch_size**2 * cfg.in_chans))
        self.net = nn.Sequential(*layers)
        _init_weights(self)
        if cfg.reference:
            nn.init.zeros_(self.net[-1].weight)
            nn.init.zeros_(self.net[-1].bias)

    @property
    def frame_pixels(self) -> int:
        return self.cfg.patch_size**2 * self.cfg.in_chans

    def forward(
        self, embeddings: torch.Tensor, reference: torch.Tensor | None = None, present: torch.Tensor | None = None
    ) -> torch.Tensor:
        """[..., D] layer-normed patch embeddings -> [..., (tubelet·)p·p·C] normalised pixels.

        A reference decoder also takes `reference` [..., p·p·C] (one frame of the patch, normalised) and
        `present` [...] bool (False where no context frame shows the patch); without them it decodes from
        the embedding alone."""
        if not self.cfg.reference:
            return self.net(embeddings)
        if reference is None:
            reference = embeddings.new_zeros(*embeddings.shape[:-1], self.frame_pixels)
            present = torch.zeros(embeddings.shape[:-1], dtype=torch.bool, device=embeddings.device)
        elif present is None:
            present = torch.ones(reference.shape[:-1], dtype=torch.bool, device=reference.device)
        flag = present.to(embeddings.dtype).unsqueeze(-1)
        reference = reference * flag
        h = torch.cat([self.net[0](embeddings), reference, flag], dim=-1)
        # pixels inside a token are (frame, row, col, channel): the frame repeats once per tubelet frame
        return self.net[1:](h) + reference.repeat(*([1] * (reference.dim() - 1)), self.cfg.tubelet_size)
