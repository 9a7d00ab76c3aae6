"""Video helpers between media.video and the Session: sample a file the way a video model wants it,
and map token time steps back to source frames (for a timeline under the canvas).

Kept out of ``session.py`` so the session stays media-agnostic: it takes uint8 frames either way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jepa_explorer.media.video import SampledClip, probe_video, read_frames, sample_indices

OFFICIAL_FRAME_STEP = 4  # V-JEPA's pretraining configs sample every 4th frame


def default_stride(frame_count: int, num_frames: int, preferred: int = OFFICIAL_FRAME_STEP) -> int:
    """The official frame step when the video is long enough for it, else the largest step that fits
    (1 for videos shorter than the clip, whose last frame then repeats)."""
    return max(1, min(preferred, frame_count // max(1, num_frames)))


def clip_for_model(model, path: str | Path, stride: int | None = None, start: int = 0, max_side: int | None = 720) -> SampledClip:
    """``num_frames`` frames of a video file or frame folder for a video model (``stride`` None: the
    ``default_stride``). The frames keep their size and aspect; ``Session.set_input`` centre-crops."""
    enc = model.config.encoder
    if not enc.video:
        from jepa_explorer.errors import MediaError

        raise MediaError(f"{path}: this is an image model; open a video model to use a clip, or pick one frame.")
    info = probe_video(path)
    step = default_stride(info.frame_count, enc.num_frames) if stride is None else stride
    try:
        indices = sample_indices(info.frame_count, enc.num_frames, step, start)
    except Exception as e:  # MediaError without the path: name the file
        from jepa_explorer.errors import MediaError

        raise MediaError(f"{info.path}: {e}") from None
    return SampledClip(read_frames(path, indices, max_side, info), indices, info)


def token_steps(indices: np.ndarray, tubelet_size: int) -> list[np.ndarray]:
    """The source frames each token time step covers: tubelet t holds clip frames [t·k, (t+1)·k)."""
    indices = np.asarray(indices)
    return [indices[t : t + tubelet_size] for t in range(0, len(indices), tubelet_size)]


def per_step(heatmap: np.ndarray) -> np.ndarray:
    """float [T]: the mean over each time step's target patches of a [T, H, W] heatmap (NaN where a step
    has no targets): error against horizon for ``future(split=...)`` masks."""
    heatmap = np.asarray(heatmap, dtype=np.float64)
    flat = heatmap.reshape(len(heatmap), -1)
    has = np.isfinite(flat)
    total = np.where(has, flat, 0.0).sum(1)
    count = has.sum(1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


__all__ = ["clip_for_model", "default_stride", "token_steps", "per_step", "OFFICIAL_FRAME_STEP"]
