"""Reading what the user opens, apart from showing it: the part that touches the file (decoding a picture,
probing a video's header, reading and checking a scene and its picture) may be slow or, on a pipe or a
hung device, never end, so the window runs it off the UI thread (gui/probe.py) and hands the result to
the app model (``AppModel.show_input``, ``AppModel.apply_scene``). No Qt; each function raises JepaError
saying what is wrong, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jepa_explorer.app.inputs import is_video_path
from jepa_explorer.app.scene import Scene, load_scene


@dataclass
class ReadInput:
    path: str
    kind: str  # "image" or "clip"
    rgb: np.ndarray | None = None  # the decoded picture; a clip is decoded by the worker, for its model


@dataclass
class ReadScene:
    path: str
    scene: Scene
    rgb: np.ndarray | None = None  # its picture, decoded (None: a clip, probed, or the demo picture)


def read_input(path: str | Path) -> ReadInput:
    """A picture decoded, or a video's header read (a broken file is refused before anything changes)."""
    if is_video_path(path):
        from jepa_explorer.media.video import probe_video

        probe_video(path)
        return ReadInput(str(path), "clip")
    from jepa_explorer.media.images import load_image

    return ReadInput(str(path), "image", load_image(path))


def read_scene(path: str | Path) -> ReadScene:
    """A scene checked against its schema, with its picture decoded or its video probed."""
    scene = load_scene(path)
    rgb = None
    if scene.image:
        rgb = read_input(scene.image).rgb
    return ReadScene(str(path), scene, rgb)


__all__ = ["ReadInput", "ReadScene", "read_input", "read_scene"]
