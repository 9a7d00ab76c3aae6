"""Patch-level mask editing without Qt: footprints, disjoint layers, history."""

import numpy as np

from jepa_explorer.app import mask_edit
from jepa_explorer.app.mask_edit import Layer, MaskHistory
from jepa_explorer.masks.grid import PatchMasks

GRID = (1, 8, 8)


def test_brush_and_line_footprints():
    assert mask_edit.brush_cells((8, 8), 3, 3, 1).sum() == 1
    assert mask_edit.brush_cells((8, 8), 3, 3, 3).sum() == 9
    assert mask_edit.brush_cells((8, 8), 0, 0, 3).sum() == 4  # clipped at the corner
    line = mask_edit.line_cells((8, 8), (0, 0), (0, 7), 1)
    assert line[0].all() and line.sum() == 8  # a fast stroke leaves no gaps


def test_rect_is_inclusive_and_order_free():
    cells = mask_edit.rect_cells((8, 8), (5, 6), (2, 1))
    assert cells.sum() == 4 * 6 and cells[2, 1] and cells[5, 6]


def test_painting_keeps_layers_disjoint():
    masks = PatchMasks(np.ones(GRID, bool), [])
    masks, group = mask_edit.with_new_group(masks)
    cells = mask_edit.rect_cells((8, 8), (0, 0), (1, 1))
    masks = mask_edit.paint(masks, cells, Layer.TARGET_NEW, group)
    assert masks.targets[0][0, :2, :2].all() and not masks.context[0, :2, :2].any()
    masks = mask_edit.paint(masks, mask_edit.brush_cells((8, 8), 0, 0, 1), Layer.CONTEXT)
    assert masks.context[0, 0, 0] and not masks.targets[0][0, 0, 0]
    masks = mask_edit.paint(masks, mask_edit.brush_cells((8, 8), 1, 1, 1), Layer.ERASE)
    assert not masks.context[0, 1, 1] and not masks.targets[0][0, 1, 1]
    assert masks.stats()["overlap_patches"] == 0
    masks.validate(GRID)


def test_fill_invert_clear():
    masks = PatchMasks(np.zeros(GRID, bool), [np.zeros(GRID, bool)])
    masks.targets[0][0, 0, :] = True
    filled = mask_edit.fill_context(masks)
    assert filled.context.sum() == 56 and not (filled.context & filled.target_union).any()
    assert mask_edit.invert_context(filled).context.sum() == 0
    assert mask_edit.clear(filled).stats()["target_groups"] == 0


def test_history_undo_redo():
    history = MaskHistory()
    a = PatchMasks.empty(GRID)
    b = mask_edit.fill_context(a)
    history.push(a)
    assert history.can_undo and not history.can_redo
    assert history.undo(b) == a
    assert history.redo(a) == b
    history.push(b)
    assert not history.can_redo


def test_problem_hints():
    assert "context" in mask_edit.problem(PatchMasks.empty(GRID))
    assert "target" in mask_edit.problem(PatchMasks(np.ones(GRID, bool), []))
    assert "Context 100%" in mask_edit.describe(PatchMasks(np.ones(GRID, bool), []))
