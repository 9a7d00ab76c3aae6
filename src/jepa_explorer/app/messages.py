"""The plain data the model worker and the app model exchange (numpy and dataclasses, never torch or Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

RANDOM_INIT = "<random-init>"  # the model source meaning "new_jepa(): untrained"


@dataclass
class ModelInfo:
    """What the app needs to know about the loaded model."""

    name: str
    source: str
    family: str
    grid_shape: tuple[int, int, int]
    img_size: int
    patch_size: int
    card: dict
    notes: list[str]
    device: str
    devices: list[str]
    untrained: bool
    has_predictor: bool
    video: bool
    parameters: dict = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class InputView:
    """The per-input results the panels show (what the target encoder made of the whole input)."""

    request_id: int
    key: str
    pixels: np.ndarray  # uint8 [S, S, 3] (the model-size square view)
    actual: np.ndarray  # [N, D]
    actual_pca: np.ndarray  # [N, k]
    actual_rgb: np.ndarray  # uint8 [N, 3] PCA colours
    pca: object  # analysis.pca.PcaBasis (numpy only)
    seconds: float


@dataclass
class ClipView:
    """A video opened for a video model: its sampled frames as the canvas shows them, per token step."""

    request_id: int
    path: str
    display: list  # uint8 [S, S, 3] per token time step (the first frame of each tubelet), centre-cropped
    steps: list  # per token time step, the source frame indices it covers
    info: dict  # media.video.VideoInfo.to_dict()
    stride: int  # source frames between two sampled frames
    indices: list = field(default_factory=list)  # the source frame of every sampled clip frame


@dataclass
class WorkerError:
    stage: str  # "model", "device", "input", "clip", "masks", "companion"
    message: str
    request_id: int | None = None
    internal: bool = False
