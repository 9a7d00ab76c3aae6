"""Mask editing at patch resolution, free of Qt: brush footprints, rectangles, layer writes, undo history.

Writes keep the masks disjoint: painting target takes the patch out of the context and painting
context takes it out of every target group, so the predictor never sees what it should predict.
Every edit returns new masks and never changes its input: the app model, the history and the worker can
then share one PatchMasks without copying it.
"""

from __future__ import annotations

from enum import Enum

import numpy as np

from jepa_explorer.errors import MaskError
from jepa_explorer.masks.grid import PatchMasks


class Layer(str, Enum):
    CONTEXT = "context"
    TARGET_NEW = "target_new"  # each stroke starts a new target group
    TARGET = "target"  # adds to the current target group
    ERASE = "erase"


def brush_cells(grid_hw: tuple[int, int], row: int, col: int, size: int) -> np.ndarray:
    """bool [H, W]: a `size`×`size` square of patches centred on (row, col) (clipped to the grid)."""
    height, width = grid_hw
    cells = np.zeros(grid_hw, dtype=bool)
    half = (size - 1) // 2
    top, left = row - half, col - half
    cells[max(0, top) : max(0, top + size), max(0, left) : max(0, left + size)] = True
    if not (0 <= row < height and 0 <= col < width):
        cells[:] = False
    return cells


def line_cells(grid_hw: tuple[int, int], start: tuple[int, int], end: tuple[int, int], size: int) -> np.ndarray:
    """The brush swept from `start` to `end` (both (row, col)), so a fast stroke leaves no gaps."""
    (r0, c0), (r1, c1) = start, end
    steps = max(abs(r1 - r0), abs(c1 - c0), 1)
    cells = np.zeros(grid_hw, dtype=bool)
    for i in range(steps + 1):
        r = int(round(r0 + (r1 - r0) * i / steps))
        c = int(round(c0 + (c1 - c0) * i / steps))
        cells |= brush_cells(grid_hw, r, c, size)
    return cells


def rect_cells(grid_hw: tuple[int, int], corner_a: tuple[int, int], corner_b: tuple[int, int]) -> np.ndarray:
    """bool [H, W]: the patches of the rectangle spanned by two (row, col) corners, inclusive, clipped."""
    height, width = grid_hw
    r0, r1 = sorted((int(np.clip(corner_a[0], 0, height - 1)), int(np.clip(corner_b[0], 0, height - 1))))
    c0, c1 = sorted((int(np.clip(corner_a[1], 0, width - 1)), int(np.clip(corner_b[1], 0, width - 1))))
    cells = np.zeros(grid_hw, dtype=bool)
    cells[r0 : r1 + 1, c0 : c1 + 1] = True
    return cells


def paint(
    masks: PatchMasks, cells: np.ndarray, layer: Layer, group: int | None = None, steps: np.ndarray | None = None
) -> PatchMasks:
    """A new PatchMasks with `cells` (bool [H, W]) written into `layer` on the time steps `steps`
    (bool [T]; None: all of them, a tube through the clip; images have one step).

    For TARGET / TARGET_NEW `group` is the target group to write (it must exist)."""
    out = masks.copy()
    if steps is None:
        tube = np.broadcast_to(cells[None], out.context.shape)
    else:
        tube = np.zeros(out.context.shape, dtype=bool)
        tube[np.asarray(steps, dtype=bool)] = cells
    if layer == Layer.CONTEXT:
        out.context |= tube
        for target in out.targets:
            target &= ~tube
    elif layer in (Layer.TARGET, Layer.TARGET_NEW):
        if group is None or not 0 <= group < len(out.targets):
            raise IndexError(f"no target group {group}")
        out.targets[group] |= tube
        out.context &= ~tube
    elif layer == Layer.ERASE:
        out.context &= ~tube
        for target in out.targets:
            target &= ~tube
    return out


def with_new_group(masks: PatchMasks) -> tuple[PatchMasks, int]:
    out = masks.copy()
    out.targets.append(np.zeros_like(out.context))
    if out.token_ids is not None:
        out.token_ids.append(0)
    return out, len(out.targets) - 1


def fill_context(masks: PatchMasks) -> PatchMasks:
    """Every patch that is not a target becomes context."""
    out = masks.copy()
    out.context = ~out.target_union
    return out


def invert_context(masks: PatchMasks) -> PatchMasks:
    """Swap context and empty patches (targets stay where they are)."""
    out = masks.copy()
    out.context = ~out.context & ~out.target_union
    return out


def clear(masks: PatchMasks) -> PatchMasks:
    return PatchMasks.empty(masks.grid_shape)


def describe(masks: PatchMasks) -> str:
    """One line for the always-visible stats: context %, target patches, groups."""
    s = masks.stats()
    return (
        f"Context {s['context_fraction']:.0%} ({s['context_patches']} patches)  ·  "
        f"Targets {s['target_patches']} patches in {s['target_groups']} group{'s' if s['target_groups'] != 1 else ''}  ·  "
        f"grid {'×'.join(map(str, s['grid'][1:] if s['grid'][0] == 1 else s['grid']))}"
    )


def problem(masks: PatchMasks, grid_shape: tuple[int, int, int] | None = None) -> str | None:
    """Why these masks cannot be predicted yet, in PatchMasks.validate's words (a hint for the user), or None.
    Target groups a stroke left empty do not count: they are dropped before predicting."""
    if not all(target.any() for target in masks.targets):
        masks = masks.without_empty_targets()  # mid-stroke only: a stroke's new group is empty until it paints
    try:
        masks.validate(grid_shape)
    except MaskError as e:
        text = str(e)
        return text[:1].upper() + text[1:]
    return None


class MaskHistory:
    """Undo/redo as a stack of PatchMasks snapshots (masks are small: a few hundred booleans). The masks are
    kept as given: callers hand over masks nobody changes in place any more (see the module's docstring)."""

    def __init__(self, limit: int = 200):
        self.limit = limit
        self._undo: list[PatchMasks] = []
        self._redo: list[PatchMasks] = []

    def push(self, before: PatchMasks) -> None:
        """Record the state before an edit; a new edit clears the redo stack."""
        if self._undo and self._undo[-1] == before:
            return
        self._undo.append(before)
        del self._undo[: -self.limit]
        self._redo.clear()

    def undo(self, current: PatchMasks) -> PatchMasks | None:
        if not self._undo:
            return None
        self._redo.append(current)
        return self._undo.pop()

    def redo(self, current: PatchMasks) -> PatchMasks | None:
        if not self._redo:
            return None
        self._undo.append(current)
        return self._redo.pop()

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)
