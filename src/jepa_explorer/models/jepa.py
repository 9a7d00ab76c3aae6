"""The JEPA as one object: its config (architectures, input normalisation, loss) and its modules.

`checkpoints.load_model` and `models.factory.new_jepa` both return a JepaModel; the type lives here,
beside the modules it holds, so that nothing in `models/` needs `checkpoints/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn as nn

from jepa_explorer.models.config import PredictorConfig, ViTConfig

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild and feed a JEPA: architectures, input normalisation, training loss."""

    family: str  # "ijepa" (images) or "vjepa" (video)
    encoder: ViTConfig
    predictor: PredictorConfig | None
    mean: tuple = IMAGENET_MEAN
    std: tuple = IMAGENET_STD

    @property
    def loss(self) -> str:
        return "l1" if self.family == "vjepa" else "smooth_l1"

    def to_dict(self) -> dict:
        return {
            "family": self.family,
            "encoder": self.encoder.to_dict(),
            "predictor": self.predictor.to_dict() if self.predictor else None,
            "mean": list(self.mean),
            "std": list(self.std),
        }


@dataclass
class JepaModel:
    """What `load_model` returns. Modules keep the official signatures; absent parts are None."""

    encoder: nn.Module
    target_encoder: nn.Module
    predictor: nn.Module | None
    config: ModelConfig
    card: dict
    path: Path
    notes: list[str] = field(default_factory=list)
    device: torch.device = torch.device("cpu")

    @property
    def has_predictor(self) -> bool:
        return self.predictor is not None

    def to(self, device) -> JepaModel:
        self.device = torch.device(device)
        for m in (self.encoder, self.target_encoder, self.predictor):
            if m is not None:
                m.to(self.device)
        return self

    def parameter_counts(self) -> dict:
        def count(m):
            return sum(p.numel() for p in m.parameters()) if m is not None else 0

        return {"encoder": count(self.encoder), "target_encoder": count(self.target_encoder), "predictor": count(self.predictor)}
