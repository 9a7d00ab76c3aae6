"""Generators: reproducible, the released scales and counts, no context/target overlap, clear refusals."""

import numpy as np
import pytest

from jepa_explorer.errors import MaskError
from jepa_explorer.masks import generators as gen

GRID = (1, 14, 14)  # ViT-H/16 at 224 px


def test_multiblock_reproducible_and_seed_dependent():
    a, b, c = gen.multiblock(GRID, seed=3), gen.multiblock(GRID, seed=3), gen.multiblock(GRID, seed=4)
    assert a == b and a != c


def test_multiblock_released_statistics():
    n = GRID[1] * GRID[2]
    target_fracs, context_fracs = [], []
    for seed in range(300):
        m = gen.multiblock(GRID, seed=seed)
        assert len(m.targets) == 4
        sizes = {int(t.sum()) for t in m.targets}
        assert len(sizes) == 1, "the four blocks share one sampled size, as in the official sampler"
        assert not (m.context & m.target_union).any()
        assert m.context.sum() >= 10
        target_fracs.append(m.targets[0].sum() / n)
        context_fracs.append((m.context | m.target_union).sum() / n)
        for t in m.targets:  # each target is one rectangle
            rows, cols = np.nonzero(t[0])
            assert t.sum() == (np.ptp(rows) + 1) * (np.ptp(cols) + 1)
    # block scale 0.15–0.2 of the grid (rounding of h, w on a 14×14 grid widens it a little)
    assert 0.12 <= np.mean(target_fracs) <= 0.22 and min(target_fracs) >= 0.09 and max(target_fracs) <= 0.26
    assert np.mean(context_fracs) > 0.85


def test_multiblock_impossible_request_terminates():
    with pytest.raises(MaskError, match="fewer than"):
        gen.multiblock((1, 4, 4), npred=6, pred_scale=(0.5, 0.6), min_keep=10)


def test_random_ratio_exact():
    m = gen.random((1, 8, 8), ratio=0.75, seed=1)
    assert m.targets[0].sum() == 48 and m.context.sum() == 16 and not (m.context & m.targets[0]).any()
    assert gen.random((1, 8, 8), ratio=0.75, seed=1) == m
    with pytest.raises(MaskError, match="between 0 and 1"):
        gen.random((1, 8, 8), ratio=1.0)


def test_block_centre_half():
    b = gen.block((1, 8, 8), top=1, left=2, height=3, width=4)
    assert b.targets[0][0, 1:4, 2:6].all() and b.targets[0].sum() == 12 and b.context.sum() == 52
    c = gen.centre((1, 8, 8), scale=0.25)
    assert c.targets[0][0, 2:6, 2:6].all() and c.targets[0].sum() == 16
    h = gen.half((1, 8, 8), side="right")
    assert h.targets[0][0, :, 4:].all() and h.context[0, :, :4].all() and h.targets[0].sum() == 32
    with pytest.raises(MaskError, match="runs off"):
        gen.block((1, 8, 8), top=6, left=0, height=3, width=3)


def test_vjepa_multiblock3d_tubes():
    grid = (8, 14, 14)
    for seed in range(20):
        m = gen.multiblock3d(grid, seed=seed, set="short")
        assert len(m.targets) == 1 and m.token_ids == [0]
        t = m.targets[0]
        assert (t == t[:1]).all(), "temporal scale 1.0: blocks span every time step"
        assert not (m.context & t).any() and (m.context | t).all()
    long = gen.multiblock3d(grid, seed=0, set="long")
    assert long.token_ids == [1] and long.targets[0].mean() > gen.multiblock3d(grid, seed=0, set="short").targets[0].mean() * 0.8


def test_future_frames():
    m = gen.future((8, 4, 4), context_steps=3)
    assert m.context[:3].all() and not m.context[3:].any() and m.targets[0][3:].all()
    steps = gen.future((8, 4, 4), context_steps=3, split="step")
    assert len(steps.targets) == 5 and all(t.sum() == 16 for t in steps.targets)
    # every future group is read with the future-frame mask token, whatever its position
    assert m.token_ids == [gen.FUTURE_TOKEN] and steps.token_ids == [gen.FUTURE_TOKEN] * 5
    with pytest.raises(MaskError, match="video model"):
        gen.future((1, 8, 8))


def test_tubes():
    m = gen.random_tubes((4, 8, 8), ratio=0.5, seed=0)
    assert m.targets[0].sum() == 4 * 32 and (m.targets[0] == m.targets[0][:1]).all()


def test_spec_parsing():
    assert gen.parse_spec("random:ratio=0.75,seed=0") == ("random", {"ratio": 0.75, "seed": 0})
    assert gen.parse_spec("multiblock:pred_scale=0.15-0.2")[1]["pred_scale"] == (0.15, 0.2)
    assert gen.generate("half:side=left", (1, 8, 8)).targets[0][0, :, :4].all()
    with pytest.raises(MaskError, match="unknown mask spec"):
        gen.generate("blob:seed=1", (1, 8, 8))
    with pytest.raises(MaskError, match="takes"):
        gen.generate("random:colour=red", (1, 8, 8))
    with pytest.raises(MaskError, match="not key=value"):
        gen.generate("random:0.5", (1, 8, 8))
