"""Architecture descriptions: what weight inference returns, what the model card stores."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class ViTConfig:
    """A ViT encoder as the official I-JEPA / V-JEPA factories build it."""

    img_size: int
    patch_size: int
    embed_dim: int
    depth: int
    num_heads: int
    num_frames: int = 1  # > 1 with a 3-D (tubelet) patch embedding
    tubelet_size: int = 1
    video: bool = False  # Conv3d patch embedding (V-JEPA)
    in_chans: int = 3
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    layernorm_eps: float = 1e-6
    uniform_power: bool = False  # V-JEPA 3-D sin-cos split

    @property
    def grid_size(self) -> int:
        return self.img_size // self.patch_size

    @property
    def grid_depth(self) -> int:
        return self.num_frames // self.tubelet_size if self.video else 1

    @property
    def grid_shape(self) -> tuple[int, int, int]:
        """(T, H, W) of the token grid; T is 1 for images."""
        return (self.grid_depth, self.grid_size, self.grid_size)

    @property
    def num_patches(self) -> int:
        return self.grid_depth * self.grid_size * self.grid_size

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ViTConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class PredictorConfig:
    """A JEPA predictor. `style` is 'ijepa' (one mask_token, one sequence per target block) or
    'vjepa' (mask_tokens per mask set, `mask_index`, or diffusion noise when it has none)."""

    style: str
    embed_dim: int
    predictor_embed_dim: int
    depth: int
    num_heads: int
    num_patches: int
    use_mask_tokens: bool = True
    num_mask_tokens: int = 1
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    layernorm_eps: float = 1e-6

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> PredictorConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


# Official sizes: width -> heads. Heads are not in the weights; the predictor reuses the encoder's.
OFFICIAL_HEADS = {192: 3, 384: 6, 768: 12, 1024: 16, 1280: 16, 1408: 16}
