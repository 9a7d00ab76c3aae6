"""PatchMasks: indices, validation messages, PNG round trips and coverage mapping."""

import numpy as np
import pytest
from PIL import Image

from jepa_explorer.errors import MaskError
from jepa_explorer.masks.generators import multiblock
from jepa_explorer.masks.grid import PatchMasks


def test_indices_round_trip_row_major():
    m = PatchMasks.from_indices((1, 4, 4), [0, 1, 2], [[5, 6], [15]])
    assert m.context[0, 0, :3].all() and m.targets[0][0, 1, 1] and m.targets[1][0, 3, 3]
    assert m.context_indices().tolist() == [0, 1, 2]
    assert [t.tolist() for t in m.target_indices()] == [[5, 6], [15]]
    assert PatchMasks.from_dict(m.to_dict()) == m


def test_off_grid_indices_refused():
    with pytest.raises(MaskError, match="off the 16-patch grid"):
        PatchMasks.from_indices((1, 4, 4), [0, 16], [[1]])
    with pytest.raises(MaskError, match="off the patch grid"):
        PatchMasks(np.ones((1, 4, 4)), [np.ones((1, 5, 5))])


@pytest.mark.parametrize(
    "masks,message",
    [
        (PatchMasks.from_indices((1, 4, 4), [], [[1]]), "context is empty"),
        (PatchMasks.from_indices((1, 4, 4), [0], []), "no targets"),
        (PatchMasks.from_indices((1, 4, 4), [0], [[1], []]), "target group 2 is empty"),
        (PatchMasks.from_indices((1, 4, 4), [0, 1], [[1]]), "also in the context"),
    ],
)
def test_invalid_masks_have_reasons(masks, message):
    with pytest.raises(MaskError, match=message):
        masks.validate()


def test_grid_mismatch_reason():
    with pytest.raises(MaskError, match="4×4 patch grid but the model uses 1×8×8"):
        PatchMasks.from_indices((1, 4, 4), [0], [[1]]).validate((1, 8, 8))


def test_palette_png_round_trip_any_size(tmp_path):
    m = multiblock((1, 8, 8), seed=5)
    m = PatchMasks(m.context, m.targets[:2])  # two groups (non-overlapping round-trips exactly)
    if (m.targets[0] & m.targets[1]).any():
        m = PatchMasks(m.context, m.targets[:1])
    m.save_png(tmp_path / "m.png", size=(203, 203))  # not a multiple of the grid
    back = PatchMasks.load_png(tmp_path / "m.png", (1, 8, 8))
    assert back == m


def test_painted_png_by_coverage(tmp_path):
    # black context everywhere, a white square covering patch (2,2) fully and 30% of (2,3)
    img = np.zeros((80, 80), dtype=np.uint8)
    img[20:30, 20:33] = 255
    Image.fromarray(img).save(tmp_path / "p.png")
    m = PatchMasks.load_png(tmp_path / "p.png", (1, 8, 8))
    assert len(m.targets) == 1 and m.targets[0].sum() == 1 and m.targets[0][0, 2, 2]
    assert m.context.sum() == 63


def test_painted_png_components_and_transparency(tmp_path):
    rgba = np.zeros((64, 64, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[0:16, 0:16, :3] = 255  # block A
    rgba[40:64, 40:64, :3] = 255  # block B
    rgba[0:8, 56:64, 3] = 0  # one transparent patch: neither
    Image.fromarray(rgba).save(tmp_path / "p.png")
    m = PatchMasks.load_png(tmp_path / "p.png", (2, 8, 8))
    assert [int(t[0].sum()) for t in m.targets] == [4, 9]
    assert m.context.shape == (2, 8, 8) and m.context[0].sum() == 64 - 13 - 1 and (m.context[0] == m.context[1]).all()


def test_bad_png(tmp_path):
    (tmp_path / "x.png").write_text("not an image")
    with pytest.raises(MaskError, match="not an image in a supported format"):
        PatchMasks.load_png(tmp_path / "x.png", (1, 8, 8))
    Image.fromarray(np.zeros((4, 4), dtype=np.uint8)).save(tmp_path / "tiny.png")
    with pytest.raises(MaskError, match="smaller than"):
        PatchMasks.load_png(tmp_path / "tiny.png", (1, 8, 8))


def test_stats():
    s = PatchMasks.from_indices((1, 4, 4), [0, 1, 2, 3], [[5, 6], [6, 7]]).stats()
    assert s["context_patches"] == 4 and s["target_patches"] == 3 and s["target_groups"] == 2
    assert s["context_fraction"] == 0.25


def test_mask_bomb_is_a_mask_error(tmp_path):
    from tests.media.test_images import _png_header_only

    _png_header_only(tmp_path / "bomb.png", 20000, 20000)  # 400 MP: under Pillow's guard, far over a mask's
    with pytest.raises(MaskError, match="too large"):
        PatchMasks.load_png(tmp_path / "bomb.png", (1, 8, 8))
