"""`jepa-explorer bench`: latency and memory figures, measured as ratios within one run.

Targets (issue 3, 2-core CPU, default checkpoint): edit -> distances p50 <= 15 ms, incremental >= 3x
faster than a full recompute, peak RSS <= 600 MB. They are reported, never asserted in tests.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGETS = {"edit_p50_ms": 15.0, "incremental_speedup": 3.0, "peak_rss_mb": 600.0}


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def _brush_edits(masks, steps: int, seed: int = 0):
    """A scripted painting session: each step moves a 1-patch brush one cell and toggles what it covers."""
    rng = np.random.default_rng(seed)
    t_len, height, width = masks.grid_shape
    row, col = height // 2, width // 2
    current = masks.copy()
    for step in range(steps):
        row = int(np.clip(row + rng.integers(-1, 2), 0, height - 1))
        col = int(np.clip(col + rng.integers(-1, 2), 0, width - 1))
        edited = current.copy()
        if step % 2 == 0:  # paint target
            edited.targets[0][:, row, col] = True
            edited.context[:, row, col] = False
        else:  # paint context: a patch is never both
            for target in edited.targets:
                target[:, row, col] = False
            edited.context[:, row, col] = True
        edited = edited.without_empty_targets()
        if edited.context.any() and edited.targets:
            current = edited
        yield current


def _time_edits(session, masks, edits: int, warm_up: int = 5) -> list[float]:
    """Milliseconds per `predict` over a scripted brush stroke (after a warm-up: allocator, kernels)."""
    for warm in _brush_edits(masks, warm_up, seed=1):
        session.predict(warm)
    times = []
    for edited in _brush_edits(masks, edits, seed=2):
        start = time.perf_counter()
        session.predict(edited)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def run_bench(checkpoint: str | None = None, image: str | None = None, edits: int = 100, device: str | None = None) -> dict:
    import torch

    from jepa_explorer.checkpoints.bundle import save_bundle
    from jepa_explorer.checkpoints.load import load_model
    from jepa_explorer.engine.session import Session
    from jepa_explorer.masks.generators import multiblock
    from jepa_explorer.media.images import load_image
    from jepa_explorer.models.factory import new_jepa
    from jepa_explorer.resources import default_checkpoint, sample_images

    report: dict = {"torch": torch.__version__, "threads": torch.get_num_threads(), "targets": TARGETS}
    with tempfile.TemporaryDirectory() as tmp:
        source = checkpoint or default_checkpoint()
        if source is None:
            # no bundled checkpoint yet: time the default architecture with random weights
            fresh = new_jepa()
            source = save_bundle(
                Path(tmp) / "random-init",
                {"encoder": fresh.encoder, "target_encoder": fresh.target_encoder, "predictor": fresh.predictor},
                {"name": "random-init ijepa-tiny shape", "kind": "jepa", "family": "ijepa"},
            )
            report["checkpoint_note"] = "no bundled checkpoint: default architecture with random weights"
        start = time.perf_counter()
        model = load_model(source, device)
        report["model_load_ms"] = (time.perf_counter() - start) * 1e3
    report["checkpoint"] = str(source)
    report["device"] = str(model.device)
    report["grid"] = list(model.config.encoder.grid_shape)
    if model.config.encoder.video:
        raise SystemExit("bench: video models are benchmarked by the video issue's bench; pass an image checkpoint.")

    samples = sample_images()
    if image:
        pixels = load_image(image)
    elif samples:
        pixels = load_image(samples[0])
    else:
        pixels = (np.random.default_rng(0).random((256, 256, 3)) * 255).astype(np.uint8)
    # the app's configuration (traced trunks), and the plain eager modules beside it in the same run
    eager = Session(model)
    eager.set_input(pixels)
    start = time.perf_counter()
    session = Session(model, live=True)
    report["trace_ms"] = (time.perf_counter() - start) * 1e3
    report["traced"] = session.trunks.traced
    session.set_input(pixels)
    masks = multiblock(session.grid_shape, seed=0)
    edit_ms = _time_edits(session, masks, edits)
    report["edit_eager_p50_ms"] = float(np.percentile(_time_edits(eager, masks, edits), 50))

    full_ms = []
    for edited in list(_brush_edits(masks, max(10, edits // 5), seed=3)):
        start = time.perf_counter()
        session.set_input(pixels, force=True)
        session.predict(edited)
        full_ms.append((time.perf_counter() - start) * 1e3)

    p50 = float(np.percentile(edit_ms, 50))
    report.update(
        edit_p50_ms=p50,
        edit_p95_ms=float(np.percentile(edit_ms, 95)),
        full_recompute_p50_ms=float(np.percentile(full_ms, 50)),
        incremental_speedup=float(np.percentile(full_ms, 50) / p50),
        peak_rss_mb=_peak_rss_mb(),
    )
    report["meets_targets"] = {
        "edit_p50_ms": report["edit_p50_ms"] <= TARGETS["edit_p50_ms"],
        "incremental_speedup": report["incremental_speedup"] >= TARGETS["incremental_speedup"],
        "peak_rss_mb": report["peak_rss_mb"] <= TARGETS["peak_rss_mb"],
    }
    return report


VIDEO_TARGETS = {"video_edit_p50_ms": 100.0}  # issue 6: an edit on a clip, default video checkpoint, 2-core CPU


def run_video_bench(checkpoint: str | None = None, clip: str | None = None, edits: int = 40, device: str | None = None) -> dict:
    """Video figures: clip decode + encode, and mask edit -> distances while painting tubes on the clip."""
    from jepa_explorer.checkpoints.load import load_model
    from jepa_explorer.engine.session import Session
    from jepa_explorer.engine.video import clip_for_model
    from jepa_explorer.masks.generators import multiblock3d
    from jepa_explorer.resources import default_video_checkpoint, sample_clips

    source = checkpoint or default_video_checkpoint()
    clips = [clip] if clip else sample_clips()
    if source is None or not clips:
        return {"skipped": "no video checkpoint or clip bundled"}
    report: dict = {"targets": VIDEO_TARGETS, "checkpoint": str(source), "clip": str(clips[0])}
    model = load_model(source, device)
    report["grid"] = list(model.config.encoder.grid_shape)
    start = time.perf_counter()
    sampled = clip_for_model(model, clips[0])
    report["decode_ms"] = (time.perf_counter() - start) * 1e3
    session = Session(model, live=True)  # as the app runs it
    start = time.perf_counter()
    session.set_input(sampled.frames)
    report["encode_clip_ms"] = (time.perf_counter() - start) * 1e3
    masks = multiblock3d(session.grid_shape, seed=0)
    edit_ms = _time_edits(session, masks, edits, warm_up=3)  # the brush paints tubes through every step
    report.update(video_edit_p50_ms=float(np.percentile(edit_ms, 50)), video_edit_p95_ms=float(np.percentile(edit_ms, 95)))
    report["meets_targets"] = {"video_edit_p50_ms": report["video_edit_p50_ms"] <= VIDEO_TARGETS["video_edit_p50_ms"]}
    return report
