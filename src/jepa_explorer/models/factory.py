"""Freshly initialised JEPAs (for training and for benchmarks before a checkpoint exists)."""

from __future__ import annotations

import copy
from pathlib import Path

from jepa_explorer.models.config import PredictorConfig, ViTConfig
from jepa_explorer.models.jepa import JepaModel, ModelConfig
from jepa_explorer.models.vit import VisionTransformer, build_predictor

# the default image model's shape: 64 px, 8 px patches (an 8×8 grid), 192 wide, 6 deep, 96×3 predictor
TINY_IMAGE = ViTConfig(img_size=64, patch_size=8, embed_dim=192, depth=6, num_heads=3)


def predictor_config_for(encoder: ViTConfig, width: int = 96, depth: int = 3, style: str | None = None) -> PredictorConfig:
    style = style or ("vjepa" if encoder.video else "ijepa")
    return PredictorConfig(
        style=style,
        embed_dim=encoder.embed_dim,
        predictor_embed_dim=width,
        depth=depth,
        num_heads=encoder.num_heads,
        num_patches=encoder.num_patches,
        use_mask_tokens=True,
        num_mask_tokens=2 if style == "vjepa" else 1,
    )


def new_jepa(encoder_cfg: ViTConfig = TINY_IMAGE, predictor_cfg: PredictorConfig | None = None, seed: int = 0) -> JepaModel:
    import torch

    torch.manual_seed(seed)
    predictor_cfg = predictor_cfg or predictor_config_for(encoder_cfg)
    encoder = VisionTransformer(encoder_cfg)
    predictor = build_predictor(predictor_cfg, encoder_cfg)
    target = copy.deepcopy(encoder)
    for m in (encoder, predictor, target):
        m.eval().requires_grad_(False)
    family = "vjepa" if encoder_cfg.video else "ijepa"
    config = ModelConfig(family=family, encoder=encoder_cfg, predictor=predictor_cfg)
    card = {"name": f"random-init {family}", "note": "randomly initialised, untrained"}
    return JepaModel(encoder, target, predictor, config, card, Path("<random-init>"))
