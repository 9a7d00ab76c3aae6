"""A small MAE (masked autoencoder) on the same input size and patch grid as the JEPA, for the
pixel-reconstruction comparison: what a generative model reconstructs for the same masks.

The encoder is the same ViT as the JEPA's (it sees only the visible = context patches); a light
decoder fills in mask tokens and regresses the normalised pixels of every patch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn

from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.vit import Block, VisionTransformer, _init_weights, _sincos_table


@dataclass(frozen=True)
class MaeDecoderConfig:
    embed_dim: int = 128
    depth: int = 2
    num_heads: int = 4
    mlp_ratio: float = 4.0

    def to_dict(self) -> dict:
        return asdict(self)


def patchify(x: torch.Tensor, patch: int) -> torch.Tensor:
    """[B, C, H, W] -> [B, N, patch·patch·C], tokens row-major, pixels (row, col, channel) inside."""
    b, c, h, w = x.shape
    x = x.reshape(b, c, h // patch, patch, w // patch, patch)
    return x.permute(0, 2, 4, 3, 5, 1).reshape(b, (h // patch) * (w // patch), patch * patch * c)


def unpatchify(tokens: torch.Tensor, patch: int, channels: int = 3) -> torch.Tensor:
    """[B, N, patch·patch·C] -> [B, C, H, W] (square grid)."""
    b, n, _ = tokens.shape
    g = int(round(n**0.5))
    x = tokens.reshape(b, g, g, patch, patch, channels)
    return x.permute(0, 5, 1, 3, 2, 4).reshape(b, channels, g * patch, g * patch)


def patchify_video(x: torch.Tensor, patch: int, tubelet: int) -> torch.Tensor:
    """[B, C, T, H, W] -> [B, N, tubelet·patch·patch·C], tokens ordered (t, row, col) as the 3-D encoder
    orders them, pixels (frame, row, col, channel) inside."""
    b, c, t, h, w = x.shape
    x = x.reshape(b, c, t // tubelet, tubelet, h // patch, patch, w // patch, patch)
    x = x.permute(0, 2, 4, 6, 3, 5, 7, 1)
    return x.reshape(b, (t // tubelet) * (h // patch) * (w // patch), tubelet * patch * patch * c)


def unpatchify_video(tokens: torch.Tensor, grid: tuple[int, int, int], patch: int, tubelet: int, channels: int = 3):
    """[B, N, tubelet·patch·patch·C] -> [B, C, T, H, W] for a (steps, rows, cols) token grid."""
    b = tokens.shape[0]
    steps, rows, cols = grid
    x = tokens.reshape(b, steps, rows, cols, tubelet, patch, patch, channels)
    x = x.permute(0, 7, 1, 4, 2, 5, 3, 6)
    return x.reshape(b, channels, steps * tubelet, rows * patch, cols * patch)


class MaskedAutoencoder(nn.Module):
    def __init__(self, encoder_cfg: ViTConfig, decoder_cfg: MaeDecoderConfig = MaeDecoderConfig()):
        super().__init__()
        self.encoder_cfg, self.decoder_cfg = encoder_cfg, decoder_cfg
        self.encoder = VisionTransformer(encoder_cfg)
        dd = decoder_cfg.embed_dim
        self.decoder_embed = nn.Linear(encoder_cfg.embed_dim, dd)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dd))
        self.decoder_pos_embed = nn.Parameter(_sincos_table(encoder_cfg, dd), requires_grad=False)
        self.decoder_blocks = nn.ModuleList(
            Block(dd, decoder_cfg.num_heads, decoder_cfg.mlp_ratio) for _ in range(decoder_cfg.depth)
        )
        self.decoder_norm = nn.LayerNorm(dd, eps=1e-6)
        self.decoder_pred = nn.Linear(dd, encoder_cfg.patch_size**2 * encoder_cfg.in_chans)
        _init_weights(self)
        nn.init.normal_(self.mask_token, std=0.02)

    def forward(self, x: torch.Tensor, visible: torch.Tensor) -> torch.Tensor:
        """x [B, C, H, W], visible LongTensor[B, K] -> predicted normalised pixels for every patch [B, N, p·p·C]."""
        latent = self.decoder_embed(self.encoder(x, [visible]))  # [B, K, Dd]
        b, n = x.shape[0], self.encoder_cfg.num_patches
        tokens = self.mask_token.expand(b, n, -1).clone()
        tokens.scatter_(1, visible.unsqueeze(-1).expand(-1, -1, latent.size(-1)), latent)
        tokens = tokens + self.decoder_pos_embed
        for block in self.decoder_blocks:
            tokens = block(tokens)
        return self.decoder_pred(self.decoder_norm(tokens))

    def loss(self, x: torch.Tensor, visible: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
        """Mean squared error on the hidden patches only (pixels in the input's normalisation)."""
        pred = self.forward(x, visible)
        target = patchify(x, self.encoder_cfg.patch_size)
        gather = hidden.unsqueeze(-1).expand(-1, -1, pred.size(-1))
        return ((torch.gather(pred, 1, gather) - torch.gather(target, 1, gather)) ** 2).mean()
