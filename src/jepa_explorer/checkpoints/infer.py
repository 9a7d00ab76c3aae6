"""Architecture from weights alone, so that any official checkpoint loads without a config file.

The weights fix widths, depths, patch and tubelet sizes and the token count N. They do not fix the
number of heads (taken from the official width table, else an override) nor, for video, how N splits
into frames and grid (decoded from the saved sin-cos table, else the official 16-frame convention,
else an override). Every choice that is not read off a tensor is written into `notes`.
"""

from __future__ import annotations

import math
import re

import numpy as np
import torch

from jepa_explorer.errors import CheckpointError
from jepa_explorer.models.config import OFFICIAL_HEADS, PredictorConfig, ViTConfig
from jepa_explorer.models.pos_embed import sincos_2d, sincos_3d


def _count_blocks(state: dict, prefix: str) -> int:
    pattern = re.compile(rf"^{re.escape(prefix)}\.(\d+)(\.|$)")
    ids = {int(m.group(1)) for k in state if (m := pattern.match(k))}
    return max(ids) + 1 if ids else 0


def _require(state: dict, key: str, where: str) -> torch.Tensor:
    if key not in state:
        sample = ", ".join(sorted(state)[:8])
        raise CheckpointError(f"{where}: missing '{key}' (has: {sample}{', …' if len(state) > 8 else ''}).")
    return state[key]


def _heads(width: int, override: int | None, what: str, notes: list[str]) -> int:
    if override:
        if width % override:
            raise CheckpointError(f"{what}: width {width} is not divisible by {override} heads; pick another head count.")
        notes.append(f"{what}: {override} heads (given explicitly)")
        return override
    if width in OFFICIAL_HEADS:
        return OFFICIAL_HEADS[width]
    heads = max(1, width // 64) if width % 64 == 0 else 1
    notes.append(
        f"{what}: width {width} is not an official size, so the head count is not known from the weights; "
        f"using {heads} (head dim 64). Pass num_heads (--heads) if the model was trained with another."
    )
    return heads


def _matches(saved: np.ndarray, table: np.ndarray) -> bool:
    return saved.shape == table.shape and np.allclose(saved, table, atol=1e-4)


def _video_grid(
    pos: np.ndarray, tubelet: int, num_frames: int | None, uniform_hint: bool | None, notes: list[str]
) -> tuple[int, int, bool]:
    """(grid_depth, grid_size, uniform_power) for N tokens of a 3-D tubelet model."""
    n, dim = pos.shape
    candidates = [(n // (g * g), g) for g in range(1, int(math.isqrt(n)) + 1) if n % (g * g) == 0]
    if num_frames:
        depth = num_frames // tubelet
        g = math.isqrt(n // depth) if n % depth == 0 else 0
        if g * g * depth != n:
            raise CheckpointError(f"{num_frames} frames (tubelet {tubelet}) do not divide the {n} tokens into a square grid.")
        notes.append(f"frames: {num_frames} (given explicitly)")
        uniform = _uniform_power(pos, depth, g, uniform_hint)
        return depth, g, uniform
    # the saved sin-cos table encodes time and space separately: find the factorisation it was built for
    for depth, g in candidates:
        for uniform in (False, True):
            if _matches(pos, sincos_3d(dim, g, depth, uniform)):
                return depth, g, uniform
    depth16 = 16 // tubelet if 16 % tubelet == 0 else 0
    if depth16 and n % depth16 == 0 and math.isqrt(n // depth16) ** 2 == n // depth16:
        notes.append("frames: 16 assumed (official convention); pos_embed is not a standard sin-cos table")
        return depth16, math.isqrt(n // depth16), bool(uniform_hint)
    options = ", ".join(f"{d * tubelet} frames × {g * g} patches" for d, g in candidates)
    raise CheckpointError(
        f"cannot tell how the {n} video tokens split into frames and a spatial grid ({options}); "
        "pass num_frames (--frames) or put a card.json with 'num_frames' beside the checkpoint."
    )


def _uniform_power(pos: np.ndarray, depth: int, g: int, hint: bool | None) -> bool:
    if hint is not None:
        return hint
    return _matches(pos, sincos_3d(pos.shape[1], g, depth, True))


def infer_encoder_config(
    state: dict,
    *,
    num_heads: int | None = None,
    num_frames: int | None = None,
    uniform_power: bool | None = None,
    notes: list[str] | None = None,
    where: str = "encoder",
) -> ViTConfig:
    """ViTConfig from an encoder state dict with prefixes already stripped."""
    notes = notes if notes is not None else []
    proj = _require(state, "patch_embed.proj.weight", where)
    pos = _require(state, "pos_embed", where)
    if pos.dim() != 3 or pos.shape[0] != 1:
        raise CheckpointError(f"{where}: pos_embed has shape {tuple(pos.shape)}, expected (1, N, D).")
    n_tokens, dim = pos.shape[1], pos.shape[2]
    depth = _count_blocks(state, "blocks")
    if depth == 0:
        raise CheckpointError(f"{where}: no 'blocks.N.*' keys — this is not a ViT encoder.")
    if proj.shape[0] != dim:
        raise CheckpointError(f"{where}: patch_embed.proj.weight has width {proj.shape[0]} but pos_embed {dim}.")
    fc1 = _require(state, "blocks.0.mlp.fc1.weight", where)
    mlp_ratio = fc1.shape[0] / dim
    qkv_bias = "blocks.0.attn.qkv.bias" in state
    heads = _heads(dim, num_heads, where, notes)
    saved = pos[0].float().numpy()
    shared = dict(embed_dim=dim, depth=depth, num_heads=heads, in_chans=proj.shape[1], mlp_ratio=mlp_ratio, qkv_bias=qkv_bias)

    if proj.dim() == 5:  # Conv3d: V-JEPA tubelets
        tubelet, patch = proj.shape[2], proj.shape[3]
        grid_depth, grid, uniform = _video_grid(saved, tubelet, num_frames, uniform_power, notes)
        return ViTConfig(
            img_size=grid * patch,
            patch_size=patch,
            num_frames=grid_depth * tubelet,
            tubelet_size=tubelet,
            video=True,
            uniform_power=uniform,
            **shared,
        )
    if proj.dim() != 4:
        raise CheckpointError(f"{where}: patch_embed.proj.weight has {proj.dim()} dims; expected 4 (image) or 5 (video).")
    grid = math.isqrt(n_tokens)
    if grid * grid != n_tokens:
        raise CheckpointError(f"{where}: {n_tokens} position embeddings do not form a square patch grid.")
    if not any(_matches(saved, sincos_2d(dim, grid, first)) for first in (True, False)):
        notes.append(f"{where}: pos_embed is not the standard 2-D sin-cos table; the saved one is used")
    patch = proj.shape[2]
    return ViTConfig(img_size=grid * patch, patch_size=patch, **shared)


def infer_predictor_config(
    state: dict, encoder_cfg: ViTConfig, *, num_heads: int | None = None, notes: list[str] | None = None
) -> PredictorConfig:
    """PredictorConfig from a predictor state dict (prefixes stripped); the style follows the mask-token keys."""
    notes = notes if notes is not None else []
    embed = _require(state, "predictor_embed.weight", "predictor")
    pos = _require(state, "predictor_pos_embed", "predictor")
    depth = _count_blocks(state, "predictor_blocks")
    if depth == 0:
        raise CheckpointError("predictor: no 'predictor_blocks.N.*' keys.")
    width, in_dim = embed.shape
    if in_dim != encoder_cfg.embed_dim:
        raise CheckpointError(
            f"predictor: predictor_embed.weight takes width {in_dim} but the encoder is {encoder_cfg.embed_dim} wide; "
            "the predictor belongs to another model."
        )
    if pos.shape[1] != encoder_cfg.num_patches:
        raise CheckpointError(
            f"predictor: predictor_pos_embed has {pos.shape[1]} positions but the encoder has {encoder_cfg.num_patches} patches."
        )
    # the official factories give the predictor the encoder's head count
    heads = num_heads or (
        encoder_cfg.num_heads if width % encoder_cfg.num_heads == 0 else _heads(width, None, "predictor", notes)
    )
    n_tokens = _count_blocks(state, "mask_tokens")
    if "mask_token" in state:
        style, use_tokens, n_tokens = "ijepa", True, 1
    else:
        style, use_tokens = "vjepa", n_tokens > 0
    fc1 = _require(state, "predictor_blocks.0.mlp.fc1.weight", "predictor")
    return PredictorConfig(
        style=style,
        embed_dim=in_dim,
        predictor_embed_dim=width,
        depth=depth,
        num_heads=heads,
        num_patches=pos.shape[1],
        use_mask_tokens=use_tokens,
        num_mask_tokens=max(n_tokens, 1),
        mlp_ratio=fc1.shape[0] / width,
        qkv_bias="predictor_blocks.0.attn.qkv.bias" in state,
    )
