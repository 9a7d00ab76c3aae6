"""The pixel-comparison panel's numbers: original | masked input | MAE reconstruction | JEPA prediction
decoded | actual embeddings decoded, each with PSNR on the target region only.

Decoded images keep the context patches as the input shows them and replace the target patches, so
the eye compares exactly what each model had to produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from jepa_explorer.models.mae import patchify, unpatchify


@dataclass
class PixelComparison:
    images: dict[str, np.ndarray]  # name -> uint8 [S, S, 3]
    psnr: dict[str, float] = field(default_factory=dict)  # name -> dB on the target region
    unavailable: dict[str, str] = field(default_factory=dict)  # name -> why


def psnr(a: np.ndarray, b: np.ndarray, region: np.ndarray) -> float:
    """PSNR in dB between uint8 images over the pixels where `region` [S, S] is True."""
    if not region.any():
        return float("nan")
    diff = a[region].astype(np.float64) - b[region].astype(np.float64)
    mse = float((diff**2).mean())
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


def _to_uint8(x: torch.Tensor, mean, std) -> np.ndarray:
    x = x.detach().cpu()[0] * torch.tensor(std).view(3, 1, 1) + torch.tensor(mean).view(3, 1, 1)
    return (x.clamp(0, 1).permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)


def compare_pixels(session, prediction, mae=None, decoder=None) -> PixelComparison:
    """Images and PSNRs for one image prediction (video: the caller passes per-frame sessions)."""
    feats = session.features
    cfg = session.model.config
    patch = cfg.encoder.patch_size
    masks = prediction.masks
    target_grid = masks.target_union[0]
    region = np.kron(target_grid, np.ones((patch, patch), dtype=bool))
    shown = np.kron(masks.context[0], np.ones((patch, patch), dtype=bool))
    original = feats.pixels
    masked = np.where(shown[..., None], original, (original * 0.25 + 96).astype(np.uint8))
    out = PixelComparison({"original": original, "masked": masked})
    x_tokens = patchify(feats.x.cpu(), patch)  # [1, N, p·p·3] normalised pixels

    def compose(tokens_for_targets: dict[int, torch.Tensor]) -> np.ndarray:
        tokens = x_tokens.clone()
        for index, value in tokens_for_targets.items():
            tokens[0, index] = value
        return _to_uint8(unpatchify(tokens, patch), cfg.mean, cfg.std)

    with torch.inference_mode():
        if mae is not None:
            visible = torch.from_numpy(masks.context_indices()).long().unsqueeze(0)
            recon = mae(feats.x.to(next(mae.parameters()).device), visible.to(next(mae.parameters()).device)).cpu()
            targets = np.flatnonzero(target_grid)
            out.images["mae"] = compose({int(i): recon[0, i] for i in targets})
        else:
            out.unavailable["mae"] = "no MAE checkpoint loaded"
        if decoder is not None:
            device = next(decoder.parameters()).device
            actual = decoder(torch.from_numpy(feats.actual).to(device)).cpu()
            targets = np.flatnonzero(target_grid)
            out.images["decoded_actual"] = compose({int(i): actual[i] for i in targets})
            predicted: dict[int, list[torch.Tensor]] = {}
            for g in prediction.groups:
                decoded = decoder(torch.from_numpy(g.predicted).to(device)).cpu()
                for row, index in enumerate(g.target_indices):
                    predicted.setdefault(int(index), []).append(decoded[row])
            out.images["decoded_prediction"] = compose({i: torch.stack(v).mean(0) for i, v in predicted.items()})
        else:
            out.unavailable["decoded_prediction"] = out.unavailable["decoded_actual"] = "no decoder checkpoint loaded"
    for name, image in out.images.items():
        if name != "original":
            out.psnr[name] = psnr(image, original, region)
    return out
