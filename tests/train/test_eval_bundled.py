"""The bundled ijepa-tiny beats the leak-free baselines on held-out sources (a small, fast subset of `eval`)."""

import numpy as np
import pytest

from jepa_explorer.checkpoints.load import load_model
from jepa_explorer.resources import default_checkpoint
from jepa_explorer.train.data import eval_images
from jepa_explorer.train.eval import collapse_stats, eval_prediction, patch_embeddings


@pytest.fixture(scope="module")
def bundled():
    path = default_checkpoint()
    assert path is not None, "checkpoints/ijepa-tiny is the app's default and must ship with the repo"
    return load_model(path, "cpu")


@pytest.mark.parametrize("domain", ["photos", "procedural"])
def test_predictor_beats_leak_free_baselines(bundled, domain):
    images = eval_images(domain=domain, size=bundled.config.encoder.img_size, n=12)
    report = eval_prediction(bundled, images, masks_per_image=2, seed=7)
    means = report["mean"]
    assert set(means) == {"predictor", "nearest_context", "mean_context"}
    for metric in ("loss", "cosine"):
        best = min(means["nearest_context"][metric], means["mean_context"][metric])
        assert means["predictor"][metric] < best, f"{domain} {metric}: {means}"
        assert report["gain"][metric]["gain"] > 0.0


def test_no_collapse(bundled):
    images = np.concatenate([eval_images("photos", 64, 8), eval_images("procedural", 64, 8)])
    stats = collapse_stats(patch_embeddings(bundled.target_encoder, images, bundled.config.mean, bundled.config.std))
    assert stats["mean_dim_std"] > 0.2 and stats["effective_rank"] > 10


def test_card_carries_measured_metrics(bundled):
    metrics = bundled.card.get("metrics")
    assert metrics, "run `jepa-explorer eval checkpoints/ijepa-tiny --write-card`"
    for domain in ("photos", "procedural"):
        assert metrics["prediction"][domain]["gain"]["loss"]["gain"] > 0
