"""The surface-reproduction tax, measured: add unpredictable high-frequency texture inside the targets
and see how a pixel model's error and the JEPA's embedding error each respond.

A generative model trained on pixels must pay for detail nobody could predict from the context; an
embedding predictor is free to ignore it when the target encoder does. Both numbers come from the
same masks on the same image, once plain and once with the texture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jepa_explorer.engine.pixels import compare_pixels, pixel_region
from jepa_explorer.engine.session import Prediction, Session
from jepa_explorer.masks.grid import PatchMasks


def add_texture(pixels: np.ndarray, region: np.ndarray, strength: float = 0.5, seed: int = 0) -> np.ndarray:
    """uint8 [S, S, 3] with per-pixel random noise (±strength·128 grey levels) inside `region` [S, S]."""
    rng = np.random.default_rng(seed)
    noise = rng.uniform(-1.0, 1.0, size=pixels.shape[:2] + (1,)) * strength * 128.0
    out = pixels.astype(np.float64)
    out[region] += noise[region]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


@dataclass
class SurfaceTax:
    textured: np.ndarray  # uint8 [S, S, 3]: the input with texture inside the targets
    embedding_loss: tuple[float, float]  # JEPA's mean training loss on the targets: plain, textured
    pixel_mse: dict[str, tuple[float, float]]  # model -> mean squared pixel error on the targets: plain, textured
    prediction: Prediction  # the JEPA's prediction on the textured input
    pixels: object  # engine.pixels.PixelComparison of the textured input

    def summary(self) -> str:
        """One line for the pixel panel: how much each error grew with the texture."""
        names = {
            "mae": "MAE pixel error",
            "decoded_prediction": "decoded JEPA pixel error",
            "jepa_embedding": "JEPA embedding error",
        }
        return "With unpredictable texture in the targets: " + ", ".join(
            f"{names[k]} {v:+.0%}" for k, v in self.increase().items()
        )

    def increase(self) -> dict[str, float]:
        """Relative increase of each error when the texture is added (0.5 = +50%)."""
        out = {"jepa_embedding": self.embedding_loss[1] / max(self.embedding_loss[0], 1e-12) - 1.0}
        for name, (plain, textured) in self.pixel_mse.items():
            out[name] = textured / max(plain, 1e-12) - 1.0
        return out


def _mse(image: np.ndarray, reference: np.ndarray, region: np.ndarray) -> float:
    return float(((image[region].astype(np.float64) - reference[region].astype(np.float64)) ** 2).mean())


def surface_tax(
    session: Session, masks: PatchMasks, mae=None, decoder=None, strength: float = 0.5, seed: int = 0, plain=None
) -> SurfaceTax:
    """Plain vs textured targets for one image model; `session` keeps its own (plain) input.

    `plain`: the (Prediction, PixelComparison) the caller already has for these masks on the plain
    input, so the live app does not compute them twice."""
    region = pixel_region(masks.target_union, session.model.config.encoder)
    if plain is None:
        plain_pred = session.predict(masks)
        plain = (plain_pred, compare_pixels(session, plain_pred, mae, decoder))
    plain_pred, plain_pixels = plain

    textured = add_texture(session.features.pixels, region, strength, seed)
    other = Session(session.model, trunks=session.trunks)  # the app's traced trunks, not an eager copy
    other.set_input(textured)
    textured_pred = other.predict(masks)
    textured_pixels = compare_pixels(other, textured_pred, mae, decoder)

    pixel_mse = {}
    for name in ("mae", "decoded_prediction"):
        if name in plain_pixels.images and name in textured_pixels.images:
            pixel_mse[name] = (
                _mse(plain_pixels.images[name], plain_pixels.images["original"], region),
                _mse(textured_pixels.images[name], textured_pixels.images["original"], region),
            )
    loss = (plain_pred.summary["predictor"]["loss"]["mean"], textured_pred.summary["predictor"]["loss"]["mean"])
    return SurfaceTax(textured, loss, pixel_mse, textured_pred, textured_pixels)
