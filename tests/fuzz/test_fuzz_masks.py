"""Seeded fuzz over mask specs: every spec is either accepted (masks on the model's grid) or a MaskError.

Each case is built knowing whether its values are in range, so the outcome is asserted per case: a value
out of range must be refused naming its key, and an in-range spec may only fail for a reason that
depends on the grid (too many or too large blocks for it)."""

import inspect

import numpy as np
import pytest

from jepa_explorer.errors import MaskError
from jepa_explorer.masks.generators import GENERATORS, MAX_BLOCKS, generate
from jepa_explorer.masks.grid import PatchMasks

GRID_REASONS = ("fewer than", "cover the whole", "does not fit", "runs off", "covers the whole", "video model", "between 1 and")

GOOD = {
    "seed": ["0", "7", "4294967295"],
    "npred": ["1", "4", str(MAX_BLOCKS)],
    "num_blocks": ["1", "8"],
    "min_keep": ["0", "10"],
    "top": ["0", "2"],
    "left": ["0", "3"],
    "height": ["1", "2"],
    "width": ["1", "3"],
    "context_steps": ["1", "3"],
    "ratio": ["0.1", "0.75"],
    "scale": ["0.1", "1"],
    "pred_scale": ["0.15-0.2", "0.1"],
    "enc_scale": ["0.85-1.0", "1"],
    "spatial_scale": ["0.15", "0.3-0.7"],
    "temporal_scale": ["1.0", "0.5-1.0"],
    "aspect": ["0.75-1.5", "1"],
    "allow_overlap": ["true", "false"],
    "side": ["left", "bottom"],
    "split": ["joint", "step"],
    "set": ["short", "long"],
}
BAD = ["-1", "nan", "inf", "-inf", "0", "1e9", "100000000", "abc", "", "0.5-0.1", "2-3", "true", "1.5", "-0.5-0.2", "1e-400x"]


def _case(rng):
    name = str(rng.choice(sorted(GENERATORS)))
    keys = [p for p in inspect.signature(GENERATORS[name]).parameters if p != "grid"]
    chosen = list(rng.choice(keys, size=rng.integers(0, len(keys) + 1), replace=False)) if keys else []
    items, bad_key = [], None
    for key in chosen:
        if bad_key is None and rng.random() < 0.3:
            value = str(rng.choice(BAD))
            bad_key = key
        else:
            value = str(rng.choice(["0.5", "2"] if (name, key) == ("block", "aspect") else GOOD[key]))  # one block: one aspect
        items.append(f"{key}={value}")
    if rng.random() < 0.05:
        items.append("colour=red")
        bad_key = bad_key or "colour"
    return f"{name}:{','.join(items)}" if items else name, bad_key


@pytest.mark.parametrize("grid", [(1, 8, 8), (8, 4, 4)])
def test_random_specs_are_accepted_or_refused_with_one_sentence(grid):
    rng = np.random.default_rng(2024)
    outcomes = {"accepted": 0, "refused": 0}
    for _ in range(400):
        spec, bad_key = _case(rng)
        try:
            masks = generate(spec, grid)
        except MaskError as e:
            message = str(e)
            assert "\n" not in message and len(message) < 400, spec
            if bad_key is not None and bad_key in message:
                outcomes["refused"] += 1
                continue
            # refused for another reason: an in-range value the grid cannot hold, or a BAD value that is valid here
            assert any(r in message for r in GRID_REASONS) or bad_key is not None, (spec, message)
            outcomes["refused"] += 1
            continue
        assert isinstance(masks, PatchMasks) and masks.context.shape == grid, spec
        assert masks.context.any() and all(t.any() for t in masks.targets), spec
        assert len(masks.targets) <= MAX_BLOCKS, spec
        outcomes["accepted"] += 1
    assert outcomes["accepted"] > 50 and outcomes["refused"] > 50  # the fuzz reaches both sides


@pytest.mark.parametrize(
    "spec, key",
    [
        ("multiblock:seed=-1", "seed"),
        ("block:aspect=0", "aspect"),
        ("block:aspect=-2", "aspect"),
        ("multiblock:aspect=nan", "aspect"),
        ("multiblock:pred_scale=nan", "pred_scale"),
        ("block:scale=nan", "scale"),
        ("block:scale=0", "scale"),
        ("multiblock:pred_scale=0.3-0.1", "pred_scale"),
        ("multiblock3d:temporal_scale=1.0-0.5", "temporal_scale"),
        ("multiblock:npred=100000000", "npred"),
        ("multiblock3d:num_blocks=100000000", "num_blocks"),
        ("random:ratio=1", "ratio"),
        ("random:seed=1,seed=2", "seed"),
        ("random:colour=red", "colour"),
        ("multiblock:" + "seed=1," * 700, "characters"),
        ("x" * 5000, "characters"),
        ("future:context_steps=-3", "context_steps"),
        ("half:side=diagonal", "side"),
    ],
)
def test_known_bad_specs_name_what_is_wrong(spec, key):
    with pytest.raises(MaskError) as info:
        generate(spec, (8, 4, 4) if "3d" in spec or "future" in spec else (1, 8, 8))
    assert key in str(info.value) and "\n" not in str(info.value)
