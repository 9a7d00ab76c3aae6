"""Seeded mask generators: I-JEPA multiblock, MAE random, single block, halves, V-JEPA tubes, future frames.

Same seed, same grid -> same masks. Unlike the official I-JEPA sampler (which can loop for ever on
small grids), every generator here terminates and raises MaskError when a request is impossible.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from jepa_explorer.errors import MaskError
from jepa_explorer.masks.grid import PatchMasks

Grid = tuple[int, int, int]
_MAX_TRIES = 200


def _block_size(rng, grid_hw, scale, aspect) -> tuple[int, int]:
    """(h, w) of a block covering `scale` of the grid with aspect h/w, as the official samplers round it."""
    height, width = grid_hw
    s = rng.uniform(*scale)
    a = rng.uniform(*aspect)
    keep = int(height * width * s)
    h = int(round(math.sqrt(keep * a)))
    w = int(round(math.sqrt(keep / a)))
    return max(1, min(h, height)), max(1, min(w, width))


def _place(rng, grid_hw, size) -> np.ndarray:
    height, width = grid_hw
    h, w = size
    top = rng.integers(0, height - h + 1)
    left = rng.integers(0, width - w + 1)
    block = np.zeros(grid_hw, dtype=bool)
    block[top : top + h, left : left + w] = True
    return block


def _tube(plane: np.ndarray, t_len: int) -> np.ndarray:
    return np.repeat(plane[None], t_len, axis=0)


def multiblock(
    grid: Grid,
    seed: int = 0,
    npred: int = 4,
    pred_scale=(0.15, 0.2),
    aspect=(0.75, 1.5),
    enc_scale=(0.85, 1.0),
    min_keep: int = 10,
    allow_overlap: bool = False,
) -> PatchMasks:
    """I-JEPA multiblock (released configs by default): `npred` target blocks of one sampled size, one
    context block of scale `enc_scale` (aspect 1) with the targets removed, at least `min_keep` context
    patches. On video grids the blocks are tubes through all frames."""
    t_len, height, width = grid
    rng = np.random.default_rng(seed)
    min_keep = min(min_keep, height * width - 1)
    for _ in range(_MAX_TRIES):
        target_size = _block_size(rng, (height, width), pred_scale, aspect)
        targets = [_place(rng, (height, width), target_size) for _ in range(npred)]
        union = np.logical_or.reduce(targets)
        context = _place(rng, (height, width), _block_size(rng, (height, width), enc_scale, (1.0, 1.0)))
        if not allow_overlap:
            context &= ~union
        if context.sum() >= max(min_keep, 1):
            return PatchMasks(_tube(context, t_len), [_tube(t, t_len) for t in targets])
    raise MaskError(
        f"multiblock: on a {height}×{width} grid, {npred} target blocks of scale {pred_scale} leave fewer than "
        f"{min_keep} context patches in {_MAX_TRIES} tries; use fewer or smaller targets, or a lower min_keep."
    )


def random(grid: Grid, ratio: float = 0.75, seed: int = 0) -> PatchMasks:
    """MAE-style: `ratio` of all patches (rounded) are targets, predicted together; the rest is context."""
    if not 0.0 < ratio < 1.0:
        raise MaskError(f"random: ratio must be between 0 and 1 (exclusive), got {ratio}.")
    n = int(np.prod(grid))
    n_target = min(max(1, int(round(n * ratio))), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    target = np.zeros(n, dtype=bool)
    target[order[:n_target]] = True
    return PatchMasks(~target.reshape(grid), [target.reshape(grid)])


def random_tubes(grid: Grid, ratio: float = 0.75, seed: int = 0) -> PatchMasks:
    """Random spatial positions masked through every frame (video MAE's tube masking)."""
    t_len, height, width = grid
    plane = random((1, height, width), ratio, seed)
    return PatchMasks(_tube(plane.context[0], t_len), [_tube(plane.targets[0][0], t_len)])


def block(
    grid: Grid,
    top: int | None = None,
    left: int | None = None,
    height: int | None = None,
    width: int | None = None,
    scale: float = 0.25,
    aspect: float = 1.0,
    seed: int = 0,
) -> PatchMasks:
    """One target block (explicit rows/columns, or `scale`/`aspect` placed by `seed`); context = the rest."""
    t_len, grid_h, grid_w = grid
    rng = np.random.default_rng(seed)
    if height is None or width is None:
        height, width = _block_size(rng, (grid_h, grid_w), (scale, scale), (aspect, aspect))
    if not (1 <= height <= grid_h and 1 <= width <= grid_w):
        raise MaskError(f"block: {height}×{width} does not fit the {grid_h}×{grid_w} patch grid.")
    top = int(rng.integers(0, grid_h - height + 1)) if top is None else top
    left = int(rng.integers(0, grid_w - width + 1)) if left is None else left
    if not (0 <= top <= grid_h - height and 0 <= left <= grid_w - width):
        raise MaskError(f"block: a {height}×{width} block at row {top}, column {left} runs off the {grid_h}×{grid_w} grid.")
    plane = np.zeros((grid_h, grid_w), dtype=bool)
    plane[top : top + height, left : left + width] = True
    if plane.all():
        raise MaskError("block: the block covers the whole grid, leaving no context.")
    return PatchMasks(_tube(~plane, t_len), [_tube(plane, t_len)])


def centre(grid: Grid, scale: float = 0.25) -> PatchMasks:
    """A centred square-ish block covering about `scale` of the grid."""
    _, grid_h, grid_w = grid
    side_h = max(1, min(grid_h - 1, int(round(grid_h * math.sqrt(scale)))))
    side_w = max(1, min(grid_w - 1, int(round(grid_w * math.sqrt(scale)))))
    return block(grid, (grid_h - side_h) // 2, (grid_w - side_w) // 2, side_h, side_w)


def half(grid: Grid, side: str = "right") -> PatchMasks:
    """Context one half, target the other: side names the *target* half (left/right/top/bottom)."""
    t_len, grid_h, grid_w = grid
    plane = np.zeros((grid_h, grid_w), dtype=bool)
    if side == "right":
        plane[:, grid_w // 2 :] = True
    elif side == "left":
        plane[:, : grid_w // 2] = True
    elif side == "bottom":
        plane[grid_h // 2 :, :] = True
    elif side == "top":
        plane[: grid_h // 2, :] = True
    else:
        raise MaskError(f"half: side must be left, right, top or bottom, got '{side}'.")
    return PatchMasks(_tube(~plane, t_len), [_tube(plane, t_len)])


# V-JEPA's released multiblock3d: a short-range set (8 small blocks) and a long-range set (2 large)
VJEPA_SETS = {"short": dict(num_blocks=8, spatial_scale=(0.15, 0.15)), "long": dict(num_blocks=2, spatial_scale=(0.7, 0.7))}
# the bundled video recipe trains a third mask token for future-frame targets; a model with two tokens
# (the official ones) reads slot 2 as slot 0 (the predictor takes mask_index modulo its token count)
FUTURE_TOKEN = 2


def multiblock3d(
    grid: Grid,
    seed: int = 0,
    set: str = "short",  # noqa: A002 - the official config's vocabulary
    num_blocks: int | None = None,
    spatial_scale=None,
    temporal_scale=(1.0, 1.0),
    aspect=(0.75, 1.5),
) -> PatchMasks:
    """V-JEPA mask set: the union of `num_blocks` spatio-temporal blocks of one sampled size is one target
    group (predicted in one sequence, with that set's mask token); the context is the complement."""
    if set not in VJEPA_SETS:
        raise MaskError(f"multiblock3d: set must be one of {', '.join(VJEPA_SETS)}, got '{set}'.")
    defaults = VJEPA_SETS[set]
    num_blocks = num_blocks or defaults["num_blocks"]
    spatial_scale = spatial_scale or defaults["spatial_scale"]
    t_len, height, width = grid
    rng = np.random.default_rng(seed)
    for _ in range(_MAX_TRIES):
        duration = max(1, int(t_len * rng.uniform(*temporal_scale)))
        size = _block_size(rng, (height, width), spatial_scale, aspect)
        target = np.zeros(grid, dtype=bool)
        for _ in range(num_blocks):
            start = rng.integers(0, t_len - duration + 1)
            target[start : start + duration] |= _place(rng, (height, width), size)
        if not target.all():
            return PatchMasks(~target, [target], token_ids=[list(VJEPA_SETS).index(set)])
    raise MaskError(
        f"multiblock3d: {num_blocks} blocks of scale {spatial_scale} cover the whole clip; use fewer or smaller blocks."
    )


def future(grid: Grid, context_steps: int | None = None, split: str = "joint") -> PatchMasks:
    """Context = the first `context_steps` time steps (default half), targets = the rest: one group
    (`split=joint`) or one group per future step (`split=step`, to read error against horizon)."""
    t_len = grid[0]
    if t_len < 2:
        raise MaskError("future: this model sees single images (1 time step); future-frame masks need a video model.")
    context_steps = t_len // 2 if context_steps is None else context_steps
    if not 1 <= context_steps < t_len:
        raise MaskError(f"future: context_steps must be between 1 and {t_len - 1} for {t_len} time steps, got {context_steps}.")
    context = np.zeros(grid, dtype=bool)
    context[:context_steps] = True
    if split == "joint":
        return PatchMasks(context, [~context], token_ids=[FUTURE_TOKEN])
    if split == "step":
        targets = []
        for step in range(context_steps, t_len):
            t = np.zeros(grid, dtype=bool)
            t[step] = True
            targets.append(t)
        return PatchMasks(context, targets, token_ids=[FUTURE_TOKEN] * len(targets))
    raise MaskError(f"future: split must be joint or step, got '{split}'.")


GENERATORS = {
    "multiblock": multiblock,
    "random": random,
    "tubes": random_tubes,
    "block": block,
    "centre": centre,
    "center": centre,
    "half": half,
    "multiblock3d": multiblock3d,
    "future": future,
}


def _parse_value(text: str):
    text = text.strip()
    if "-" in text[1:] and all(_is_number(p) for p in text.split("-", 1)) and not text.startswith("-"):
        low, high = text.split("-", 1)  # a range such as 0.15-0.2
        return (float(low), float(high))
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def parse_spec(spec: str) -> tuple[str, dict]:
    """'random:ratio=0.75,seed=0' -> ('random', {'ratio': 0.75, 'seed': 0}); ranges as 'pred_scale=0.15-0.2'."""
    name, _, rest = spec.strip().partition(":")
    name = name.strip().lower()
    if name not in GENERATORS:
        raise MaskError(
            f"unknown mask spec '{spec}': use one of {', '.join(sorted(GENERATORS))} (e.g. multiblock:seed=3) or a mask PNG."
        )
    kwargs = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise MaskError(f"mask spec '{spec}': '{item}' is not key=value.")
        kwargs[key.strip()] = _parse_value(value)
    return name, kwargs


MAX_SPEC_CHARS = 400  # the longest real spec is about 120 characters
MAX_BLOCKS = 64  # target blocks per mask set: the official configs use 2-8; each group costs a predictor call
MAX_INDEX = 100_000  # rows, columns, time steps: far beyond any patch grid, small enough to stay an int

# what each spec key may hold: ("int", low, high), ("fraction", open_low), ("range", low, high),
# ("positive", low, high), ("bool",), ("word", choices); the generators check what depends on the grid
_KEYS: dict[str, tuple] = {
    "seed": ("int", 0, 2**32 - 1),
    "npred": ("int", 1, MAX_BLOCKS),
    "num_blocks": ("int", 1, MAX_BLOCKS),
    "min_keep": ("int", 0, MAX_INDEX),
    "top": ("int", 0, MAX_INDEX),
    "left": ("int", 0, MAX_INDEX),
    "height": ("int", 1, MAX_INDEX),
    "width": ("int", 1, MAX_INDEX),
    "context_steps": ("int", 1, MAX_INDEX),
    "ratio": ("fraction", True),
    "scale": ("fraction", False),
    "pred_scale": ("range", 0.0, 1.0),
    "enc_scale": ("range", 0.0, 1.0),
    "spatial_scale": ("range", 0.0, 1.0),
    "temporal_scale": ("range", 0.0, 1.0),
    "aspect": ("positive", 0.01, 100.0),
    "allow_overlap": ("bool",),
    "side": ("word", ("left", "right", "top", "bottom")),
    "split": ("word", ("joint", "step")),
    "set": ("word", tuple(VJEPA_SETS)),
}


def _fraction_ok(x: float, open_high: bool) -> bool:
    return 0.0 < x < 1.0 if open_high else 0.0 < x <= 1.0


def _show(value) -> str:
    return "-".join(f"{v:g}" for v in value) if isinstance(value, tuple) else str(value)


def _check_value(name: str, key: str, value, spec: str):
    """The value for `key`, converted (a number for a range key becomes (x, x)), or a MaskError naming it."""
    rule = _KEYS[key]
    where = f"mask spec '{spec}': {key}"
    kind = rule[0]
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise MaskError(f"{where} must be a whole number, got '{value}'.")
        if not rule[1] <= value <= rule[2]:
            raise MaskError(f"{where} must be between {rule[1]} and {rule[2]}, got {value}.")
        return value
    if kind == "fraction":
        if not is_number or not _fraction_ok(float(value), rule[1]):
            bound = "between 0 and 1 (exclusive)" if rule[1] else "above 0 and at most 1"
            raise MaskError(f"{where} must be a number {bound}, got '{value}'.")
        return float(value)
    if kind in ("range", "positive"):
        low_ok, high_ok = rule[1], rule[2]
        if kind == "positive" and name == "block":  # one block: one aspect, not a range
            pair = (value, value) if is_number else None
        else:
            pair = (value, value) if is_number else value if isinstance(value, tuple) else None
        if pair is None:
            wanted = "a number" if name == "block" else "a number or a range such as 0.15-0.2"
            raise MaskError(f"{where} must be {wanted}, got '{_show(value)}'.")
        low, high = float(pair[0]), float(pair[1])

        def inside(x: float) -> bool:  # False for NaN, as every comparison with it is
            return low_ok < x <= high_ok if kind == "range" else low_ok <= x <= high_ok

        if not (inside(low) and inside(high)):
            limits = f"above {low_ok} and at most {high_ok}" if kind == "range" else f"between {low_ok} and {high_ok}"
            raise MaskError(f"{where} must be {limits}, got '{_show(value)}'.")
        if low > high:
            raise MaskError(f"{where}: the range {low}-{high} runs backwards; write the smaller value first.")
        return low if is_number and name == "block" else (low, high)
    if kind == "bool":
        if not isinstance(value, bool):
            raise MaskError(f"{where} must be true or false, got '{value}'.")
        return value
    if str(value) not in rule[1]:
        raise MaskError(f"{where} must be one of {', '.join(rule[1])}, got '{value}'.")
    return str(value)


def check_spec(spec: str) -> tuple[str, dict]:
    """parse_spec plus the checks: only the generator's own keys, each once, each with a sane value."""
    import inspect

    if len(spec) > MAX_SPEC_CHARS:
        raise MaskError(f"mask spec of {len(spec)} characters: at most {MAX_SPEC_CHARS}; e.g. multiblock:seed=3.")
    name, kwargs = parse_spec(spec)
    allowed = [p for p in inspect.signature(GENERATORS[name]).parameters if p != "grid"]
    keys = [item.partition("=")[0].strip() for item in spec.partition(":")[2].split(",") if item.strip()]
    for key in keys:
        if key not in allowed:
            raise MaskError(f"mask spec '{spec}': unknown key '{key}'; '{name}' takes {', '.join(allowed)}.")
        if keys.count(key) > 1:
            raise MaskError(f"mask spec '{spec}': '{key}' is given {keys.count(key)} times; give it once.")
    return name, {key: _check_value(name, key, value, spec) for key, value in kwargs.items()}


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).is_file()
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL byte, is no file
        return False


def is_mask_file(spec: str) -> bool:
    return spec.lower().endswith((".png", ".bmp", ".gif", ".tif", ".tiff", ".jpg", ".jpeg")) or _is_file(spec)


def generate(spec: str, grid: Grid) -> PatchMasks:
    """Masks from a generator spec or a mask image path, on the model's (T, H, W) grid."""
    if is_mask_file(spec):
        return PatchMasks.load_png(spec, grid)
    name, kwargs = check_spec(spec)
    return GENERATORS[name](tuple(grid), **kwargs)
