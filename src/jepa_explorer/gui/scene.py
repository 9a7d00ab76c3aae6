"""Scenes: a checkpoint, an image, the masks and the view settings as one JSON file (no Qt here).

Paths are stored absolute and relative to the scene file, so a scene folder moved with its image
still opens.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from jepa_explorer.errors import JepaError, MaskError
from jepa_explorer.masks.grid import PatchMasks

SCENE_FORMAT = "jepa-explorer-scene/1"


class SceneError(JepaError):
    """A scene file that cannot be read."""


@dataclass
class Scene:
    checkpoint: str | None  # a path, the random-init marker, or None for the default model
    image: str | None  # None: the generated demo image
    masks: PatchMasks | None
    view: dict = field(default_factory=dict)  # metric, tool, brush size, ...


def _relative(path: str | None, base: Path) -> str | None:
    if not path or path.startswith("<"):
        return None
    try:
        return os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return None


def save_scene(scene: Scene, path: str | Path) -> None:
    path = Path(path)
    base = path.resolve().parent
    record = {
        "format": SCENE_FORMAT,
        "checkpoint": scene.checkpoint,
        "checkpoint_relative": _relative(scene.checkpoint, base),
        "image": scene.image,
        "image_relative": _relative(scene.image, base),
        "masks": scene.masks.to_dict() if scene.masks is not None else None,
        "view": scene.view,
    }
    try:
        path.write_text(json.dumps(record, indent=1))
    except OSError as e:
        raise SceneError(f"{path}: cannot write the scene ({e.strerror}).") from None


def _resolve(record: dict, key: str, base: Path) -> str | None:
    value = record.get(key)
    if not value or str(value).startswith("<"):
        return value
    if Path(value).exists():
        return value
    relative = record.get(f"{key}_relative")
    if relative and (base / relative).exists():
        return str((base / relative).resolve())
    return value  # missing: the caller reports it when it tries to open it


def load_scene(path: str | Path) -> Scene:
    path = Path(path)
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise SceneError(f"{path}: no such scene file.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SceneError(f"{path}: not a readable scene ({e}); scenes are JSON files saved by JEPA Explorer.") from None
    if not isinstance(record, dict) or record.get("format") != SCENE_FORMAT:
        raise SceneError(f"{path}: not a JEPA Explorer scene (expected format '{SCENE_FORMAT}').")
    base = path.resolve().parent
    try:
        masks = PatchMasks.from_dict(record["masks"]) if record.get("masks") else None
    except MaskError as e:
        raise SceneError(f"{path}: {e}") from None
    return Scene(_resolve(record, "checkpoint", base), _resolve(record, "image", base), masks, dict(record.get("view") or {}))
