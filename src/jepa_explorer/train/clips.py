"""Procedural training clips for the tiny CPU V-JEPA, and the V-JEPA training step.

A clip is a pure function of its seed: a textured background (1/f noise that may pan, or static dead
leaves, from ``procedural.py``), 1-4 sprites (discs, squares, diamonds, rings, each shaded and some
spinning) moving at constant velocity, bouncing off the walls, colliding elastically with sprites on
their own depth layer and passing in front of / behind the other layer, sometimes behind a fixed
foreground bar; then one lighting gradient, gamma and a little sensor noise for the whole clip.

- ``render_clip(seed, size, num_frames)``: uint8 [T, S, S, 3].
- ``ClipBatches(split, size, num_frames, batch_size, seed).batch(k)``: float [B, 3, T, S, S],
  ImageNet-normalised, a pure function of (seed, k).
- ``eval_clips(n, size, num_frames, split=)``: held-out clips uint8 [N, T, S, S, 3] (seeds training never
  sees; test or validation).
- ``motion_probe(n_train, n_test, size, num_frames, seed)``: which way the main sprite moves at the
  middle frame (right, left, down, up). Each trajectory is simulated forwards and backwards from a
  uniformly placed middle frame, and wall bounces preserve the uniform distribution of positions, so
  no single frame tells the class: only motion does.
(V-JEPA's batched mask sets are ``train.masking.collate_multiblock3d``; its training step is
``train.loop.vjepa_step``, beside the I-JEPA step.)

Seed tags (first element of each ``default_rng`` seed; data.py uses 0-5): 10 training clips,
11 held-out clips, 12/13 probe train/test, 14 batch randomness.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

from . import procedural
from .data import colour_augment, normalise

TAG_TRAIN_CLIP, TAG_EVAL_CLIP, TAG_PROBE_TRAIN, TAG_PROBE_TEST, TAG_CLIP_BATCH = 10, 11, 12, 13, 14
TAG_VALIDATION_CLIP = 15  # other held-out clips, for choosing between checkpoints (the card reports tag 11)
SHAPES = ("disc", "square", "diamond", "ring")
MOTION_CLASSES = ("right", "left", "down", "up")
_DIRECTIONS = np.array([(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)])  # (dx, dy) per class


# ---------------------------------------------------------------- physics


@dataclass
class Sprites:
    position: np.ndarray  # [n, 2] (x, y) px, centre
    velocity: np.ndarray  # [n, 2] px per frame
    radius: np.ndarray  # [n]
    layer: np.ndarray  # [n] 0 back, 1 front: sprites collide only within a layer
    angle: np.ndarray  # [n] rad
    spin: np.ndarray  # [n] rad per frame


def _step(s: Sprites, size: float) -> None:
    """One frame: move, reflect off the walls, elastic collisions (mass ~ area) within each layer."""
    s.position += s.velocity
    s.angle += s.spin
    lo, hi = s.radius[:, None], size - s.radius[:, None]
    below, above = s.position < lo, s.position > hi
    s.position = np.where(below, 2 * lo - s.position, np.where(above, 2 * hi - s.position, s.position))
    s.velocity = np.where(below | above, -s.velocity, s.velocity)
    n = len(s.radius)
    for i in range(n):
        for j in range(i + 1, n):
            if s.layer[i] != s.layer[j]:
                continue
            d = s.position[j] - s.position[i]
            dist = float(np.hypot(*d))
            reach = s.radius[i] + s.radius[j]
            if dist >= reach or dist < 1e-6:
                continue
            normal = d / dist
            approach = float((s.velocity[i] - s.velocity[j]) @ normal)
            if approach > 0:
                mi, mj = s.radius[i] ** 2, s.radius[j] ** 2
                impulse = 2 * approach / (mi + mj)
                s.velocity[i] -= impulse * mj * normal
                s.velocity[j] += impulse * mi * normal
            push = (reach - dist) / 2 * normal  # separate overlapping sprites
            s.position[i] -= push
            s.position[j] += push


def simulate(s: Sprites, size: float, num_frames: int, anchor: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions [T, n, 2], velocities [T, n, 2], angles [T, n]) with `s` the state at frame `anchor`:
    frames after it are simulated forwards, frames before it backwards (elastic motion is time-reversible)."""
    pos = np.empty((num_frames, len(s.radius), 2))
    vel = np.empty_like(pos)
    ang = np.empty((num_frames, len(s.radius)))

    def run(state: Sprites, frames, sign: float):
        for t in frames:
            pos[t], vel[t], ang[t] = state.position, sign * state.velocity, state.angle
            _step(state, size)

    start = Sprites(*(np.array(v, dtype=np.float64) for v in vars(s).values()))
    run(Sprites(*(v.copy() for v in vars(start).values())), range(anchor, num_frames), 1.0)
    if anchor > 0:
        back = Sprites(start.position.copy(), -start.velocity, start.radius, start.layer, start.angle.copy(), -start.spin)
        _step(back, size)  # frame anchor - 1
        run(back, range(anchor - 1, -1, -1), -1.0)
    return pos, vel, ang


# ---------------------------------------------------------------- drawing


@functools.lru_cache(maxsize=8)
def _pixel_centres(size: int) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    return yy, xx


def _coverage(shape: str, dx: np.ndarray, dy: np.ndarray, angle: np.ndarray, radius: float) -> np.ndarray:
    """Anti-aliased coverage 0..1 [T, S, S] from signed distances (pixels) to the sprite's edge."""
    c, s = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    u, w = dx * c + dy * s, -dx * s + dy * c
    if shape == "disc":
        d = np.sqrt(dx * dx + dy * dy) - radius
    elif shape == "square":
        d = np.maximum(np.abs(u), np.abs(w)) - radius * 0.85
    elif shape == "diamond":
        d = (np.abs(u) + np.abs(w)) / np.sqrt(2) - radius * 0.8
    else:  # ring
        d = np.abs(np.sqrt(dx * dx + dy * dy) - radius * 0.65) - radius * 0.35
    return np.clip(0.5 - d, 0.0, 1.0)


def _background(rng, size: int, num_frames: int) -> np.ndarray:
    """float [T, S, S, 3]: low-contrast texture so the sprites carry the motion; noise sometimes pans."""
    if rng.random() < 0.6:
        tex = procedural.noise_texture(rng, size)  # periodic (FFT): pans by rolling without seams
        pan = rng.normal(0, 0.4, 2) if rng.random() < 0.4 else np.zeros(2)
        shifts = np.round(np.arange(num_frames)[:, None] * pan).astype(int)
        frames = np.stack([np.roll(tex, (int(dy), int(dx)), axis=(0, 1)) for dx, dy in shifts])
    else:
        frames = np.repeat(procedural.dead_leaves(rng, size)[None], num_frames, axis=0)
    frames = frames.astype(np.float32)
    mean = frames.mean(axis=(0, 1, 2), keepdims=True)
    return mean + np.float32(rng.uniform(0.3, 0.7)) * (frames - mean)


def _random_sprites(rng, size: int, count: int) -> Sprites:
    radius = rng.uniform(0.07, 0.16, count) * size
    angle = rng.uniform(0, 2 * np.pi, count)
    speed = rng.uniform(0.015, 0.06, count) * size
    heading = rng.uniform(0, 2 * np.pi, count)
    velocity = np.stack([np.cos(heading), np.sin(heading)], axis=1) * speed[:, None]
    layer = rng.integers(0, 2, count)
    position = np.empty((count, 2))
    for i in range(count):  # no overlap within a layer at the start (a few tries, then accept)
        for _ in range(20):
            position[i] = rng.uniform(radius[i], size - radius[i], 2)
            same = (layer[:i] == layer[i]) & (np.hypot(*(position[:i] - position[i]).T) < radius[:i] + radius[i])
            if not same.any():
                break
    spin = np.where(rng.random(count) < 0.5, rng.uniform(-0.15, 0.15, count), 0.0)
    return Sprites(position, velocity, radius, layer, angle, spin)


def _draw(rng, frames: np.ndarray, sprites: Sprites, pos, ang, order) -> np.ndarray:
    size = frames.shape[1]
    yy, xx = _pixel_centres(size)
    for i in order:
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        colour = rng.uniform(0.05, 0.95, 3).astype(np.float32)
        light = rng.uniform(0, 2 * np.pi)
        r = float(sprites.radius[i])
        dx = xx[None] - pos[:, i, 0, None, None].astype(np.float32)
        dy = yy[None] - pos[:, i, 1, None, None].astype(np.float32)
        alpha = _coverage(shape, dx, dy, ang[:, i].astype(np.float32), r)[..., None]
        # shading fixed to the sprite (it moves with it): a lit side and a dark side
        shade = np.float32(0.8) + (dx * np.float32(0.175 * np.cos(light) / r) + dy * np.float32(0.175 * np.sin(light) / r))
        fill = colour * np.clip(shade, 0.4, 1.3)[..., None]
        frames += alpha * (fill - frames)
    return frames


def _camera(rng, frames: np.ndarray) -> np.ndarray:
    size = frames.shape[1]
    yy, xx = _pixel_centres(size)
    th = rng.uniform(0, 2 * np.pi)
    light = 1 + rng.uniform(0.0, 0.4) * ((np.cos(th) * xx + np.sin(th) * yy) / size - 0.5)
    frames = np.clip(frames * light[None, :, :, None], 0, 1) ** np.float32(rng.uniform(0.8, 1.25))
    sigma = rng.uniform(0.0, 0.015)
    if sigma > 0.005:  # sensor noise on some clips
        frames += np.float32(sigma) * rng.standard_normal(frames.shape, dtype=np.float32)
    return (np.clip(frames, 0, 1) * 255 + 0.5).astype(np.uint8)


def _occluder(rng, frames: np.ndarray) -> np.ndarray:
    """A fixed vertical or horizontal bar in front of everything (objects pass behind it)."""
    size = frames.shape[1]
    width = int(rng.integers(max(2, size // 12), max(3, size // 6)))
    at = int(rng.integers(size // 5, size - size // 5 - width))
    colour = rng.uniform(0.1, 0.9, 3).astype(np.float32)
    out = frames.copy()
    if rng.random() < 0.5:
        out[:, :, at : at + width] = colour
    else:
        out[:, at : at + width, :] = colour
    return out


def render_clip(seed, size: int = 48, num_frames: int = 16) -> np.ndarray:
    """One procedural clip, uint8 [T, size, size, 3], a pure function of (seed, size, num_frames)."""
    rng = np.random.default_rng(seed)
    frames = _background(rng, size, num_frames)
    sprites = _random_sprites(rng, size, int(rng.integers(1, 5)))
    pos, _, ang = simulate(sprites, size, num_frames)
    order = np.argsort(sprites.layer, kind="stable")  # back layer first
    frames = _draw(rng, frames, sprites, pos, ang, order)
    if rng.random() < 0.25:
        frames = _occluder(rng, frames)
    return _camera(rng, frames)


# ---------------------------------------------------------------- batches and held-out clips


def clips_to_tensor(clips: np.ndarray) -> torch.Tensor:
    """uint8 [B, T, S, S, 3] -> float [B, 3, T, S, S] in 0..1."""
    return torch.from_numpy(np.ascontiguousarray(clips)).permute(0, 4, 1, 2, 3).float().div_(255)


class ClipBatches:
    """Seeded, endless batches [B, 3, T, S, S] float32, ImageNet-normalised.

    Batch k is a pure function of (seed, k, split, size, num_frames, batch_size): ``batch(k)`` gives it,
    iteration yields batch 0, 1, 2, ... Split "train" draws clip seeds under tag 10, "test" under 11.
    ``photo_fraction`` of each batch (rounded) are photo-motion clips (``photo_motion.py``: real textures
    under camera and object motion, from the split's photographs, seed tag 16), the rest procedural; with
    no photographs on disk the whole batch is procedural, as ``ImageBatches`` does. ``photo_slow`` of the
    photo clips (drawn per clip under seed tag 21) move at a pace of 0.1-0.5: real footage sampled every
    few frames moves far less than the default clips, and 0 gives exactly the batches recipes always had.
    Augmentation (train): horizontal flips and a colour jitter shared by all frames of a clip."""

    def __init__(
        self,
        split: str = "train",
        size: int = 48,
        num_frames: int = 16,
        batch_size: int = 16,
        seed: int = 0,
        augment: bool | None = None,
        photo_fraction: float = 0.0,
        photo_arrays: list[np.ndarray] | None = None,
        photo_slow: float = 0.0,
    ):
        self.split, self.size, self.num_frames, self.batch_size, self.seed = split, size, num_frames, batch_size, seed
        self.augment = (split == "train") if augment is None else augment
        self.tag = TAG_TRAIN_CLIP if split == "train" else TAG_EVAL_CLIP
        self.photos = photo_arrays
        if photo_fraction > 0 and self.photos is None:
            from .photo_motion import split_photos

            self.photos = split_photos("train" if split == "train" else "test")
        self.photo_fraction = photo_fraction if self.photos else 0.0
        self.photo_slow = photo_slow

    def batch_uint8(self, k: int) -> tuple[np.ndarray, np.random.Generator]:
        rng = np.random.default_rng([TAG_CLIP_BATCH, self.seed, k])
        n_photo = int(round(self.batch_size * self.photo_fraction))
        # clip j is a photo clip for j < n_photo, else the procedural clip j it always was (same seed, same
        # place, same flip): photo_fraction 0 gives exactly the batches recipes always had
        out = np.stack(
            [
                self._photo_clip(k, j) if j < n_photo else render_clip([self.tag, self.seed, k, j], self.size, self.num_frames)
                for j in range(self.batch_size)
            ]
        )
        if self.augment:
            flip = rng.random(self.batch_size) < 0.5
            out[flip] = out[flip, :, :, ::-1]
        return out, rng

    def _photo_clip(self, k: int, j: int) -> np.ndarray:
        from .photo_motion import TAG_PHOTO_PACE, TAG_TEST_PHOTO_CLIP, TAG_TRAIN_PHOTO_CLIP, render_photo_clip

        tag = TAG_TRAIN_PHOTO_CLIP if self.split == "train" else TAG_TEST_PHOTO_CLIP
        pace = 1.0
        if self.photo_slow > 0:  # its own generator: the clip's content stays the clip it always was
            rng = np.random.default_rng([TAG_PHOTO_PACE, self.seed, k, j])
            if rng.random() < self.photo_slow:
                pace = float(rng.uniform(0.1, 0.5))
        return render_photo_clip([tag, self.seed, k, j], self.photos, self.size, self.num_frames, pace)

    def batch(self, k: int) -> torch.Tensor:
        u8, rng = self.batch_uint8(k)
        x = clips_to_tensor(u8)  # [B, 3, T, S, S]
        b, c, t, s, _ = x.shape
        if self.augment:  # frames stacked vertically: one jitter per clip, identical across its frames
            x = colour_augment(rng, x.reshape(b, c, t * s, s), p_grey=0.05).reshape(b, c, t, s, s)
        return normalise(x.reshape(b, c, t * s, s)).reshape(b, c, t, s, s)

    def __iter__(self):
        k = 0
        while True:
            yield self.batch(k)
            k += 1


def eval_clips(n: int = 32, size: int = 48, num_frames: int = 16, seed: int = 0, split: str = "test") -> np.ndarray:
    """Held-out clips, never trained on, uint8 [n, T, S, S, 3]: "test" (tag 11, what cards report) or
    "validation" (tag 15, for choosing checkpoints without looking at the test clips)."""
    if split not in ("test", "validation"):
        raise ValueError(f"eval_clips: split '{split}' is neither 'test' nor 'validation'.")
    tag = TAG_EVAL_CLIP if split == "test" else TAG_VALIDATION_CLIP
    return np.stack([render_clip([tag, seed, 0, i], size, num_frames) for i in range(n)])


# ---------------------------------------------------------------- motion probe


def _probe_clip(label: int, seed, size: int, num_frames: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    frames = _background(rng, size, 1).repeat(num_frames, axis=0)  # static background: only sprites move
    others = _random_sprites(rng, size, int(rng.integers(0, 3)))
    others.layer[:] = 0
    others.velocity *= 0.5  # distractors drift slower than the main sprite (at most 0.03 · size px/frame)
    radius = rng.uniform(0.1, 0.16) * size
    speed = rng.uniform(0.04, 0.08) * size
    main = Sprites(
        position=rng.uniform(radius, size - radius, (1, 2)),  # uniform at the middle frame
        velocity=_DIRECTIONS[label][None] * speed,
        radius=np.array([radius]),
        layer=np.array([1]),
        angle=rng.uniform(0, 2 * np.pi, 1),
        spin=np.zeros(1),
    )
    middle = num_frames // 2
    pos_o, _, ang_o = simulate(others, size, num_frames, anchor=middle)
    pos_m, _, ang_m = simulate(main, size, num_frames, anchor=middle)
    frames = _draw(rng, frames, others, pos_o, ang_o, range(len(others.radius)))
    frames = _draw(rng, frames, main, pos_m, ang_m, [0])
    return _camera(rng, frames)


def motion_probe(n_train: int = 256, n_test: int = 256, size: int = 48, num_frames: int = 16, seed: int = 0):
    """(x_train uint8 [N, T, S, S, 3], y_train int64, x_test, y_test): the main (front, fastest)
    sprite's direction at the middle frame, classes ``MOTION_CLASSES``, exactly balanced, train and test
    from disjoint seed tags. The main sprite moves 0.04-0.08 · size px per frame and bounces off the
    walls; 0-2 distractor sprites move behind it in random directions."""

    def make(n, tag):
        labels = np.arange(n) % len(MOTION_CLASSES)
        np.random.default_rng([tag, seed]).shuffle(labels)
        x = np.stack([_probe_clip(int(labels[i]), [tag, seed, i], size, num_frames) for i in range(n)])
        return x, labels.astype(np.int64)

    x_train, y_train = make(n_train, TAG_PROBE_TRAIN)
    x_test, y_test = make(n_test, TAG_PROBE_TEST)
    return x_train, y_train, x_test, y_test


# ---------------------------------------------------------------- V-JEPA training


__all__ = [
    "render_clip",
    "ClipBatches",
    "eval_clips",
    "motion_probe",
    "MOTION_CLASSES",
]
