"""What the app model knows about inputs and the models they need: the input on screen, the input asked
for last (with the model it was asked for), and which checkpoints are video models before they load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jepa_explorer.app.messages import RANDOM_INIT, ClipView
from jepa_explorer.media.video import VIDEO_SUFFIXES
from jepa_explorer.resources import default_checkpoint, default_video_checkpoint


def is_video_path(path: str | Path) -> bool:
    """A video file or a folder of frames (both open as clips)."""
    path = Path(path)
    return path.is_dir() or path.suffix.lower() in VIDEO_SUFFIXES


def same_source(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a.startswith("<") or b.startswith("<"):
        return a == b
    return Path(a).resolve() == Path(b).resolve()


def model_kind(source: str | None) -> bool | None:
    """Whether a checkpoint source is a video model, where that is known before loading it (the bundled
    defaults, the random init); None for other checkpoints until they have loaded."""
    if source is None or source == RANDOM_INIT:
        return False
    for default, video in ((default_video_checkpoint(), True), (default_checkpoint(), False)):
        if default is not None and same_source(source, str(default)):
            return video
    return None


@dataclass
class Input:
    """The input on screen: a picture or a clip (a later kind, a world, plugs in beside them)."""

    kind: str  # "image" or "clip"
    path: str | None  # None: the generated demo picture
    request_id: int
    rgb: np.ndarray  # the picture as opened (image) or the clip's display frames stacked [T, S, S, 3]
    frames: list  # uint8 [S, S, 3] per time step, as the canvas shows it (a picture: one)
    pixel_square: np.ndarray | None = None  # the pixel panel's smaller square (images)
    clip: ClipView | None = None


@dataclass
class InputRequest:
    """The input asked for last, with the model it was asked for (and the one it replaced, to go back to)."""

    kind: str
    path: str | None
    request_id: int
    model: str | None
    start: int = 0
    replaced_model: tuple | None = None  # (source, video, masks) when this request switched the model
