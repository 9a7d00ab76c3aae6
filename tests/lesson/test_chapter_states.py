"""The chapters' set-ups show what their text says, measured with the engine on the bundled models (no GUI)."""

from __future__ import annotations

import pytest

from jepa_explorer.lesson.loader import bundled_content_dir, load_lesson
from jepa_explorer.resources import assets_dir, checkpoints_dir

SEEDS = (0, 1, 2)  # the app re-rolls a preset's seed on every press: the claim must not hang on one mask


def _bundle(name):
    path = checkpoints_dir() / name
    if not (path / "card.json").is_file():
        pytest.skip(f"{path} not bundled here")
    return path


@pytest.fixture(scope="module")
def models():
    import torch

    from jepa_explorer.checkpoints.companions import load_decoder, load_mae
    from jepa_explorer.checkpoints.load import load_model

    torch.set_num_threads(1)
    jepa = load_model(_bundle("ijepa-tiny"), "cpu")
    mae, _ = load_mae(_bundle("mae-tiny"), "cpu")
    decoder, _ = load_decoder(_bundle("ijepa-tiny-decoder"), "cpu")
    return jepa, mae, decoder


def _preset(name, grid, seed):
    from jepa_explorer.masks import generators

    # the same generators and arguments as the window's presets (app.presets.PRESETS)
    return {
        "block": lambda: generators.block(grid, scale=0.2, seed=seed),
        "random": lambda: generators.random(grid, 0.75, seed=seed),
        "multiblock": lambda: generators.multiblock(grid, seed=seed),
    }[name]()


def test_surface_tax_chapter_shows_the_tax(models):
    from jepa_explorer.engine.session import Session
    from jepa_explorer.engine.surface_tax import surface_tax
    from jepa_explorer.media.images import load_image

    jepa, mae, decoder = models
    chapter = load_lesson(bundled_content_dir()).chapter("surface-tax")
    for setup in chapter.setups:
        assert setup.model == "ijepa-tiny" and setup.mode == "surface-tax" and setup.panel == "pixels"
        session = Session(jepa)
        session.set_input(load_image(assets_dir() / "samples" / setup.sample))
        for seed in SEEDS:
            increase = surface_tax(session, _preset(setup.preset, session.grid_shape, seed), mae, decoder).increase()
            assert increase["mae"] > 0.3, (setup.sample, seed, increase)  # "the MAE's pixel error jumps"
            assert increase["jepa_embedding"] < increase["mae"] / 3, (setup.sample, seed, increase)  # "far less"


def test_predictor_beats_copying_on_the_loop_and_scope_set_ups(models):
    """The JEPA-loop chapter ends on "is the predictor closer than copying?" and the scope test's first claim is
    tested live on this set-up: on each re-roll of the preset the answer must be yes."""
    from jepa_explorer.engine.session import Session
    from jepa_explorer.media.images import load_image

    lesson = load_lesson(bundled_content_dir())
    for chapter_id in ("jepa-loop", "scope-test"):
        setup = lesson.chapter(chapter_id).setups[0]
        session = Session(models[0])
        session.set_input(load_image(assets_dir() / "samples" / setup.sample))
        gains = [session.predict(_preset(setup.preset, session.grid_shape, seed)).gain("loss") for seed in (0, 1, 2, 3)]
        assert min(gains) > 0.05, (chapter_id, gains)
