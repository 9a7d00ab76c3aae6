"""Scenes: a checkpoint, an image, the masks and the view settings as one JSON file (no Qt here).

Paths are stored absolute and relative to the scene file, so a scene folder moved with its image
still opens. Reading one checks the whole record against one schema (types, ranges, the mask grid, that
its image and checkpoint exist) before anything uses it, and says in one sentence what is wrong: a scene
is applied whole or not at all.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from jepa_explorer.analysis.distances import METRICS
from jepa_explorer.errors import JepaError, MaskError
from jepa_explorer.fileio import check_regular_file, write_text
from jepa_explorer.masks.grid import PatchMasks

SCENE_FORMAT = "jepa-explorer-scene/1"
LAYERS = ("context", "target_new", "target", "erase")  # mask_edit.Layer values
SPANS = ("all", "this", "from")
MAX_BRUSH = 64
MAX_SCENE_BYTES = 64 * 2**20  # masks of the largest grid as JSON lists stay far below this
MAX_GRID = 1024  # patches along one axis: far above any model, far below a grid that fills the memory


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
        write_text(path, json.dumps(record, indent=1))  # atomic: a failed save keeps the scene that was there
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


def _whole(value, low: int, high: int | None = None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)


# key: (check, what it must be) - every key is optional; a scene from an older version may lack some
VIEW_SCHEMA = {
    "metric": (lambda v: v in METRICS, f"one of {', '.join(METRICS)}"),
    "layer": (lambda v: v in LAYERS, f"one of {', '.join(LAYERS)}"),
    "rect": (lambda v: isinstance(v, bool), "true or false"),
    "brush": (lambda v: _whole(v, 1, MAX_BRUSH), f"a whole number from 1 to {MAX_BRUSH}"),
    "seeds": (
        lambda v: isinstance(v, dict) and all(isinstance(k, str) and _whole(s, 0) for k, s in v.items()),
        "an object of preset names and whole numbers (0 or more)",
    ),
    "time_step": (lambda v: _whole(v, 0), "a whole number (0 or more)"),
    "span": (lambda v: v in SPANS, f"one of {', '.join(SPANS)}"),
    "clip_start": (lambda v: _whole(v, 0), "a whole number (0 or more)"),
}


def check_view(view, where: str) -> dict:
    """The view settings, checked against VIEW_SCHEMA; SceneError naming the first bad one."""
    if not isinstance(view, dict):
        raise SceneError(f"{where}: 'view' must be an object of settings, not {json.dumps(view)}.")
    for key, value in view.items():
        check, wanted = VIEW_SCHEMA.get(key, (lambda v: True, ""))
        if not check(value):
            raise SceneError(f"{where}: view.{key} must be {wanted}, not {json.dumps(value)}.")
    return dict(view)


def _check_path(resolved: str | None, where: str, what: str) -> None:
    if resolved and not str(resolved).startswith("<") and not Path(resolved).exists():
        raise SceneError(f"{where}: its {what} {resolved} does not exist; put it back or open the scene's {what} again.")


def load_scene(path: str | Path) -> Scene:
    """Read and check a scene file (SceneError says what is wrong in one sentence)."""
    path = Path(path)
    check_regular_file(path, SceneError, "scene file", "choose a scene saved as a .json file")
    if path.stat().st_size > MAX_SCENE_BYTES:
        raise SceneError(f"{path}: {path.stat().st_size // 2**20} MB is far too large for a scene; choose a scene .json file.")
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise SceneError(f"{path}: no such scene file.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SceneError(f"{path}: not a readable scene ({e}); scenes are JSON files saved by JEPA Explorer.") from None
    if not isinstance(record, dict) or record.get("format") != SCENE_FORMAT:
        raise SceneError(f"{path}: not a JEPA Explorer scene (expected format '{SCENE_FORMAT}').")
    base = path.resolve().parent
    for key in ("checkpoint", "checkpoint_relative", "image", "image_relative"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise SceneError(f"{path}: '{key}' must be a path or null, not {json.dumps(record[key])}.")
    checkpoint, image = _resolve(record, "checkpoint", base), _resolve(record, "image", base)
    _check_path(checkpoint, str(path), "checkpoint")
    _check_path(image, str(path), "image")
    masks_record = record.get("masks")
    if masks_record is not None and not isinstance(masks_record, dict):
        raise SceneError(f"{path}: 'masks' must be an object with grid, context and targets, not {json.dumps(masks_record)}.")
    grid = masks_record.get("grid") if masks_record else [1, 1, 1]
    if not (isinstance(grid, list) and len(grid) == 3 and all(_whole(g, 1, MAX_GRID) for g in grid)):
        raise SceneError(
            f"{path}: masks.grid must be three whole numbers [T, H, W] from 1 to {MAX_GRID}, not {json.dumps(grid)}."
        )
    try:
        masks = PatchMasks.from_dict(masks_record) if masks_record else None
    except (MaskError, TypeError, ValueError) as e:
        raise SceneError(f"{path}: {e}") from None
    view = check_view(record.get("view") or {}, str(path))
    return Scene(checkpoint, image, masks, view)
