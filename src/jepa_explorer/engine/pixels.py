"""The pixel-comparison panel's numbers: original | masked input | MAE reconstruction | JEPA prediction
decoded | actual embeddings decoded, each with PSNR on the target region only.

Decoded images keep the context patches as the input shows them and replace the target patches, so
the eye compares exactly what each model had to produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch

from jepa_explorer.models.mae import patchify, patchify_video, unpatchify, unpatchify_video


@dataclass
class PixelComparison:
    images: dict[str, np.ndarray]  # name -> uint8 [S, S, 3] (video: [T, S, S, 3], every clip frame)
    psnr: dict[str, float] = field(default_factory=dict)  # name -> dB on the target region
    unavailable: dict[str, str] = field(default_factory=dict)  # name -> why
    decoded_with_reference: bool = False  # the decoder also took each target patch as the last context frame showed it


def psnr(a: np.ndarray, b: np.ndarray, region: np.ndarray) -> float:
    """PSNR in dB between uint8 images (or clips) over the pixels where `region` [(T,) S, S] is True."""
    if not region.any():
        return float("nan")
    diff = a[region].astype(np.float64) - b[region].astype(np.float64)
    mse = float((diff**2).mean())
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


def pixel_region(patch_mask: np.ndarray, encoder_cfg) -> np.ndarray:
    """A patch-grid mask [T, H, W] as pixels: [S, S] for an image model, [T·tubelet, S, S] for a video model."""
    tubelet = encoder_cfg.tubelet_size if encoder_cfg.video else 1
    region = np.kron(patch_mask, np.ones((tubelet, encoder_cfg.patch_size, encoder_cfg.patch_size), dtype=bool))
    return region if encoder_cfg.video else region[0]


def _to_uint8(x: torch.Tensor, mean, std) -> np.ndarray:
    """[1, 3, (T,) S, S] normalised -> uint8 [(T,) S, S, 3]."""
    x = x.detach().cpu()[0]
    shape = (3,) + (1,) * (x.dim() - 1)
    x = x * torch.tensor(std).view(shape) + torch.tensor(mean).view(shape)
    return (x.clamp(0, 1).movedim(0, -1).numpy() * 255.0 + 0.5).astype(np.uint8)


def compare_pixels(session, prediction, mae=None, decoder=None, also: dict[str, list] | None = None) -> PixelComparison:
    """Images and PSNRs for one prediction: of the image, or of every frame of a clip (no MAE for video).
    `also`: other embeddings for the prediction's target groups (name -> one [M, D] array per group), decoded
    and scored as the prediction is (eval's baselines), without decoding the actual embeddings again."""
    feats = session.features
    cfg = session.model.config
    enc = cfg.encoder
    patch, tubelet = enc.patch_size, (enc.tubelet_size if enc.video else 1)
    masks = prediction.masks
    region, shown = pixel_region(masks.target_union, enc), pixel_region(masks.context, enc)
    original = feats.pixels
    masked = np.where(shown[..., None], original, (original * 0.25 + 96).astype(np.uint8))
    out = PixelComparison({"original": original, "masked": masked})
    x = feats.x.cpu()
    x_tokens = patchify_video(x, patch, tubelet) if enc.video else patchify(x, patch)  # [1, N, pixels] normalised
    targets = np.flatnonzero(masks.target_union)

    def compose(tokens_for_targets: dict[int, torch.Tensor]) -> np.ndarray:
        tokens = x_tokens.clone()
        for index, value in tokens_for_targets.items():
            tokens[0, index] = value
        image = unpatchify_video(tokens, masks.grid_shape, patch, tubelet) if enc.video else unpatchify(tokens, patch)
        return _to_uint8(image, cfg.mean, cfg.std)

    with torch.inference_mode():
        if mae is not None and not enc.video:
            visible = torch.from_numpy(masks.context_indices()).long().unsqueeze(0)
            recon = mae(feats.x.to(next(mae.parameters()).device), visible.to(next(mae.parameters()).device)).cpu()
            out.images["mae"] = compose({int(i): recon[0, i] for i in targets})
        else:
            out.unavailable["mae"] = "no MAE for video models" if enc.video else "no MAE checkpoint loaded"
        if decoder is not None:
            device = next(decoder.parameters()).device
            context = masks.context_indices()
            out.decoded_with_reference = decoder.cfg.reference

            def decode(embeddings: np.ndarray, indices: np.ndarray) -> torch.Tensor:
                reference = decoder_references(x_tokens[0], context, indices, masks.grid_shape, decoder)
                return decoder(torch.from_numpy(embeddings).to(device), *(r.to(device) for r in reference)).cpu()

            actual = decode(feats.actual[targets], targets)
            out.images["decoded_actual"] = compose({int(i): actual[row] for row, i in enumerate(targets)})

            def decode_groups(per_group) -> np.ndarray:
                # a target in several groups shows the mean of its decodings
                decoded_at: dict[int, list[torch.Tensor]] = {}
                for g, embeddings in zip(prediction.groups, per_group, strict=True):
                    decoded = decode(embeddings, g.target_indices)
                    for row, index in enumerate(g.target_indices):
                        decoded_at.setdefault(int(index), []).append(decoded[row])
                return compose({i: torch.stack(v).mean(0) for i, v in decoded_at.items()})

            out.images["decoded_prediction"] = decode_groups([g.predicted for g in prediction.groups])
            for name, per_group in (also or {}).items():
                out.images[name] = decode_groups(per_group)
        else:
            out.unavailable["decoded_prediction"] = out.unavailable["decoded_actual"] = "no decoder checkpoint loaded"
    for name, image in out.images.items():
        if name != "original":
            out.psnr[name] = psnr(image, original, region)
    return out


def decoder_references(x_tokens, context_idx, target_idx, grid_shape, decoder) -> tuple:
    """A reference decoder's inputs for these targets: (the last frame of the latest context patch at
    the same place [M, p·p·C], whether there is one [M]); () for a decoder that takes none."""
    if not decoder.cfg.reference:
        return ()
    from jepa_explorer.analysis.baselines import latest_context_at

    hits = torch.from_numpy(latest_context_at(context_idx, target_idx, grid_shape))
    present = hits >= 0
    source = torch.from_numpy(np.asarray(context_idx))[hits.clamp(min=0)]
    return x_tokens[source][:, -decoder.frame_pixels :], present


def frame_of(comparison: PixelComparison, frame: int) -> PixelComparison:
    """One frame of a clip's comparison (images [T, S, S, 3] -> [S, S, 3]; the PSNRs stay the clip's)."""
    images = {k: (v[min(frame, len(v) - 1)] if v.ndim == 4 else v) for k, v in comparison.images.items()}
    return replace(comparison, images=images, psnr=dict(comparison.psnr), unavailable=dict(comparison.unavailable))
