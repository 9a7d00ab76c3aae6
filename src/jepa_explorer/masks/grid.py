"""PatchMasks: one context grid and a list of target grids over the model's (T, H, W) token grid.

Each target grid is a *target group* that the predictor fills in one sequence: an I-JEPA block, or a
whole V-JEPA mask set. Groups never see each other. Indices are row-major over (t, row, column), as
the official `apply_masks` expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from jepa_explorer.errors import MaskError
from jepa_explorer.fileio import atomic_open

# the colours of context and target groups, shared by saved mask PNGs and the app's canvas
CONTEXT_RGB = (40, 120, 255)
TARGET_RGB = [
    (255, 80, 60),
    (255, 190, 30),
    (60, 200, 90),
    (200, 80, 255),
    (0, 200, 220),
    (255, 120, 200),
    (150, 110, 60),
    (255, 255, 255),
]
# label-image palette: 0 none, 1 context, 2.. target groups (also readable by people)
_PALETTE = [(0, 0, 0), CONTEXT_RGB] + TARGET_RGB
_PALETTE_TAG = "jepa-explorer-masks"
MAX_MASK_PIXELS = 16_000_000  # 4000×4000: any mask drawn over a photo; the grid itself is at most a few hundred


@dataclass
class PatchMasks:
    context: np.ndarray  # bool [T, H, W]
    targets: list[np.ndarray] = field(default_factory=list)  # each bool [T, H, W]
    token_ids: list[int] | None = None  # V-JEPA mask-token index per target group (default: its position)

    def __post_init__(self):
        self.context = np.asarray(self.context, dtype=bool)
        if self.context.ndim == 2:
            self.context = self.context[None]
        if self.context.ndim != 3:
            raise MaskError(f"context grid has {self.context.ndim} dims; expected (T, H, W).")
        fixed = []
        for i, t in enumerate(self.targets):
            t = np.asarray(t, dtype=bool)
            t = t[None] if t.ndim == 2 else t
            if t.shape != self.context.shape:
                raise MaskError(f"target group {i + 1} is {t.shape} but the context is {self.context.shape}: off the patch grid.")
            fixed.append(t)
        self.targets = fixed

    # -------------------------------------------------------------- construction

    @classmethod
    def empty(cls, grid_shape: tuple[int, int, int]) -> PatchMasks:
        return cls(np.zeros(grid_shape, dtype=bool), [])

    @classmethod
    def from_indices(cls, grid_shape, context_indices, target_indices: list, token_ids=None) -> PatchMasks:
        n = int(np.prod(grid_shape))

        def grid(indices, what):
            idx = np.asarray(indices, dtype=np.int64).reshape(-1)
            if idx.size and (idx.min() < 0 or idx.max() >= n):
                raise MaskError(f"{what} has index {int(idx.max() if idx.max() >= n else idx.min())}, off the {n}-patch grid.")
            flat = np.zeros(n, dtype=bool)
            flat[idx] = True
            return flat.reshape(grid_shape)

        return cls(
            grid(context_indices, "context"), [grid(t, f"target group {i + 1}") for i, t in enumerate(target_indices)], token_ids
        )

    def copy(self) -> PatchMasks:
        return PatchMasks(self.context.copy(), [t.copy() for t in self.targets], list(self.token_ids) if self.token_ids else None)

    # -------------------------------------------------------------- views

    @property
    def grid_shape(self) -> tuple[int, int, int]:
        return tuple(self.context.shape)

    @property
    def target_union(self) -> np.ndarray:
        union = np.zeros(self.grid_shape, dtype=bool)
        for t in self.targets:
            union |= t
        return union

    def context_indices(self) -> np.ndarray:
        return np.flatnonzero(self.context)

    def target_indices(self) -> list[np.ndarray]:
        return [np.flatnonzero(t) for t in self.targets]

    def token_id(self, group: int) -> int:
        return self.token_ids[group] if self.token_ids else group

    def stats(self) -> dict:
        n = self.context.size
        union = self.target_union
        return {
            "grid": list(self.grid_shape),
            "patches": int(n),
            "context_patches": int(self.context.sum()),
            "context_fraction": float(self.context.sum() / n),
            "target_patches": int(union.sum()),
            "target_fraction": float(union.sum() / n),
            "target_groups": len(self.targets),
            "overlap_patches": int((self.context & union).sum()),
        }

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, PatchMasks)
            and np.array_equal(self.context, other.context)
            and len(self.targets) == len(other.targets)
            and all(np.array_equal(a, b) for a, b in zip(self.targets, other.targets))
        )

    # -------------------------------------------------------------- checks and fixes

    def validate(self, grid_shape: tuple[int, int, int] | None = None, allow_overlap: bool = False) -> None:
        """Raise MaskError with the reason when the predictor cannot run on these masks."""
        if grid_shape is not None and tuple(grid_shape) != self.grid_shape:
            raise MaskError(
                f"the masks are on a {'×'.join(map(str, self.grid_shape))} patch grid but the model uses "
                f"{'×'.join(map(str, grid_shape))}; repaint them or regenerate them for this model."
            )
        if not self.context.any():
            raise MaskError("the context is empty: paint at least one context patch for the encoder to see.")
        if not self.targets:
            raise MaskError("there are no targets: paint at least one target patch for the predictor to predict.")
        for i, t in enumerate(self.targets):
            if not t.any():
                raise MaskError(f"target group {i + 1} is empty: paint it or remove it.")
        overlap = int((self.context & self.target_union).sum())
        if overlap and not allow_overlap:
            raise MaskError(
                f"{overlap} target patches are also in the context, so the predictor would see what it should predict; "
                "remove them from the context (PatchMasks.without_overlap())."
            )

    def without_overlap(self) -> PatchMasks:
        out = self.copy()
        out.context &= ~out.target_union
        return out

    def without_empty_targets(self) -> PatchMasks:
        keep = [i for i, t in enumerate(self.targets) if t.any()]
        ids = [self.token_id(i) for i in keep] if self.token_ids else None
        return PatchMasks(self.context.copy(), [self.targets[i].copy() for i in keep], ids)

    # -------------------------------------------------------------- serialisation

    def to_dict(self) -> dict:
        return {
            "grid": list(self.grid_shape),
            "context": self.context_indices().tolist(),
            "targets": [t.tolist() for t in self.target_indices()],
            "token_ids": self.token_ids,
        }

    @classmethod
    def from_dict(cls, d: dict) -> PatchMasks:
        try:
            return cls.from_indices(tuple(d["grid"]), d["context"], d["targets"], d.get("token_ids"))
        except (KeyError, TypeError, ValueError) as e:
            raise MaskError(f"masks record is malformed ({e}); expected grid, context and targets.") from None

    def label_grid(self, frame: int = 0) -> np.ndarray:
        """uint8 [H, W]: 0 none, 1 context, 2+k target group k (a later group wins where groups overlap)."""
        labels = self.context[frame].astype(np.uint8)
        for k, t in enumerate(self.targets):
            labels[t[frame]] = 2 + k
        return labels

    def save_png(self, path: str | Path, size: tuple[int, int] | None = None, frame: int = 0) -> None:
        """A palette PNG (exact round trip through `load_png`); `size` = (width, height) in pixels."""
        from PIL import Image, PngImagePlugin

        labels = self.label_grid(frame)
        if len(self.targets) + 2 > 256:
            raise MaskError("too many target groups for a PNG (at most 254).")
        image = Image.fromarray(labels, mode="P")
        palette: list[int] = []
        for i in range(256):
            palette.extend(_PALETTE[i] if i < len(_PALETTE) else _PALETTE[2 + (i - 2) % (len(_PALETTE) - 2)])
        image.putpalette(palette)
        if size is not None:
            image = image.resize(size, Image.NEAREST)
        info = PngImagePlugin.PngInfo()
        info.add_text("Software", _PALETTE_TAG)
        with atomic_open(path) as f:  # a failed save keeps the previous mask file whole
            image.save(f, format="PNG", pnginfo=info)

    @classmethod
    def load_png(cls, path: str | Path, grid_shape: tuple[int, int, int], coverage: float = 0.5) -> PatchMasks:
        """Read a mask image of any size; a patch takes the label covering at least `coverage` of it.

        Our palette PNGs keep their groups. Any other image reads as: black = context, white = target
        (connected target regions become separate groups), transparent = neither. A 2-D image on a
        video grid becomes tubes through all frames."""
        from jepa_explorer.media.images import decode_image

        path = Path(path)
        # a mask needs far fewer pixels than a photo: a bomb is refused from its header, before decoding
        with decode_image(path, MaskError, MAX_MASK_PIXELS) as image:
            ours = image.mode == "P" and image.info.get("Software") == _PALETTE_TAG
            try:
                if ours:
                    labels = np.asarray(image, dtype=np.uint8)
                else:
                    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
                    luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
                    labels = np.where(luminance >= 128, 2, 1).astype(np.uint8)
                    labels[rgba[..., 3] < 128] = 0
            except Exception as e:  # noqa: BLE001 - a mode Pillow cannot convert
                raise MaskError(f"{path}: cannot read the mask's colours ({type(e).__name__}: {e}); save it as PNG.") from None

        t_len, height, width = grid_shape
        if labels.shape[0] < height or labels.shape[1] < width:
            raise MaskError(f"{path}: {labels.shape[1]}×{labels.shape[0]} px is smaller than the {width}×{height} patch grid.")
        grid = _majority_labels(labels, (height, width), coverage)
        context = np.repeat((grid == 1)[None], t_len, axis=0)
        if ours:
            groups = [v for v in np.unique(grid) if v >= 2]
            targets = [np.repeat((grid == v)[None], t_len, axis=0) for v in groups]
        else:
            from scipy import ndimage

            components, count = ndimage.label(grid == 2)
            targets = [np.repeat((components == k)[None], t_len, axis=0) for k in range(1, count + 1)]
        return cls(context, targets)


def _majority_labels(labels: np.ndarray, grid_hw: tuple[int, int], coverage: float) -> np.ndarray:
    """[h, w] pixel labels -> [H, W] patch labels by area coverage (box filter per label)."""
    from PIL import Image

    height, width = grid_hw
    best = np.zeros(grid_hw, dtype=np.float32)
    out = np.zeros(grid_hw, dtype=np.uint8)
    for value in np.unique(labels):
        if value == 0:
            continue
        layer = Image.fromarray(((labels == value) * 255).astype(np.uint8))
        cover = np.asarray(layer.resize((width, height), Image.BOX), dtype=np.float32) / 255.0
        take = (cover >= coverage) & (cover > best)
        out[take] = value
        best = np.maximum(best, np.where(take, cover, 0))
    return out
