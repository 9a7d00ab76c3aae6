"""The mask presets of the Masks menu (keys 1-7) as data: what each makes on an image grid and on a
video grid (where the I-JEPA presets become their V-JEPA counterparts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jepa_explorer.masks import generators
from jepa_explorer.masks.grid import PatchMasks

Make = Callable[[tuple, int], PatchMasks]  # (grid, seed) -> masks


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    tooltip: str
    make: Make
    rerolls: bool  # pressing it again draws new masks (a new seed)
    video_label: str | None = None  # on a video grid: another name, tooltip and generator
    video_tooltip: str | None = None
    video_make: Make | None = None

    def for_grid(self, grid: tuple) -> tuple[str, str, Make]:
        """(label, tooltip, make) for a grid: the video variant on a grid with several time steps."""
        if grid[0] > 1 and self.video_make is not None:
            return self.video_label, self.video_tooltip, self.video_make
        return self.label, self.tooltip, self.make


PRESETS = [
    Preset(
        "multiblock",
        "I-JEPA multiblock",
        "4 target blocks and a large context block, as I-JEPA trains; press again to re-roll",
        lambda grid, seed: generators.multiblock(grid, seed=seed),
        True,
        "V-JEPA tubes",
        "8 short-range target tubes through every time step, as V-JEPA trains; press again to re-roll",
        lambda grid, seed: generators.multiblock3d(grid, seed=seed, set="short"),
    ),
    Preset(
        "random",
        "MAE random 75%",
        "75% of the patches are one target group, as MAE masks; press again to re-roll",
        lambda grid, seed: generators.random(grid, 0.75, seed=seed),
        True,
        "Random tubes 75%",
        "75% of the spatial positions are targets through all time steps (tube masking); press again to re-roll",
        lambda grid, seed: generators.random_tubes(grid, 0.75, seed=seed),
    ),
    Preset(
        "block",
        "Single block",
        "One target block, the rest context; press again to re-roll",
        lambda grid, seed: generators.block(grid, scale=0.2, seed=seed),
        True,
    ),
    Preset("centre", "Centre", "The centre quarter is the target", lambda grid, seed: generators.centre(grid), False),
    Preset(
        "left", "Left half", "Predict the left half from the right half", lambda grid, seed: generators.half(grid, "left"), False
    ),
    Preset(
        "right",
        "Right half",
        "Predict the right half from the left half",
        lambda grid, seed: generators.half(grid, "right"),
        False,
    ),
    Preset(
        "future",
        "Future frames",
        "What will happen next? Context = the first half of the clip, target = the rest (video models)",
        lambda grid, seed: generators.future(grid),
        False,
    ),
]
PRESETS_BY_KEY = {preset.key: preset for preset in PRESETS}
