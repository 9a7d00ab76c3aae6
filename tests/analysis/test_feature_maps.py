"""The dense feature maps the canvas overlays: PCA colours on the grid and the click-a-patch similarity map."""

import numpy as np
import pytest

from jepa_explorer.analysis.feature_maps import (
    cosine_similarity_map,
    grid_frame,
    pca_colour_map,
    similarity_levels,
    similarity_rgba,
)


def test_similarity_map_peaks_at_the_clicked_patch_and_is_a_cosine():
    rng = np.random.default_rng(0)
    actual = rng.normal(size=(2 * 3 * 4, 16))
    for index in (0, 7, 23):
        similarity = cosine_similarity_map(actual, index)
        assert similarity.shape == (24,)
        assert similarity[index] == pytest.approx(1.0)
        assert int(np.argmax(similarity)) == index
        j = (index + 5) % 24
        expected = actual[j] @ actual[index] / (np.linalg.norm(actual[j]) * np.linalg.norm(actual[index]))
        assert similarity[j] == pytest.approx(expected)
    # a scaled copy is as similar as the patch itself; its negative is the opposite
    actual[3] = 2.5 * actual[1]
    actual[4] = -actual[1]
    similarity = cosine_similarity_map(actual, 1)
    assert similarity[3] == pytest.approx(1.0) and similarity[4] == pytest.approx(-1.0)
    with pytest.raises(IndexError):
        cosine_similarity_map(actual, 24)


def test_a_zero_embedding_is_similar_to_nothing():
    actual = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    assert cosine_similarity_map(actual, 0)[1] == 0.0
    assert np.all(cosine_similarity_map(actual, 1) == 0.0)


def test_pca_colour_map_lays_the_colours_of_one_step_on_the_grid():
    grid = (2, 3, 4)
    rgb = np.arange(24 * 3, dtype=np.uint8).reshape(24, 3)
    first, second = pca_colour_map(rgb, grid, 0), pca_colour_map(rgb, grid, 1)
    assert first.shape == (3, 4, 3) and first.dtype == np.uint8
    assert np.array_equal(first[1, 2], rgb[1 * 4 + 2]) and np.array_equal(second[2, 3], rgb[12 + 2 * 4 + 3])
    assert np.array_equal(pca_colour_map(rgb, grid, 9), second)  # a step past the end: the last one
    with pytest.raises(ValueError):
        grid_frame(rgb[:20], grid)


def test_similarity_colours_run_from_the_first_to_the_last_colour():
    lut = np.array([[0, 0, 0], [128, 0, 0], [255, 255, 255]], np.uint8)
    rgba = similarity_rgba(np.array([[-0.5, 0.0], [0.5, 1.0]]), lut, alpha=200)
    assert rgba.shape == (2, 2, 4) and np.all(rgba[..., 3] == 200)
    assert tuple(rgba[0, 0, :3]) == (0, 0, 0) and tuple(rgba[0, 1, :3]) == (0, 0, 0)
    assert tuple(rgba[1, 0, :3]) == (128, 0, 0) and tuple(rgba[1, 1, :3]) == (255, 255, 255)


def test_similarity_levels_span_the_other_patches_so_the_map_has_contrast():
    similarity = np.array([0.8, 0.9, 1.0, 0.85])
    assert similarity_levels(similarity, 2) == (0.8, 0.9)
    lut = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)
    rgba = similarity_rgba(similarity, lut, levels=similarity_levels(similarity, 2))
    assert tuple(rgba[0, :3]) == (0, 0, 0) and tuple(rgba[1, :3]) == (255, 255, 255) and tuple(rgba[2, :3]) == (255, 255, 255)
    low, high = similarity_levels(np.array([0.5, 1.0, 0.5]), 1)
    assert low < 0.5 < high
