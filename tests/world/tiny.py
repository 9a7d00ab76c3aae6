"""The untrained tiny world model the world tests share (seeded, built in milliseconds)."""

import torch

from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.world import WorldConfig, WorldDecoder, WorldEncoder, WorldPredictor
from jepa_explorer.world.model import WorldModel

TINY = WorldConfig(
    encoder=ViTConfig(img_size=32, patch_size=8, embed_dim=32, depth=1, num_heads=2),
    latent_dim=16, projector_dim=32, predictor_dim=32, predictor_depth=1, predictor_heads=2, max_history=8,
)  # fmt: skip


def tiny_world_model() -> WorldModel:
    torch.manual_seed(0)
    return WorldModel(WorldEncoder(TINY).eval(), WorldPredictor(TINY).eval(), TINY, {}, "<tiny>", WorldDecoder(16, 32).eval())
