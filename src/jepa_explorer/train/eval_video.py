"""`eval` for video JEPAs: prediction error against leak-free copy baselines on held-out clips, per mask
kind, and a motion probe that a single frame cannot answer.

Baselines (reference/evaluation.md) see only the context: the target encoder run on the context
tokens, then copy the nearest context patch, the mean context embedding, or the same (row, column)
in the latest context time step.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from jepa_explorer.engine.session import Session
from jepa_explorer.masks.generators import future, multiblock3d

MASK_KINDS = {
    "future (first half -> second half)": lambda grid, seed: future(grid),
    "multiblock3d short": lambda grid, seed: multiblock3d(grid, seed=seed, set="short"),
    "multiblock3d long": lambda grid, seed: multiblock3d(grid, seed=seed, set="long"),
}


FUTURE = "future (first half -> second half)"
MOTION_PROBE_SIZES = (1024, 512)  # probe clips: train, test
# held-out domains: the procedural clips (the report's "prediction", as before), and under "domains" clips made
# from held-out photographs and real recorded footage, each held out by source (test and validation apart)
DOMAINS = ("procedural", "photo_motion", "real_footage")


def domain_clips(domain: str, n: int, size: int, num_frames: int, seed: int, split: str) -> tuple[np.ndarray, str]:
    """(held-out clips uint8 [n, T, S, S, 3], what they are) of one domain and split."""
    if domain == "procedural":
        from jepa_explorer.train.clips import eval_clips

        tag = "held-out procedural clips (seed tag 11)" if split == "test" else "validation clips (seed tag 15)"
        return eval_clips(n, size, num_frames, seed, split), tag
    if domain == "photo_motion":
        from jepa_explorer.train.photo_motion import eval_photo_clips

        which = (
            "the committed held-out photographs, seed tag 17"
            if split == "test"
            else "the locally gathered held-out photographs, seed tag 18"
        )
        return eval_photo_clips(n, size, num_frames, seed, split), f"photo-motion clips ({which})"
    if domain == "real_footage":
        from jepa_explorer.train.footage import footage_clips, split_footage

        names = ", ".join(f"{r['source']} {r['name']}" for r, _ in split_footage(split))
        return footage_clips(n, size, num_frames, seed, split), f"real footage, {split} source ({names}), windows inside one shot"
    from jepa_explorer.errors import JepaError

    raise JepaError(f"eval: unknown video domain '{domain}'; use one or more of {', '.join(DOMAINS)} (comma-separated).")


def eval_video_prediction(model, clips: np.ndarray, seed: int = 0, decoder=None) -> tuple[dict, dict | None]:
    """(per mask kind: means and gains vs the baselines, future-frame pixel PSNRs when a decoder is given)."""
    session = Session(model)
    pooled: dict[str, dict[str, dict[str, list]]] = {kind: {} for kind in MASK_KINDS}
    psnrs: dict[str, list[float]] = {}
    for i, clip in enumerate(clips):
        session.set_input(clip)
        for kind, make in MASK_KINDS.items():
            result = session.predict(make(session.grid_shape, seed * 1_000_003 + i))
            for g in result.groups:
                for name, values in [("predictor", g.distances), *g.baselines.items()]:
                    for metric in ("loss", "cosine"):
                        pooled[kind].setdefault(name, {}).setdefault(metric, []).append(values[metric])
            if decoder is not None and kind == FUTURE:
                for name, value in _future_psnr(session, result, decoder).items():
                    psnrs.setdefault(name, []).append(value)
    from jepa_explorer.train.eval import means_and_gains

    prediction = {kind: {"clips": len(clips), **means_and_gains(names)} for kind, names in pooled.items()}
    return prediction, ({name: float(np.mean(v)) for name, v in psnrs.items()} if psnrs else None)


def _future_psnr(session, result, decoder) -> dict[str, float]:
    """PSNR (dB) on the future frames: decoded actual and predicted embeddings, copying the last
    context frame (the pixel-space version of the copy baseline), and the same decoder given the
    last-context-step baseline's embeddings instead of the prediction: what the decoder makes of
    an embedding that says "nothing changed" (for a reference decoder, how much of its gain over a
    copy is the decoder's own and not the predictor's)."""
    from jepa_explorer.analysis.baselines import last_context_step
    from jepa_explorer.engine.pixels import compare_pixels, pixel_region, psnr

    context_idx = result.context_indices
    context_emb = session.context_embeddings(context_idx)
    copied = [last_context_step(context_emb, context_idx, g.target_indices, session.grid_shape) for g in result.groups]
    comparison = compare_pixels(session, result, None, decoder, also={"decoded_last_context_step": copied})
    enc = session.model.config.encoder
    masks = result.masks
    region = pixel_region(masks.target_union, enc)
    frames = comparison.images["original"]
    last_context = int(np.flatnonzero(masks.context.any(axis=(1, 2)))[-1] + 1) * enc.tubelet_size - 1
    copy = np.repeat(frames[last_context : last_context + 1], len(frames), axis=0)
    return {
        "decoded_actual": comparison.psnr["decoded_actual"],
        "decoded_prediction": comparison.psnr["decoded_prediction"],
        "copy_last_context_frame": psnr(copy, frames, region),
        "decoded_last_context_step": comparison.psnr["decoded_last_context_step"],
    }


@torch.inference_mode()
def _clip_features(encoder, clips: np.ndarray, owner_config, video: bool) -> dict[str, np.ndarray]:
    """Pooled features per clip, two ways (layer-normed tokens, as the targets are):

    - ``mean``: the mean over every token, space and time. It cannot tell the order of events: a sprite
      moving right and one moving left through the same places average to the same vector;
    - ``temporal_contrast``: that mean, beside the mean of the clip's second half of time steps minus the
      mean of its first half (fixed, parameter-free; the probe stays linear). What changed over the clip is
      what a direction probe needs to see.
    A single-frame encoder sees the middle frame only; both of its poolings are its mean.
    """
    from jepa_explorer.engine.preprocess import clip_tensor, image_tensor

    enc = owner_config.encoder
    device = next(encoder.parameters()).device
    out: dict[str, list] = {"mean": [], "temporal_contrast": []}
    for clip in clips:
        if video:
            x = clip_tensor(clip, enc.img_size, len(clip), owner_config.mean, owner_config.std)
        else:
            x = image_tensor(clip[len(clip) // 2], enc.img_size, owner_config.mean, owner_config.std)
        h = encoder(x.to(device))
        h = torch.nn.functional.layer_norm(h, (h.size(-1),))[0].float()
        mean = h.mean(0)
        out["mean"].append(mean.cpu().numpy())
        if video:
            steps = h.reshape(enc.grid_shape[0], -1, h.size(-1)).mean(1)  # [T, D]
            half = len(steps) // 2
            change = steps[half:].mean(0) - steps[:half].mean(0)
            out["temporal_contrast"].append(torch.cat([mean, change]).cpu().numpy())
        else:
            out["temporal_contrast"].append(mean.cpu().numpy())
    return {name: np.stack(rows) for name, rows in out.items()}


def eval_motion_probe(
    model, image_model=None, n_train: int = MOTION_PROBE_SIZES[0], n_test: int = MOTION_PROBE_SIZES[1], seed: int = 0
) -> dict:
    """The direction of the main sprite, probed (kNN-20 and linear) on temporal-contrast pooled features
    (``scores``) and, for comparison, on plain mean-pooled ones (``scores_mean_pooled``)."""
    from jepa_explorer.train.clips import MOTION_CLASSES, motion_probe
    from jepa_explorer.train.eval import probe_scores, random_init_like

    enc = model.config.encoder
    x_train, y_train, x_test, y_test = motion_probe(n_train, n_test, enc.img_size, enc.num_frames, seed)
    rows, mean_rows = {}, {}
    candidates = [
        ("video_trained", model.target_encoder, model, True),
        ("video_random_init", random_init_like(model, seed), model, True),
    ]
    if image_model is not None:
        candidates.append(("single_frame_image_jepa", image_model.target_encoder, image_model, False))
    for name, encoder, owner, video in candidates:
        train = _clip_features(encoder, x_train, owner.config, video)
        test = _clip_features(encoder, x_test, owner.config, video)
        rows[name] = probe_scores(train["temporal_contrast"], y_train, test["temporal_contrast"], y_test, seed)
        mean_rows[name] = probe_scores(train["mean"], y_train, test["mean"], y_test, seed)
    middle = len(x_train[0]) // 2
    rows["middle_frame_pixels"] = probe_scores(
        x_train[:, middle].reshape(len(x_train), -1).astype(np.float32),
        y_train,
        x_test[:, middle].reshape(len(x_test), -1).astype(np.float32),
        y_test,
        seed,
    )
    return {
        "task": "direction of the main sprite: " + ", ".join(MOTION_CLASSES),
        "chance": 1.0 / len(MOTION_CLASSES),
        "n_train": n_train,
        "n_test": n_test,
        "pooling": "temporal contrast: mean over all tokens, and the second half of time steps' mean minus the first half's",
        "scores": rows,
        "scores_mean_pooled": mean_rows,
    }


def evaluate_video(
    checkpoint,
    n_clips: int = 64,
    image_model=None,
    probe=MOTION_PROBE_SIZES,
    device=None,
    seed: int = 0,
    decoder=None,
    split: str = "test",
    domains=DOMAINS,
) -> dict:
    """The report: ``prediction`` (and ``future_pixels_psnr_db`` with a decoder) on the procedural clips, and
    per further domain of ``domains`` the same under ``domains[name]`` (or ``skipped`` with the reason when
    its held-out data is not on this machine, e.g. the validation photographs or footage gathered locally)."""
    from jepa_explorer.checkpoints.load import load_model

    started = time.perf_counter()
    model = load_model(checkpoint, device)
    enc = model.config.encoder
    decoder_model = None
    if decoder:
        from jepa_explorer.checkpoints.companions import load_decoder

        decoder_model = load_decoder(decoder, model.device)[0].eval()
    report = {"checkpoint": str(checkpoint), "seed": seed, "split": split}
    for domain in domains:
        try:
            clips, source = domain_clips(domain, n_clips, enc.img_size, enc.num_frames, seed, split)
        except (FileNotFoundError, ImportError) as e:  # data gathered locally (or PyAV) absent: say so, go on
            report.setdefault("domains", {})[domain] = {"skipped": str(e)}
            continue
        prediction, pixels = eval_video_prediction(model, clips, seed, decoder_model)
        if domain == "procedural":
            report.update(domain=source, prediction=prediction)
            if pixels is not None:
                report["future_pixels_psnr_db"] = pixels
            continue
        entry = {"source": source, "prediction": prediction}
        if pixels is not None:
            entry["future_pixels_psnr_db"] = pixels
        report.setdefault("domains", {})[domain] = entry
    if probe:
        image = load_model(image_model, device) if image_model else None
        report["motion_probe"] = eval_motion_probe(model, image, *probe, seed=seed)
    report["command"] = (
        f"jepa-explorer eval {checkpoint} --n {n_clips} --seed {seed}"
        + (f" --image-model {image_model}" if image_model else "")
        + (f" --decoder {decoder}" if decoder else "")
        + (f" --split {split}" if split != "test" else "")
        + (f" --domains {','.join(domains)}" if tuple(domains) != DOMAINS else "")
    )
    report["seconds"] = time.perf_counter() - started
    return report
