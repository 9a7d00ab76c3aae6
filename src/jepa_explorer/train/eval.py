"""`jepa-explorer eval CHECKPOINT`: honest measurements of a bundled JEPA (see reference/evaluation.md).

- Prediction, per domain (held-out photographs, held-out procedural seeds), multiblock masks: the
  predictor's mean per-patch training loss and cosine distance against the *leak-free* trivial
  baselines (target encoder run on the context only: nearest context patch, mean context), and
  gain = 1 - predictor / best baseline. Never averaged across domains.
- Collapse: per-dimension std and effective rank of held-out patch embeddings, beside a randomly
  initialised encoder of the same shape.
- Representation: kNN (k=20) and linear probes on mean-pooled features for a held-out labelled task,
  beside a random-init encoder and raw pixels.
- Pixels: PSNR on the target region of the MAE reconstruction, the decoder on actual embeddings and the
  decoder on predicted embeddings.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from jepa_explorer.analysis.distances import METRICS
from jepa_explorer.engine.session import Session
from jepa_explorer.masks.generators import multiblock

PROBE_SIZES = (600, 400)  # probe images: train, test


def eval_prediction(model, images: np.ndarray, masks_per_image: int = 4, seed: int = 0) -> dict:
    """Mean over all target patches of every image and mask; per predictor / baseline and metric."""
    session = Session(model)
    pooled: dict[str, dict[str, list[np.ndarray]]] = {}
    for i, image in enumerate(images):
        session.set_input(image)
        for k in range(masks_per_image):
            result = session.predict(multiblock(session.grid_shape, seed=seed * 1_000_003 + i * masks_per_image + k))
            for g in result.groups:
                for name, values in [("predictor", g.distances), *g.baselines.items()]:
                    for metric in ("loss", "cosine"):
                        pooled.setdefault(name, {}).setdefault(metric, []).append(values[metric])
    return {"images": len(images), "masks_per_image": masks_per_image, **means_and_gains(pooled)}


def means_and_gains(pooled: dict[str, dict[str, list[np.ndarray]]]) -> dict:
    """{"mean": name -> metric -> mean over all target patches, "gain": metric -> best baseline and
    1 - predictor / best baseline}, from per-patch values pooled over images and masks."""
    means = {name: {m: float(np.concatenate(v).mean()) for m, v in metrics.items()} for name, metrics in pooled.items()}
    gains = {}
    for metric in ("loss", "cosine"):
        best = min((n for n in means if n != "predictor"), key=lambda n: means[n][metric])
        gains[metric] = {"best_baseline": best, "gain": 1.0 - means["predictor"][metric] / means[best][metric]}
    return {"mean": means, "gain": gains}


@torch.inference_mode()
def patch_embeddings(encoder, images: np.ndarray, mean, std, batch: int = 64) -> np.ndarray:
    """Layer-normed encoder outputs for uint8 images [N, S, S, 3] -> [N, P, D]."""
    from jepa_explorer.engine.preprocess import image_tensor

    size = encoder.cfg.img_size
    device = next(encoder.parameters()).device
    out = []
    for start in range(0, len(images), batch):
        x = torch.cat([image_tensor(im, size, mean, std) for im in images[start : start + batch]]).to(device)
        h = encoder(x)
        out.append(F.layer_norm(h, (h.size(-1),)).float().cpu().numpy())
    return np.concatenate(out)


def collapse_stats(embeddings: np.ndarray) -> dict:
    """Per-dimension std (mean over dims) and effective rank of [N, P, D] patch embeddings."""
    flat = embeddings.reshape(-1, embeddings.shape[-1]).astype(np.float64)
    flat = flat - flat.mean(0)
    singular = np.linalg.svd(flat, compute_uv=False)
    p = singular / singular.sum()
    p = p[p > 0]
    return {
        "mean_dim_std": float(flat.std(0).mean()),
        "effective_rank": float(np.exp(-(p * np.log(p)).sum())),
        "dims": flat.shape[1],
    }


def probe_scores(train_x, train_y, test_x, test_y, seed: int = 0) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    # one thread for BLAS and OpenMP (scikit-learn sums the logistic loss's gradient in OpenMP threads): lbfgs
    # stops at its tolerance, and where it stops depends on the summation order, which threads change
    with threadpool_limits(limits=1):
        knn = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=20)).fit(train_x, train_y)
        linear = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0, random_state=seed))
        linear.fit(train_x, train_y)
        return {"knn20": float(knn.score(test_x, test_y)), "linear": float(linear.score(test_x, test_y))}


def random_init_like(model, seed: int = 0):
    from jepa_explorer.models.vit import VisionTransformer

    torch.manual_seed(seed)
    return VisionTransformer(model.config.encoder).eval().requires_grad_(False).to(model.device)


def eval_probes(model, size: int, n_train: int, n_test: int, seed: int = 0) -> dict:
    from jepa_explorer.train.data import PROBE_CLASSES, probe_dataset

    train_images, train_labels, test_images, test_labels = probe_dataset(n_train=n_train, n_test=n_test, size=size, seed=seed)
    cfg = model.config
    rows = {}
    for name, encoder in [("trained", model.target_encoder), ("random_init", random_init_like(model, seed))]:
        tr = patch_embeddings(encoder, train_images, cfg.mean, cfg.std).mean(1)
        te = patch_embeddings(encoder, test_images, cfg.mean, cfg.std).mean(1)
        rows[name] = probe_scores(tr, train_labels, te, test_labels, seed)

    def pixels(images):  # raw pixels at 16 px, the same budget for both probes
        from PIL import Image

        return np.stack(
            [np.asarray(Image.fromarray(im).resize((16, 16), Image.BILINEAR), dtype=np.float32).ravel() for im in images]
        )

    rows["raw_pixels"] = probe_scores(pixels(train_images), train_labels, pixels(test_images), test_labels, seed)
    return {
        "task": "texture family: " + ", ".join(PROBE_CLASSES),
        "classes": int(len(np.unique(train_labels))),
        "n_train": len(train_labels),
        "n_test": len(test_labels),
        "chance": float(1.0 / len(np.unique(train_labels))),
        "scores": rows,
    }


def eval_pixels(model, images: np.ndarray, mae=None, decoder=None, seed: int = 0) -> dict:
    from jepa_explorer.engine.pixels import compare_pixels

    session = Session(model)
    scores: dict[str, list[float]] = {}
    for i, image in enumerate(images):
        session.set_input(image)
        result = session.predict(multiblock(session.grid_shape, seed=seed * 1_000_003 + i), with_baselines=False)
        comparison = compare_pixels(session, result, mae, decoder)
        for name, value in comparison.psnr.items():
            if name != "masked":
                scores.setdefault(name, []).append(value)
    return {name: float(np.mean(v)) for name, v in scores.items()}


def evaluate(
    checkpoint,
    n_images: int = 200,
    masks_per_image: int = 4,
    mae=None,
    decoder=None,
    probe_sizes=PROBE_SIZES,
    device=None,
    seed: int = 0,
    split: str = "test",
) -> dict:
    from jepa_explorer.checkpoints.companions import load_decoder, load_mae
    from jepa_explorer.checkpoints.load import load_model
    from jepa_explorer.train.data import eval_images, validation_images

    if split not in ("test", "validation"):
        raise ValueError(f"split must be test or validation, got {split!r}")
    images_for = eval_images if split == "test" else validation_images

    started = time.perf_counter()
    model = load_model(checkpoint, device)
    size = model.config.encoder.img_size
    report: dict = {
        "checkpoint": str(checkpoint),
        "companions": {"mae": mae, "decoder": decoder},
        "split": split,
        "seed": seed,
        "prediction": {},
        "collapse": {},
        "heldout": {},
    }
    domains = {}
    for domain in ("photos", "procedural"):
        domains[domain] = images_for(domain=domain, size=size, n=n_images)
        report["heldout"][domain] = int(len(domains[domain]))
        report["prediction"][domain] = eval_prediction(model, domains[domain], masks_per_image, seed)
    both = np.concatenate([domains["photos"][:100], domains["procedural"][:100]])
    report["collapse"]["trained"] = collapse_stats(
        patch_embeddings(model.target_encoder, both, model.config.mean, model.config.std)
    )
    report["collapse"]["random_init"] = collapse_stats(
        patch_embeddings(random_init_like(model, seed), both, model.config.mean, model.config.std)
    )
    if probe_sizes:
        report["probe"] = eval_probes(model, size, *probe_sizes, seed=seed)
    mae_model = load_mae(mae, device)[0] if mae else None
    decoder_model = load_decoder(decoder, device)[0] if decoder else None
    if mae_model is not None or decoder_model is not None:
        report["pixels_psnr_db"] = {d: eval_pixels(model, domains[d][:100], mae_model, decoder_model, seed) for d in domains}
    report["metric_names"] = list(METRICS)
    companions = "".join(f" --{k} {Path(v).as_posix()}" for k, v in (("mae", mae), ("decoder", decoder)) if v)
    report["command"] = (
        f"jepa-explorer eval {Path(checkpoint).as_posix()} --n {n_images} --masks {masks_per_image} --seed {seed}"
        + (f" --split {split}" if split != "test" else "")
        + companions
    )
    report["seconds"] = time.perf_counter() - started
    return report
