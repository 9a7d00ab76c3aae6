"""ViT encoder and JEPA predictors with the official parameter names and forward signatures.

State dicts saved by facebookresearch/ijepa and facebookresearch/jepa load into these modules as they
are (after the loader strips `module.` / `module.backbone.` prefixes). Anything that is not in the
official models (caching, distances, decoding) lives outside this file.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from jepa_explorer.models.config import PredictorConfig, ViTConfig
from jepa_explorer.models.pos_embed import sincos_2d, sincos_3d
from jepa_explorer.models.tensors import apply_masks, repeat_interleave_batch

# ---------------------------------------------------------------- building blocks


class MLP(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Attention(nn.Module):
    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, return_attention: bool = False, attn_mask=None):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # [B, heads, N, head_dim]
        if return_attention:
            return ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        # the fused kernel equals the official explicit softmax(qk^T)v to ~1e-7 in fp32 and saves memory
        # attn_mask (bool, True = may be attended to): padding or other groups, see _PredictorBase.group_inputs
        x = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        return self.proj(x.transpose(1, 2).reshape(B, N, C))


class Block(nn.Module):
    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0, qkv_bias: bool = True, eps: float = 1e-6):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads, qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = MLP(dim, int(dim * mlp_ratio))

    def forward(self, x, return_attention: bool = False, mask=None, attn_mask=None):
        # `mask` is accepted (and ignored) as in the official V-JEPA blocks
        if return_attention:
            return self.attn(self.norm1(x), return_attention=True)
        x = x + self.attn(self.norm1(x), attn_mask=attn_mask)
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch_size: int, in_chans: int, embed_dim: int):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):  # [B, C, H, W] -> [B, N, D]
        return self.proj(x).flatten(2).transpose(1, 2)


class PatchEmbed3D(nn.Module):
    def __init__(self, patch_size: int, tubelet_size: int, in_chans: int, embed_dim: int):
        super().__init__()
        self.patch_size, self.tubelet_size = patch_size, tubelet_size
        size = (tubelet_size, patch_size, patch_size)
        self.proj = nn.Conv3d(in_chans, embed_dim, kernel_size=size, stride=size)

    def forward(self, x):  # [B, C, T, H, W] -> [B, N, D], tokens ordered (t, h, w)
        return self.proj(x).flatten(2).transpose(1, 2)


def _init_weights(module: nn.Module, std: float = 0.02) -> None:
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.Conv3d)):
            nn.init.trunc_normal_(m.weight, std=std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def _rescale_blocks(blocks: nn.ModuleList) -> None:
    # official init: shrink residual branches with depth
    for layer_id, block in enumerate(blocks, start=1):
        block.attn.proj.weight.data.div_(math.sqrt(2.0 * layer_id))
        block.mlp.fc2.weight.data.div_(math.sqrt(2.0 * layer_id))


def _sincos_table(cfg: ViTConfig, dim: int) -> torch.Tensor:
    if cfg.video:
        table = sincos_3d(dim, cfg.grid_size, cfg.grid_depth, cfg.uniform_power)
    else:
        table = sincos_2d(dim, cfg.grid_size)
    return torch.from_numpy(table).float().unsqueeze(0)


# ---------------------------------------------------------------- encoder


class VisionTransformer(nn.Module):
    """Encoder: `encoder(x, masks=None)`; masks is a list of LongTensor[B, K] of kept patch indices and the
    output is `[len(masks)·B, K, D]` (all tokens when masks is None), after the final `norm`."""

    def __init__(self, cfg: ViTConfig):
        super().__init__()
        self.cfg = cfg
        self.num_features = self.embed_dim = cfg.embed_dim
        self.num_heads = cfg.num_heads
        self.patch_size = cfg.patch_size
        if cfg.video:
            self.patch_embed = PatchEmbed3D(cfg.patch_size, cfg.tubelet_size, cfg.in_chans, cfg.embed_dim)
        else:
            self.patch_embed = PatchEmbed(cfg.patch_size, cfg.in_chans, cfg.embed_dim)
        self.pos_embed = nn.Parameter(_sincos_table(cfg, cfg.embed_dim), requires_grad=False)
        self.blocks = nn.ModuleList(
            Block(cfg.embed_dim, cfg.num_heads, cfg.mlp_ratio, cfg.qkv_bias, cfg.layernorm_eps) for _ in range(cfg.depth)
        )
        self.norm = nn.LayerNorm(cfg.embed_dim, eps=cfg.layernorm_eps)
        _init_weights(self)
        _rescale_blocks(self.blocks)

    def forward(self, x, masks=None):
        if masks is not None and not isinstance(masks, list):
            masks = [masks]
        x = self.embed_tokens(x)  # [B, N, D]
        if masks is not None:
            x = apply_masks(x, masks)  # [len(masks)·B, K, D]
        return self.forward_tokens(x)

    # forward() in two halves, so that a caller can embed an input once and run only the blocks per mask
    def embed_tokens(self, x):
        """Patch tokens plus positions, before any masking: [B, N, D]."""
        return self.patch_embed(x) + self.interpolate_pos_encoding(x, self.pos_embed)

    def forward_tokens(self, x):
        """The blocks and the final norm over (masked) tokens [B, K, D]."""
        for block in self.blocks:
            x = block(x)
        return self.norm(x)

    def interpolate_pos_encoding(self, x, pos_embed):
        """The saved table at the trained size; a resampled one for other input sizes.

        (The official 2-D version assumes a class token; ours interpolates the grid itself.)"""
        cfg = self.cfg
        if cfg.video:
            t, h, w = x.shape[-3] // cfg.tubelet_size, x.shape[-2] // cfg.patch_size, x.shape[-1] // cfg.patch_size
            if (t, h, w) == cfg.grid_shape:
                return pos_embed
            grid = pos_embed.reshape(1, *cfg.grid_shape, -1).permute(0, 4, 1, 2, 3)
            grid = F.interpolate(grid, size=(t, h, w), mode="trilinear", align_corners=False)
            return grid.permute(0, 2, 3, 4, 1).reshape(1, t * h * w, -1)
        h, w = x.shape[-2] // cfg.patch_size, x.shape[-1] // cfg.patch_size
        if (h, w) == (cfg.grid_size, cfg.grid_size):
            return pos_embed
        grid = pos_embed.reshape(1, cfg.grid_size, cfg.grid_size, -1).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(h, w), mode="bicubic", align_corners=False)
        return grid.permute(0, 2, 3, 1).reshape(1, h * w, -1)


# ---------------------------------------------------------------- predictors


class _PredictorBase(nn.Module):
    def __init__(self, cfg: PredictorConfig, grid_cfg: ViTConfig):
        super().__init__()
        self.cfg = cfg
        self.num_patches = cfg.num_patches
        self.predictor_embed = nn.Linear(cfg.embed_dim, cfg.predictor_embed_dim, bias=True)
        self.predictor_pos_embed = nn.Parameter(_sincos_table(grid_cfg, cfg.predictor_embed_dim), requires_grad=False)
        self.predictor_blocks = nn.ModuleList(
            Block(cfg.predictor_embed_dim, cfg.num_heads, cfg.mlp_ratio, cfg.qkv_bias, cfg.layernorm_eps)
            for _ in range(cfg.depth)
        )
        self.predictor_norm = nn.LayerNorm(cfg.predictor_embed_dim, eps=cfg.layernorm_eps)
        self.predictor_proj = nn.Linear(cfg.predictor_embed_dim, cfg.embed_dim, bias=True)

    def _finish_init(self) -> None:
        _init_weights(self)
        _rescale_blocks(self.predictor_blocks)

    def _run(self, x, n_context: int, attn_mask=None):
        """Blocks over [context ; mask tokens], then keep and project the mask-token outputs."""
        for block in self.predictor_blocks:
            x = block(x, attn_mask=attn_mask)
        x = self.predictor_norm(x)
        return self.predictor_proj(x[:, n_context:])  # [·, M, D]

    # ---- inference beside the official API: every target group of one context in one pass

    groups_in_one_pass = True  # whether forward_groups applies (not to V-JEPA without mask tokens)

    def _group_token(self, token_id: int):
        """[1, Dp]: the learned token a target group's positions are added to."""
        raise NotImplementedError

    def group_inputs(self, x, masks_x, targets: list, token_ids=None) -> tuple:
        """(seq, attn_mask, pick) for `trunk`: one context (x [1, K, D], masks_x [1, K]) and target groups
        (LongTensors [M_i]), each group its own sequence `[context ; its tokens]` as in `forward`;
        `token_ids`: the mask token of each group (V-JEPA's `mask_index`; default: the group's position).

        Two exact layouts; the cheaper one is used. *Padded*: a batch of G sequences of the longest length,
        the padding masked out as attention keys. *Packed*: all sequences end to end in one row with a
        block-diagonal attention mask (no padding, but attention over the whole row). A stroke that grows one
        group far beyond the others wastes most of a padded batch; many equal groups favour padding."""
        ctx = (self.predictor_embed(x) + apply_masks(self.predictor_pos_embed, [masks_x]))[0]  # [K, Dp]
        k, sizes, device = len(ctx), [len(t) for t in targets], x.device
        token_ids = range(len(targets)) if token_ids is None else token_ids
        tokens = [self._group_token(i) + self.predictor_pos_embed[0][t] for i, t in zip(token_ids, targets)]  # [M_i, Dp]
        longest, total = k + max(sizes), sum(k + m for m in sizes)
        # cost in units of one (query, key) pair: a token's linear layers cost about 3·Dp of those
        width = 3 * ctx.shape[-1]
        if len(targets) * longest * (width + longest) <= total * (width + total):
            seq = torch.stack([torch.cat([ctx, tok, tok.new_zeros(longest - k - len(tok), tok.shape[-1])]) for tok in tokens])
            keep = torch.arange(longest, device=device)[None, :] < torch.tensor(sizes, device=device)[:, None] + k
            starts = torch.arange(len(targets), device=device) * longest + k
            mask = keep[:, None, None, :]  # [G, 1, 1, L]
        else:
            seq = torch.cat([part for tok in tokens for part in (ctx, tok)])[None]
            segment = torch.repeat_interleave(torch.arange(len(targets), device=device), torch.tensor(sizes, device=device) + k)
            mask = (segment[:, None] == segment[None, :])[None, None]  # [1, 1, N, N]
            starts = torch.cumsum(torch.tensor([0] + sizes[:-1], device=device) + k, 0)
        pick = torch.cat([start + torch.arange(m, device=device) for start, m in zip(starts.tolist(), sizes)])
        return seq, mask, pick

    def trunk(self, seq, attn_mask, pick):
        """Blocks, norm and projection of the rows `pick` of the flattened output: [P, D]. The shape-generic
        heavy part of `forward_groups` (the engine may run a TorchScript trace of it)."""
        for block in self.predictor_blocks:
            seq = block(seq, attn_mask=attn_mask)
        seq = self.predictor_norm(seq)
        return self.predictor_proj(seq.flatten(0, 1).index_select(0, pick))

    def forward_groups(self, x, masks_x, targets: list, token_ids=None, trunk=None) -> list:
        """Every target group predicted from one context in one pass: [M_i, D] per group, each equal to the
        official forward on that group alone, to float rounding. `trunk`: a stand-in for `self.trunk`."""
        out = (trunk or self.trunk)(*self.group_inputs(x, masks_x, targets, token_ids))
        return list(out.split([len(t) for t in targets]))


class VisionTransformerPredictor(_PredictorBase):
    """I-JEPA predictor: `predictor(x, masks_x, masks)`.

    x is the context encoder output [len(masks_x)·B, K, D]; each target mask gets its own sequence
    (`[context ; mask_token + pos]`), so target blocks never see one another. Output
    `[len(masks)·len(masks_x)·B, M, D]`."""

    def __init__(self, cfg: PredictorConfig, grid_cfg: ViTConfig):
        super().__init__(cfg, grid_cfg)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, cfg.predictor_embed_dim))
        self._finish_init()
        nn.init.trunc_normal_(self.mask_token, std=0.02)

    def forward(self, x, masks_x, masks):
        masks_x = masks_x if isinstance(masks_x, list) else [masks_x]
        masks = masks if isinstance(masks, list) else [masks]
        batch = len(x) // len(masks_x)

        x = self.predictor_embed(x)  # [len(masks_x)·B, K, Dp]
        x = x + apply_masks(self.predictor_pos_embed.repeat(batch, 1, 1), masks_x)
        n_context = x.shape[1]

        pos = apply_masks(self.predictor_pos_embed.repeat(batch, 1, 1), masks)  # [len(masks)·B, M, Dp]
        pos = repeat_interleave_batch(pos, batch, repeat=len(masks_x))
        tokens = self.mask_token.repeat(pos.size(0), pos.size(1), 1) + pos

        x = torch.cat([x.repeat(len(masks), 1, 1), tokens], dim=1)
        return self._run(x, n_context)

    def _group_token(self, token_id: int):
        return self.mask_token[0]  # I-JEPA has one mask token for every target group


class VideoPredictor(_PredictorBase):
    """V-JEPA predictor (official `VisionTransformerPredictor` of facebookresearch/jepa):
    `predictor(ctxt, tgt, masks_ctxt, masks_tgt, mask_index=1)`.

    With mask tokens, the target tokens are `mask_tokens[mask_index % n] + pos`; without, they are the
    embedded targets with forward-diffusion noise (as the official code does)."""

    def __init__(self, cfg: PredictorConfig, grid_cfg: ViTConfig):
        super().__init__(cfg, grid_cfg)
        self.num_mask_tokens = cfg.num_mask_tokens if cfg.use_mask_tokens else 0
        self.mask_tokens = None
        if cfg.use_mask_tokens:
            self.mask_tokens = nn.ParameterList(
                nn.Parameter(torch.zeros(1, 1, cfg.predictor_embed_dim)) for _ in range(cfg.num_mask_tokens)
            )
        self._finish_init()

    @property
    def groups_in_one_pass(self) -> bool:
        return self.mask_tokens is not None

    def _group_token(self, token_id: int):
        if self.mask_tokens is None:  # targets enter as noised embeddings: no grouped pass for those
            raise NotImplementedError("a predictor without mask tokens needs the target embeddings: use forward()")
        return self.mask_tokens[token_id % self.num_mask_tokens][0]

    @staticmethod
    def diffusion(x, noise_beta=(0.5, 1.0), steps: int = 1000):
        b1, b2 = noise_beta
        alphas = torch.cumprod(1.0 - (b1 + torch.arange(steps, dtype=torch.float64) * (b2 - b1) / steps), 0)
        alpha = alphas.float().to(x.device)[torch.randint(0, steps, (len(x),))].view(-1, 1, 1)
        x = F.layer_norm(x, (x.size(-1),))
        return alpha**0.5 * x + (1.0 - alpha) ** 0.5 * torch.randn_like(x)

    def forward(self, ctxt, tgt, masks_ctxt, masks_tgt, mask_index: int = 1):
        masks_ctxt = masks_ctxt if isinstance(masks_ctxt, list) else [masks_ctxt]
        masks_tgt = masks_tgt if isinstance(masks_tgt, list) else [masks_tgt]
        batch = len(ctxt) // len(masks_ctxt)

        x = self.predictor_embed(ctxt)
        x = x + apply_masks(self.predictor_pos_embed.repeat(batch, 1, 1), masks_ctxt)
        n_context = x.shape[1]

        if self.mask_tokens is None:
            tokens = self.diffusion(self.predictor_embed(tgt))
        else:
            token = self.mask_tokens[mask_index % self.num_mask_tokens]
            tokens = apply_masks(token.repeat(batch, self.num_patches, 1), masks_tgt)
        pos = apply_masks(self.predictor_pos_embed.repeat(batch, 1, 1), masks_tgt)
        tokens = tokens + repeat_interleave_batch(pos, batch, repeat=len(masks_ctxt))

        x = torch.cat([x.repeat(len(masks_tgt), 1, 1), tokens], dim=1)
        return self._run(x, n_context)


class MultiMaskWrapper(nn.Module):
    """Official V-JEPA encoder wrapper: one output per mask set (keys `backbone.*`)."""

    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone

    def forward(self, x, masks=None):
        if masks is None:
            return self.backbone(x)
        masks = masks if isinstance(masks, list) else [masks]
        return [self.backbone(x, masks=m) for m in masks]


class PredictorMultiMaskWrapper(nn.Module):
    """Official V-JEPA predictor wrapper: lists in, one prediction per mask set out (`mask_index=i`)."""

    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone

    def forward(self, ctxt, tgt, masks_ctxt, masks_tgt):
        as_list = lambda v: v if isinstance(v, list) else [v]  # noqa: E731
        sets = zip(as_list(ctxt), as_list(tgt), as_list(masks_ctxt), as_list(masks_tgt))
        return [self.backbone(z, h, mc, mt, mask_index=i) for i, (z, h, mc, mt) in enumerate(sets)]


def build_predictor(cfg: PredictorConfig, grid_cfg: ViTConfig) -> _PredictorBase:
    return (VisionTransformerPredictor if cfg.style == "ijepa" else VideoPredictor)(cfg, grid_cfg)
