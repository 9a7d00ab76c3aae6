"""Soak: many model switches and edits in one process, resident memory measured as it goes.

What the app does when a user alternates between a photo and a clip: load the image model, open a live
(traced) session, set the input, edit masks; then the same with the video model; repeat. The report
gives resident memory (RSS) after each image<->video round, the drift after the warm-up rounds, and how
many times a checkpoint was really loaded and traced. `cache=False` is the app before the live-model
cache (engine/live_cache.py): every switch loads and traces afresh.
"""

from __future__ import annotations

import ctypes
import gc
import sys
import time
from pathlib import Path


def rss_mb() -> float | None:
    """Resident memory after a garbage collection and, on glibc, returning freed heap pages to the
    system, so that drift means memory still held rather than allocator slack. None where not measurable."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass
        try:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            return None
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == "darwin" else 1024)
    except ImportError:
        return None


def run_soak(
    switches: int = 20,
    edits: int = 5,
    warmup: int = 2,
    cache: bool = True,
    image_checkpoint: str | None = None,
    video_checkpoint: str | None = None,
    device: str | None = "cpu",
) -> dict:
    """`switches` image<->video rounds (each: both models loaded with a live session, input set, `edits`
    predictions); RSS drift counted from the end of round `warmup`."""
    import numpy as np
    import torch

    from jepa_explorer.checkpoints.load import load_model
    from jepa_explorer.engine.live_cache import LiveModelCache, live_session
    from jepa_explorer.engine.session import Session
    from jepa_explorer.errors import JepaError
    from jepa_explorer.masks.generators import future, multiblock
    from jepa_explorer.media.images import load_image
    from jepa_explorer.media.video import sample_clip
    from jepa_explorer.resources import default_checkpoint, default_video_checkpoint, sample_clips, sample_images

    image_checkpoint = image_checkpoint or default_checkpoint()
    video_checkpoint = video_checkpoint or default_video_checkpoint()
    if image_checkpoint is None or video_checkpoint is None or not sample_clips() or not sample_images():
        raise JepaError("bench --soak: needs the bundled image and video models and samples (or pass them).")
    torch.set_num_threads(1)  # what a soak measures is memory, not speed
    photo = load_image(sample_images()[0])
    live_cache = LiveModelCache(2)
    loads = 0
    rounds: list[float | None] = []
    start = time.perf_counter()
    session = None
    for _ in range(switches):
        for checkpoint, video in ((image_checkpoint, False), (video_checkpoint, True)):
            session = None  # the app drops the old session before the new one arrives
            if cache:
                session = live_session(checkpoint, device, cache=live_cache)
            else:
                session = Session(load_model(checkpoint, device), live=True)
                loads += 1
            if video:
                session.set_input(sample_clip(sample_clips()[0], session.model.config.encoder.num_frames, stride=2).frames)
            else:
                session.set_input(photo)
            for e in range(edits):
                grid = session.grid_shape
                session.predict(future(grid, context_steps=1 + e % (grid[0] - 1)) if video else multiblock(grid, seed=e))
        rounds.append(rss_mb())
    session = None
    seconds = time.perf_counter() - start
    measured = [r for r in rounds if r is not None]
    drift = rounds[-1] - rounds[warmup - 1] if len(measured) == len(rounds) and len(rounds) > warmup else None
    return {
        "switches": switches,
        "edits_per_switch": edits,
        "cache": cache,
        "loads_and_traces": live_cache.loads if cache else loads,
        "rss_mb_per_round": [round(r, 1) for r in measured],
        "rss_mb_after_warmup": round(rounds[warmup - 1], 1) if drift is not None else None,
        "rss_mb_end": round(rounds[-1], 1) if measured else None,
        "rss_drift_mb": round(drift, 1) if drift is not None else None,
        "rss_drift_mb_per_switch": round(drift / (switches - warmup), 2) if drift is not None else None,
        "seconds": round(seconds, 1),
        "checkpoints": [str(Path(image_checkpoint)), str(Path(video_checkpoint))],
        "photo_shape": list(np.shape(photo)),
    }
