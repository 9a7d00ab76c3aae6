"""Session: one input, one model, cached per-input work; `predict(masks)` is the cheap per-edit call.

Shaped like segment-anything's SamPredictor: `set_input()` pays for the target encoder once (full
input, layer-normed, plus its PCA basis); `predict()` runs only the context encoder and the predictor
(and the leak-free baselines' context-only encoding, cached while the context is unchanged). The CLI,
the GUI's worker, the benchmark and notebooks all use this object. Not thread-safe: one thread owns it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from jepa_explorer.analysis.baselines import baseline_predictions
from jepa_explorer.analysis.distances import METRICS, patch_distances, summarise
from jepa_explorer.analysis.pca import PcaBasis, fit_pca, nearest_patch
from jepa_explorer.engine.preprocess import clip_tensor, image_tensor
from jepa_explorer.errors import JepaError, MaskError, MediaError
from jepa_explorer.masks.grid import PatchMasks
from jepa_explorer.models.jepa import JepaModel


@dataclass
class InputFeatures:
    """Per-input cache: what no mask edit changes."""

    key: str
    x: torch.Tensor  # [1, 3, (T,) S, S] normalised model input
    pixels: np.ndarray  # uint8 [(T,) S, S, 3]: what the model sees (the view to paint on)
    actual: np.ndarray  # [N, D] layer-normed target-encoder output on the full input
    pca: PcaBasis
    seconds: float
    # patch tokens + positions of the full input, before masking: (context encoder's, target encoder's)
    tokens: tuple[torch.Tensor, torch.Tensor] | None = None


@dataclass
class GroupResult:
    """One target group: predicted and actual embeddings and the distances between them."""

    target_indices: np.ndarray  # [M]
    predicted: np.ndarray  # [M, D]
    actual: np.ndarray  # [M, D]
    distances: dict[str, np.ndarray]  # metric -> [M]
    baselines: dict[str, dict[str, np.ndarray]]  # baseline -> metric -> [M]
    predicted_pca: np.ndarray  # [M, k]
    nearest_actual: np.ndarray  # [M] index of the closest actual patch to each prediction


@dataclass
class Prediction:
    request_id: int | None  # the caller's request (the app model's counter); None when none was given
    input_key: str
    masks: PatchMasks
    context_indices: np.ndarray
    groups: list[GroupResult]
    summary: dict  # "predictor" / baseline -> metric -> {"mean", "median"}
    timings_ms: dict[str, float] = field(default_factory=dict)
    pixels: object | None = None  # engine.pixels.PixelComparison, when a caller asked for it
    surface_tax: object | None = None  # engine.surface_tax.SurfaceTax, when a caller asked for it

    def heatmap(self, metric: str = "loss", source: str = "predictor") -> np.ndarray:
        """float [T, H, W]: per-patch distance of the predictor (or of the baseline named `source`),
        NaN off-target (mean where target groups overlap)."""
        grid = self.masks.grid_shape
        total = np.zeros(int(np.prod(grid)))
        count = np.zeros_like(total)
        for g in self.groups:
            values = g.distances[metric] if source == "predictor" else g.baselines[source][metric]
            np.add.at(total, g.target_indices, values)
            np.add.at(count, g.target_indices, 1)
        with np.errstate(invalid="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan).reshape(grid)

    def gain(self, metric: str = "loss") -> float:
        """1 − predictor / best baseline (positive: the predictor beats copying)."""
        best = min(v[metric]["mean"] for k, v in self.summary.items() if k != "predictor")
        return float(1.0 - self.summary["predictor"][metric]["mean"] / best) if best > 0 else float("nan")

    def to_arrays(self, actual=None, actual_pca=None, pixels=None) -> dict[str, np.ndarray]:
        """The npz layout of `jepa-explorer predict --out` (and the GUI's export): indices, embeddings,
        per-patch distances of the predictor and the baselines, PCA coordinates, heatmaps; plus the
        input's actual embeddings, their PCA coordinates and pixels when given."""
        arrays = {
            "context_indices": self.context_indices,
            "grid_shape": np.array(self.masks.grid_shape),
            "summary_json": np.array(json.dumps(self.to_json())),
        }
        for name, value in (("actual_all", actual), ("actual_all_pca", actual_pca), ("pixels", pixels)):
            if value is not None:
                arrays[name] = value
        for i, g in enumerate(self.groups):
            arrays[f"target_indices_{i}"] = g.target_indices
            arrays[f"predicted_{i}"] = g.predicted
            arrays[f"actual_{i}"] = g.actual
            arrays[f"predicted_pca_{i}"] = g.predicted_pca
            arrays[f"nearest_actual_{i}"] = g.nearest_actual
            for metric, values in g.distances.items():
                arrays[f"{metric}_{i}"] = values
            for name, metrics in g.baselines.items():
                for metric, values in metrics.items():
                    arrays[f"{name}_{metric}_{i}"] = values
        for metric in METRICS:
            arrays[f"heatmap_{metric}"] = self.heatmap(metric)
        return arrays

    def to_json(self) -> dict:
        return {
            "request_id": self.request_id,
            "masks": self.masks.stats(),
            "summary": self.summary,
            "gain_vs_best_baseline": {m: self.gain(m) for m in METRICS},
            "timings_ms": self.timings_ms,
        }


def _array_key(array: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(array).view(np.uint8), digest_size=16).hexdigest() + str(array.shape)


def require_masked_model(model) -> None:
    """Masked prediction (a Session, its traces) needs a JEPA: a world model predicts from actions, not masks."""
    if getattr(model, "kind", None) == "world":
        raise JepaError(
            f"{model.path}: a world model (actions, not masks); measure it with `eval`, explore it in the world-model mode (F3)."
        )


class Session:
    def __init__(self, model: JepaModel, live: bool = False, trunks=None):
        """`live`: run TorchScript traces of the trunks (engine.traced), as the app does while painting;
        the same numbers, fewer hand-overs of Python's lock to a busy UI thread; tracing costs ~0.5 s once.
        `trunks`: another session's (of the same model), to share its traces instead of making new ones."""
        from jepa_explorer.engine.traced import eager_trunks, trace_trunks

        require_masked_model(model)
        self.model = model
        self.features: InputFeatures | None = None
        self._context_cache: tuple[bytes, np.ndarray, torch.Tensor, np.ndarray] | None = None
        self.trunks = trunks or (trace_trunks(model) if live else eager_trunks(model))

    # -------------------------------------------------------------- per input

    @property
    def grid_shape(self) -> tuple[int, int, int]:
        return self.model.config.encoder.grid_shape

    def set_input(self, media: np.ndarray, force: bool = False) -> InputFeatures:
        """uint8 image [H, W, 3] or clip [T, H, W, 3]; computes and caches the target features."""
        cfg = self.model.config
        media = np.asarray(media)
        if media.dtype != np.uint8 or media.shape[-1] != 3 or media.ndim not in (3, 4):
            raise MediaError(f"expected uint8 RGB image [H, W, 3] or clip [T, H, W, 3], got {media.dtype} {media.shape}.")
        if cfg.encoder.video and media.ndim == 3:
            raise MediaError(f"this is a video model ({cfg.encoder.num_frames} frames); open a clip, not a single image.")
        if not cfg.encoder.video and media.ndim == 4:
            raise MediaError("this is an image model; pick one frame of the clip or open a video model.")
        key = _array_key(media)
        if self.features is not None and self.features.key == key and not force:
            return self.features
        start = time.perf_counter()
        size = cfg.encoder.img_size
        if media.ndim == 4:
            x = clip_tensor(media, size, cfg.encoder.num_frames, cfg.mean, cfg.std)
        else:
            x = image_tensor(media, size, cfg.mean, cfg.std)
        x = x.to(self.model.device)
        with torch.inference_mode():
            tokens = (self.model.encoder.embed_tokens(x), self.model.target_encoder.embed_tokens(x))
            h = self.trunks.target_encoder(tokens[1])
            actual = F.layer_norm(h, (h.size(-1),))[0].float().cpu().numpy()  # [N, D]
        from jepa_explorer.engine.preprocess import denormalise

        if media.ndim == 4:
            pixels = np.stack([denormalise(x[0, :, t], cfg.mean, cfg.std) for t in range(x.shape[2])])
        else:
            pixels = denormalise(x[0], cfg.mean, cfg.std)
        self.features = InputFeatures(key, x, pixels, actual, fit_pca(actual), time.perf_counter() - start, tokens)
        self._context_cache = None
        return self.features

    # -------------------------------------------------------------- per edit

    def _encode_context(self, context_idx: np.ndarray) -> tuple[torch.Tensor, np.ndarray]:
        """(context encoder output [1, K, D], leak-free target-encoder context embeddings [K, D])."""
        key = context_idx.tobytes()
        if self._context_cache is not None and self._context_cache[0] == key:
            return self._context_cache[2], self._context_cache[3]
        # = encoder(x, [idx]) and target_encoder(x, [idx]), from the input's cached tokens
        enc_tokens, target_tokens = self.features.tokens
        idx = torch.from_numpy(context_idx).long().to(enc_tokens.device)
        z = self.trunks.encoder(enc_tokens.index_select(1, idx))
        h = self.trunks.target_encoder(target_tokens.index_select(1, idx))
        context_emb = F.layer_norm(h, (h.size(-1),))[0].float().cpu().numpy()
        self._context_cache = (key, context_idx, z, context_emb)
        return z, context_emb

    def context_embeddings(self, context_idx: np.ndarray) -> np.ndarray:
        """The target encoder's layer-normed embeddings [K, D] of the context patches alone (leak-free: what the
        copy-the-context baselines copy); cached with the context encoding of the last edit."""
        return self._encode_context(np.asarray(context_idx))[1]

    def _run_predictor(self, z: torch.Tensor, context_idx: np.ndarray, masks: PatchMasks) -> list[np.ndarray]:
        """One predicted [M_i, D] per target group (all groups in one call where the predictor allows)."""
        device = z.device
        ctx = torch.from_numpy(context_idx).long().unsqueeze(0).to(device)
        targets = masks.target_indices()
        out: list[np.ndarray | None] = [None] * len(targets)
        predictor = self.model.predictor
        if self.trunks.predictor is not None:
            # every group in one pass (padded or packed, exact either way), not one pass per group
            tgt = [torch.from_numpy(t).long().to(device) for t in targets]
            token_ids = [masks.token_id(i) for i in range(len(targets))]
            for i, pred in enumerate(predictor.forward_groups(z, ctx, tgt, token_ids, trunk=self.trunks.predictor)):
                out[i] = pred.float().cpu().numpy()
        else:
            for i, t in enumerate(targets):
                tgt = torch.from_numpy(t).long().unsqueeze(0).to(device)
                actual = torch.from_numpy(self.features.actual[t]).unsqueeze(0).to(device)
                pred = predictor(z, actual, [ctx], [tgt], mask_index=masks.token_id(i))
                out[i] = pred[0].float().cpu().numpy()
        return out

    def predict(self, masks: PatchMasks, request_id: int | None = None, with_baselines: bool = True) -> Prediction:
        """Predict every target group from the context; distances, baselines and PCA coordinates."""
        if self.features is None:
            raise JepaError("no input yet: call set_input(image) first.")
        if self.model.predictor is None:
            raise JepaError(
                f"{self.model.path}: this checkpoint has no predictor, so prediction is unavailable (features still are)."
            )
        masks.validate(self.grid_shape)
        start = time.perf_counter()
        context_idx = masks.context_indices()
        loss = "l1" if self.model.config.loss == "l1" else "smooth_l1"
        with torch.inference_mode():
            z, context_emb = self._encode_context(context_idx)
            t_context = time.perf_counter()
            predicted = self._run_predictor(z, context_idx, masks)
        t_predictor = time.perf_counter()

        feats = self.features
        groups, pooled = [], {}
        for target_idx, pred in zip(masks.target_indices(), predicted):
            actual = feats.actual[target_idx]
            distances = patch_distances(pred, actual, loss)
            baselines = {}
            if with_baselines:
                for name, guess in baseline_predictions(context_emb, context_idx, target_idx, self.grid_shape).items():
                    baselines[name] = patch_distances(guess, actual, loss)
            groups.append(
                GroupResult(
                    target_idx, pred, actual, distances, baselines, feats.pca.project(pred), nearest_patch(pred, feats.actual)
                )
            )
            for name, values in [("predictor", distances), *baselines.items()]:
                for metric in METRICS:
                    pooled.setdefault(name, {}).setdefault(metric, []).append(values[metric])
        summary = {name: {m: summarise(np.concatenate(v)) for m, v in metrics.items()} for name, metrics in pooled.items()}
        end = time.perf_counter()
        timings = {
            "context_ms": (t_context - start) * 1e3,
            "predictor_ms": (t_predictor - t_context) * 1e3,
            "analysis_ms": (end - t_predictor) * 1e3,
            "total_ms": (end - start) * 1e3,
        }
        return Prediction(
            request_id,
            feats.key,
            masks.copy(),
            context_idx,
            groups,
            summary,
            timings,
        )


__all__ = ["Session", "Prediction", "GroupResult", "InputFeatures", "MaskError"]
