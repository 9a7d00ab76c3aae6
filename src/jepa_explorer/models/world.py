"""The world model: a ViT encoder to one latent per frame, an action-conditioned causal predictor, SIGReg,
and a latent-to-frame decoder (LeWorldModel's recipe at toy scale).

- Encoder: `models/vit.py`'s VisionTransformer over the frame's patch tokens, then spatial-softmax keypoints
  (each an attention-weighted mean of the token centres, so positions stay linear in the latent) and/or the
  token grid flattened through an MLP projector (LeWorldModel's), concatenated into one latent.
- Predictor: a causal transformer over the latent history; the action enters every block through
  AdaLN-zero (scale, shift and gate from the action), so it cannot be ignored by attention; it predicts
  the change of the latent (row t: the latent after action t, from rows <= t). A KV cache makes one
  imagined step cost one token.
- SIGReg: the latents of a batch are pushed towards an isotropic Gaussian along random 1-D projections
  (Epps-Pulley test on the characteristic function), which rules out collapse without a target encoder.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.vit import VisionTransformer


def _init_weights(module: nn.Module, std: float = 0.02) -> None:
    # as the ViT's init; the predictor's norms carry no affine parameters (AdaLN supplies them)
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.trunc_normal_(m.weight, std=std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


# ---------------------------------------------------------------- configs


@dataclass(frozen=True)
class WorldConfig:
    encoder: ViTConfig
    latent_dim: int = 64
    projector_dim: int = 256
    predictor_dim: int = 128
    predictor_depth: int = 3
    predictor_heads: int = 4
    action_dim: int = 2
    max_history: int = 16  # positions the predictor knows; longer rollouts slide a window
    keypoints: int = 0  # latent dims given to spatial-softmax keypoints (2 per keypoint), the rest to the MLP
    keypoint_detach: bool = False  # the keypoints read the token grid without pulling on the encoder
    mean: tuple = (0.5, 0.5, 0.5)
    std: tuple = (0.25, 0.25, 0.25)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["encoder"] = self.encoder.to_dict()
        d["mean"], d["std"] = list(self.mean), list(self.std)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> WorldConfig:
        d = dict(d)
        d["encoder"] = ViTConfig.from_dict(d["encoder"])
        d["mean"], d["std"] = tuple(d.get("mean", cls.mean)), tuple(d.get("std", cls.std))
        return cls(**d)


# ---------------------------------------------------------------- encoder


class WorldEncoder(nn.Module):
    """uint8-range frames [B, 3, S, S] (normalised) -> latents [B, latent_dim]."""

    def __init__(self, cfg: WorldConfig):
        super().__init__()
        self.vit = VisionTransformer(cfg.encoder)
        width = cfg.encoder.embed_dim * cfg.encoder.num_patches
        self.keypoints, self.keypoint_detach = cfg.keypoints, cfg.keypoint_detach
        rest = cfg.latent_dim - 2 * cfg.keypoints
        if rest < 0:
            raise ValueError(f"{cfg.keypoints} keypoints need {2 * cfg.keypoints} latent dims; latent_dim is {cfg.latent_dim}")
        # LeWorldModel's projector: an MLP with BatchNorm (SIGReg acts on its output)
        self.projector = None
        if rest:
            self.projector = nn.Sequential(
                nn.Linear(width, cfg.projector_dim),
                nn.BatchNorm1d(cfg.projector_dim),
                nn.GELU(),
                nn.Linear(cfg.projector_dim, rest),
            )
            _init_weights(self.projector)
        if cfg.keypoints:
            # spatial softmax over the token grid: each keypoint is an attention-weighted mean of the token
            # centres plus a per-token offset, so its coordinates are linear in where it looks
            g = cfg.encoder.grid_size
            rows, cols = torch.meshgrid(torch.arange(g), torch.arange(g), indexing="ij")
            centres = torch.stack([cols, rows], -1).reshape(-1, 2).float()
            self.register_buffer("centres", (centres - (g - 1) / 2) / (g / math.sqrt(12)), persistent=False)
            self.attend = nn.Linear(cfg.encoder.embed_dim, cfg.keypoints)
            self.offset = nn.Linear(cfg.encoder.embed_dim, 2 * cfg.keypoints)
            _init_weights(self.offset)
            _init_weights(self.attend, std=0.3)  # peaked from the start: a flat softmax has no gradient to grow

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = self.vit(x)
        parts = []
        if self.keypoints:
            seen = tokens.detach() if self.keypoint_detach else tokens
            w = self.attend(seen).softmax(dim=1)  # [B, N, K]: where each keypoint looks
            spots = self.centres[None, :, None, :] + self.offset(seen).unflatten(-1, (self.keypoints, 2))
            parts.append((w.unsqueeze(-1) * spots).sum(1).flatten(1))
        if self.projector is not None:
            parts.append(self.projector(tokens.flatten(1)))
        return torch.cat(parts, dim=1) if len(parts) > 1 else parts[0]


# ---------------------------------------------------------------- predictor


class AdaBlock(nn.Module):
    """Pre-norm transformer block whose norms are modulated by the action (AdaLN-zero: the modulation
    starts at zero, so an untrained block is the identity). Causal self-attention, optional KV cache."""

    def __init__(self, dim: int, heads: int, cond_dim: int):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
        self.ada = nn.Sequential(nn.SiLU(), nn.Linear(cond_dim, 6 * dim))

    def forward(self, x, cond, cache: dict | None = None):
        """x [B, N, D] new tokens, cond [B, N, C]; with `cache` the keys and values of earlier tokens are
        read from it and the new ones appended (x then holds only the new tokens)."""
        shift1, scale1, gate1, shift2, scale2, gate2 = self.ada(cond).chunk(6, dim=-1)
        h = self.norm1(x) * (1 + scale1) + shift1
        B, N, D = h.shape
        q, k, v = self.qkv(h).reshape(B, N, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        if cache is not None:
            k, v = _cache_append(cache, k, v)
        past = k.shape[2] - N
        # causal: new token i may see every cached token and new tokens <= i
        mask = torch.ones(N, k.shape[2], dtype=torch.bool, device=x.device).tril(diagonal=past)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + gate1 * self.proj(a.transpose(1, 2).reshape(B, N, D))
        h = self.norm2(x) * (1 + scale2) + shift2
        return x + gate2 * self.mlp(h)


def _cache_append(cache: dict, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Write the new keys and values into the cache's buffers (allocated once, `cache["capacity"]` long,
    so that a rollout does not copy the whole history at every step); returns all keys and values so far."""
    n, new = cache.get("n", 0), k.shape[2]
    if "k" not in cache or n + new > cache["k"].shape[2] or cache["k"].shape[0] != k.shape[0]:
        capacity = max(cache.get("capacity", 0), n + new)
        buf_k = k.new_empty(k.shape[0], k.shape[1], capacity, k.shape[3])
        buf_v = torch.empty_like(buf_k)
        if n:
            buf_k[:, :, :n], buf_v[:, :, :n] = cache["k"][:, :, :n], cache["v"][:, :, :n]
        cache["k"], cache["v"] = buf_k, buf_v
    cache["k"][:, :, n : n + new], cache["v"][:, :, n : n + new] = k, v
    cache["n"] = n + new
    return cache["k"][:, :, : n + new], cache["v"][:, :, : n + new]


def expanded_cache(cache: dict, n: int, capacity: int) -> dict:
    """A cache for n samples whose first rows are a batch-1 cache's (fresh buffers: the samples then diverge)."""
    if "k" not in cache:
        return {"capacity": capacity}
    rows = cache["n"]
    shape = (n, cache["k"].shape[1], capacity, cache["k"].shape[3])
    k, v = cache["k"].new_empty(shape), cache["v"].new_empty(shape)
    k[:, :, :rows], v[:, :, :rows] = cache["k"][:, :, :rows], cache["v"][:, :, :rows]
    return {"k": k, "v": v, "n": rows, "capacity": capacity}


class WorldPredictor(nn.Module):
    """latents [B, T, L], actions [B, T, 2] -> predicted next latents [B, T, L] (row t sees rows <= t)."""

    def __init__(self, cfg: WorldConfig):
        super().__init__()
        self.cfg = cfg
        dim = cfg.predictor_dim
        self.embed = nn.Linear(cfg.latent_dim, dim)
        self.pos = nn.Parameter(torch.zeros(1, cfg.max_history, dim))
        self.action_embed = nn.Sequential(nn.Linear(cfg.action_dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.blocks = nn.ModuleList(AdaBlock(dim, cfg.predictor_heads, dim) for _ in range(cfg.predictor_depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, cfg.latent_dim)
        _init_weights(self)
        nn.init.trunc_normal_(self.pos, std=0.02)
        for block in self.blocks:  # AdaLN-zero
            nn.init.zeros_(block.ada[-1].weight)
            nn.init.zeros_(block.ada[-1].bias)

    def forward(self, z, actions, start: int = 0, caches: list | None = None):
        """`start`: the position of z's first row (with caches holding the rows before it)."""
        n = z.shape[1]
        if start + n > self.cfg.max_history:
            raise ValueError(f"history of {start + n} latents exceeds the predictor's {self.cfg.max_history}")
        x = self.embed(z) + self.pos[:, start : start + n]
        cond = self.action_embed(actions)
        for i, block in enumerate(self.blocks):
            x = block(x, cond, None if caches is None else caches[i])
        return z + self.head(self.norm(x))  # the change of the latent: copying is the easy default


# ---------------------------------------------------------------- decoder


class WorldDecoder(nn.Module):
    """latent [B, L] -> normalised frame [B, 3, S, S] (trained on frozen latents; shows imagined states)."""

    def __init__(self, latent_dim: int, size: int, width: int = 64):
        super().__init__()
        self.size, self.width = size, width
        self.base = size // 8
        self.fc = nn.Sequential(nn.Linear(latent_dim, 512), nn.GELU(), nn.Linear(512, width * self.base**2))
        self.up = nn.Sequential(
            nn.ConvTranspose2d(width, 48, 4, 2, 1), nn.GELU(),
            nn.ConvTranspose2d(48, 32, 4, 2, 1), nn.GELU(),
            nn.ConvTranspose2d(32, 16, 4, 2, 1), nn.GELU(),
            nn.Conv2d(16, 3, 3, 1, 1),
        )  # fmt: skip

    def forward(self, z):
        x = self.fc(z).reshape(len(z), self.width, self.base, self.base)
        return self.up(x)


# ---------------------------------------------------------------- SIGReg


def sigreg(
    z: torch.Tensor, generator: torch.Generator | None = None, slices: int = 256, knots: int = 17, t_max: float = 3.0
) -> torch.Tensor:
    """Sketched isotropic Gaussian regulariser (LeJEPA / LeWorldModel) of latents [N, L]: the Epps-Pulley
    distance between each random 1-D projection's empirical characteristic function and N(0, 1)'s,
    averaged over `slices` directions. Zero for N(0, I) latents; large for collapsed ones."""
    directions = torch.randn(z.shape[1], slices, generator=generator).to(z)
    directions = directions / directions.norm(dim=0, keepdim=True)
    proj = z @ directions  # [N, M]
    t = torch.linspace(0, t_max, knots, device=z.device, dtype=z.dtype)
    phi = torch.exp(-0.5 * t**2)
    xt = proj.unsqueeze(-1) * t  # [N, M, K]
    err = (xt.cos().mean(0) - phi) ** 2 + xt.sin().mean(0) ** 2  # [M, K]
    return (torch.trapezoid(err * phi, t, dim=-1) * len(z)).mean()


def effective_rank(z: torch.Tensor) -> float:
    """exp(entropy of the normalised singular values) of centred latents [N, L]."""
    s = torch.linalg.svdvals((z - z.mean(0)).double())
    p = s / s.sum()
    p = p[p > 0]
    return float(math.exp(-(p * p.log()).sum()))
