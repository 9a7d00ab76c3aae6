"""Clips made from photographs: real textures under camera and object motion, for the tiny V-JEPA.

The procedural clips (``clips.py``) teach motion on procedural textures only; a user's footage has
photographic textures and camera motion. A photo-motion clip is a pure function of its seed and the
photographs it draws from (one split's, as on disk; held out by source exactly as ``photos.py`` splits
them):

- **camera** over one photograph: a pan, a zoom in or out and a small rotation, changing smoothly over
  the clip (the view stays inside the photograph, so no border ever shows); on some clips a slow ripple
  deforms the surface (water, cloth, heat haze);
- **objects** (0-3, on two depth layers): patches cut from *other* photographs in the sprite shapes of
  ``clips.py``, moving with its physics (walls, elastic collisions within a layer, passing in front of /
  behind the other layer, spin); their texture moves and turns with them, and some squash and stretch
  (an area-preserving deformation);
- **lighting drift**: overall brightness and a light gradient that change over the clip, then gamma and
  a little sensor noise, as the procedural clips have.

Everything is sampled with one bilinear lookup from a photograph first scaled down to about the output's
pixel size (no aliasing shimmer when the camera moves).

- ``render_photo_clip(seed, photos, size, num_frames)``: uint8 [T, S, S, 3].
- ``split_photos(split)``: the photographs of a split: "train" (all on disk), "test" (the committed
  held-out ones, what cards report), "validation" (the held-out ones gathered locally, never committed).
- ``eval_photo_clips(n, size, num_frames, seed, split)``: held-out clips uint8 [N, T, S, S, 3].

Seed tags (first element of each ``default_rng`` seed; clips.py uses 10-15): 16 training clips,
17 test clips, 18 validation clips, 21 the pace of a training clip (``ClipBatches(photo_slow=...)``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image

from . import clips

TAG_TRAIN_PHOTO_CLIP, TAG_TEST_PHOTO_CLIP, TAG_VALIDATION_PHOTO_CLIP = 16, 17, 18
TAG_PHOTO_PACE = 21
SPLITS = ("train", "test", "validation")


# ---------------------------------------------------------------- sampling


def _bilinear(img: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """img float32 [H, W, 3] sampled at pixel coordinates (x, y) (pixel centres at +0.5), edges clamped."""
    h, w = img.shape[:2]
    x = np.clip(x - 0.5, 0.0, w - 1.0)
    y = np.clip(y - 0.5, 0.0, h - 1.0)
    x0 = np.minimum(x.astype(np.int64), w - 2) if w > 1 else np.zeros(x.shape, np.int64)
    y0 = np.minimum(y.astype(np.int64), h - 2) if h > 1 else np.zeros(y.shape, np.int64)
    fx = (x - x0).astype(np.float32)[..., None]
    fy = (y - y0).astype(np.float32)[..., None]
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    top = img[y0, x0] * (1 - fx) + img[y0, x1] * fx
    bottom = img[y1, x0] * (1 - fx) + img[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def _scaled(photo: np.ndarray, factor: float) -> np.ndarray:
    """The photograph resized by ``factor`` (area-averaged when shrinking), float32 0..1."""
    h, w = photo.shape[:2]
    size = (max(2, round(w * factor)), max(2, round(h * factor)))
    im = Image.fromarray(photo).resize(size, Image.BILINEAR, reducing_gap=2.0 if factor < 1 else None)
    return np.asarray(im, dtype=np.float32) / 255.0


# ---------------------------------------------------------------- the camera over a photograph


def _camera_path(rng, width: float, height: float, size: int, num_frames: int, move: bool, pace: float = 1.0):
    """Per frame: view centre (x, y), half-size (photo px) and rotation, all inside a width × height photo.

    Zoom and rotation are drawn first; then the pan, as fast as 0.01-0.08 · size output px per frame,
    shortened until the start and the end view (and so every view between: the path is convex) fit.
    ``pace`` scales pan, zoom and turn alike (below 1: a slower camera)."""
    t = np.linspace(0.0, 1.0, num_frames)
    if rng.random() < 0.3:  # ease in and out: a camera that starts and stops
        t = 0.5 - 0.5 * np.cos(np.pi * t)
    zoom = np.exp(pace * t * rng.uniform(np.log(0.75), np.log(1.33))) if move and rng.random() < 0.5 else np.ones(num_frames)
    turn = pace * t * rng.uniform(-0.2, 0.2) if move and rng.random() < 0.35 else np.zeros(num_frames)
    half = (size / 2) / zoom  # photo px: the photo is pre-scaled so that zoom 1 is 1 photo px per output px
    reach = half * (np.abs(np.cos(turn)) + np.abs(np.sin(turn)))  # the rotated view's half extent
    r = float(reach.max())
    lo, hi = np.array([r, r]), np.array([width - r, height - r])
    if np.any(hi < lo):  # too small a photograph for this zoom / turn: centre it, no pan
        return np.repeat(((lo + hi) / 2)[None], num_frames, 0), half, turn
    speed = pace * rng.uniform(0.01, 0.08) * size if move and rng.random() < 0.85 else 0.0
    heading = rng.uniform(0, 2 * np.pi)
    span = speed * (num_frames - 1) * np.array([np.cos(heading), np.sin(heading)])
    room = hi - lo
    shrink = min([1.0, *(room[k] / abs(span[k]) for k in range(2) if abs(span[k]) > 1e-9)])
    span = span * shrink
    start_lo = lo + np.maximum(0, -span)
    start_hi = hi - np.maximum(0, span)
    start = rng.uniform(start_lo, np.maximum(start_lo, start_hi))
    centre = start[None] + t[:, None] * span[None]
    return centre, half, turn


def _background(rng, photo: np.ndarray, size: int, num_frames: int, move: bool, pace: float = 1.0) -> np.ndarray:
    """float [T, S, S, 3]: a photograph seen by a panning / zooming / turning camera, sometimes rippling."""
    view = rng.uniform(0.3, 0.7) * min(photo.shape[:2])  # the view spans 30-70% of the short side
    img = _scaled(photo, size / view)
    h, w = img.shape[:2]
    centre, half, turn = _camera_path(rng, w, h, size, num_frames, move, pace)
    yy, xx = clips._pixel_centres(size)
    u = (xx - size / 2)[None] / (size / 2)  # -1..1 across the output
    v = (yy - size / 2)[None] / (size / 2)
    c, s = np.cos(turn)[:, None, None], np.sin(turn)[:, None, None]
    hv = half[:, None, None]
    x = centre[:, 0, None, None] + hv * (u * c - v * s)
    y = centre[:, 1, None, None] + hv * (u * s + v * c)
    if rng.random() < 0.15:  # a slow ripple: the surface itself deforms (water, cloth), up to 1.5 px
        amp, wavelength = rng.uniform(0.5, 1.5), rng.uniform(size / 3, size)
        phase = rng.uniform(0, 2 * np.pi, 2)
        omega = pace * rng.uniform(0.2, 0.6) * rng.choice([-1, 1])
        tt = np.arange(num_frames)[:, None, None]
        x = x + amp * np.sin(2 * np.pi * yy[None] / wavelength + omega * tt + phase[0])
        y = y + amp * np.sin(2 * np.pi * xx[None] / wavelength + omega * tt + phase[1])
    return _bilinear(img, x, y)


# ---------------------------------------------------------------- photo-textured objects


def _draw_objects(rng, frames: np.ndarray, photos: list[np.ndarray], avoid: int, pace: float = 1.0) -> None:
    """0-3 objects cut from photographs other than ``avoid`` (the background's), moving with the sprite
    physics of ``clips.py`` and drawn back layer first, in place on float frames [T, S, S, 3]."""
    num_frames, size = frames.shape[:2]
    count = int(rng.integers(1, 4))
    sprites = clips._random_sprites(rng, size, count)
    sprites = dataclasses.replace(sprites, velocity=sprites.velocity * pace, spin=sprites.spin * pace)
    pos, _, ang = clips.simulate(sprites, size, num_frames)
    yy, xx = clips._pixel_centres(size)
    others = [i for i in range(len(photos)) if i != avoid] or [avoid]
    tt = np.arange(num_frames, dtype=np.float32)
    for i in np.argsort(sprites.layer, kind="stable"):  # back layer first: the front one occludes it
        shape = clips.SHAPES[int(rng.integers(len(clips.SHAPES)))]
        r = float(sprites.radius[i])
        # the texture: a photograph scaled so that the object shows 25-70% of its short side
        src = photos[others[int(rng.integers(len(others)))]]
        tex = _scaled(src, 2 * r / (rng.uniform(0.25, 0.7) * min(src.shape[:2])))
        th, tw = tex.shape[:2]
        margin = 1.5 * r * np.sqrt(2)
        cx = rng.uniform(min(margin, tw / 2), max(tw - margin, tw / 2))
        cy = rng.uniform(min(margin, th / 2), max(th - margin, th / 2))
        squash = np.ones(num_frames, np.float32)
        if rng.random() < 0.3:  # squash and stretch: a soft object deforming as it moves (area kept)
            depth = np.float32(rng.uniform(0.1, 0.25))
            squash = 1 + depth * np.sin(tt * np.float32(pace * rng.uniform(0.3, 0.8)) + rng.uniform(0, 6.3))
        sq = squash[:, None, None]
        dx = xx[None] - pos[:, i, 0, None, None].astype(np.float32)
        dy = yy[None] - pos[:, i, 1, None, None].astype(np.float32)
        a = ang[:, i].astype(np.float32)[:, None, None]
        c, s = np.cos(a), np.sin(a)
        u, w = (dx * c + dy * s) / sq, (-dx * s + dy * c) * sq  # object-local coordinates, squashed
        alpha = clips._coverage(shape, u, w, np.zeros(num_frames, np.float32), r)[..., None]  # already object-local
        fill = _bilinear(tex, cx + u, cy + w)
        frames += alpha * (fill - frames)


# ---------------------------------------------------------------- light and sensor


def _lighting(rng, frames: np.ndarray, pace: float = 1.0) -> np.ndarray:
    """Lighting that drifts over the clip (gain and a turning gradient), gamma, sensor noise; uint8 out."""
    num_frames, size = frames.shape[:2]
    yy, xx = clips._pixel_centres(size)
    t = np.float32(pace) * np.linspace(0.0, 1.0, num_frames, dtype=np.float32)[:, None, None]
    drift = rng.random() < 0.5
    gain = 1 + t * np.float32(rng.uniform(-0.25, 0.25) if drift else 0.0)
    th = rng.uniform(0, 2 * np.pi) + t * np.float32(rng.uniform(-0.8, 0.8) if drift else 0.0)
    strength = np.float32(rng.uniform(0.0, 0.4))
    light = gain * (1 + strength * ((np.cos(th) * xx[None] + np.sin(th) * yy[None]) / size - 0.5))
    frames = np.clip(frames * light[..., None], 0, 1) ** np.float32(rng.uniform(0.8, 1.25))
    sigma = rng.uniform(0.0, 0.015)
    if sigma > 0.005:
        frames = frames + np.float32(sigma) * rng.standard_normal(frames.shape, dtype=np.float32)
    return (np.clip(frames, 0, 1) * 255 + 0.5).astype(np.uint8)


def render_photo_clip(seed, photos: list[np.ndarray], size: int = 48, num_frames: int = 16, pace: float = 1.0) -> np.ndarray:
    """One photo-motion clip, uint8 [T, size, size, 3], a pure function of (seed, photos, size, num_frames, pace).

    Kinds, drawn by the seed: the camera alone over a photograph (40%), objects over a still photograph
    (25%), objects over a moving camera (35%). Every clip has motion: a still camera always has objects.
    ``pace`` slows every motion (camera, objects, ripple, squash, lighting drift) by that factor; footage
    sampled from a phone moves far less between steps than the default clips."""
    if not photos:
        raise FileNotFoundError("render_photo_clip: no photographs to draw from (data/photos is empty for this split)")
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, p=[0.4, 0.25, 0.35])
    which = int(rng.integers(len(photos)))
    frames = _background(rng, photos[which], size, num_frames, move=kind != 1, pace=pace)
    if kind != 0:
        _draw_objects(rng, frames, photos, which, pace)
    return _lighting(rng, frames, pace)


# ---------------------------------------------------------------- splits


def split_photos(split: str) -> list[np.ndarray]:
    """The photographs a split draws from, held out by source as ``photos.py`` splits them: "train" every
    training photograph on disk; "test" the committed held-out ones (cards report these, so numbers compare
    across machines); "validation" the held-out ones gathered locally (for choosing checkpoints)."""
    from .data import photos
    from .photos import load_photos

    if split == "train":
        return photos("train")
    if split == "test":
        return photos("test", committed_only=True)
    if split == "validation":
        return [a for a, r in zip(*load_photos("test")) if not r["redistributable_in_repo"]]
    raise ValueError(f"photo-motion clips: split '{split}' is not one of {', '.join(SPLITS)}.")


def eval_photo_clips(n: int = 32, size: int = 48, num_frames: int = 16, seed: int = 0, split: str = "test") -> np.ndarray:
    """Held-out photo-motion clips uint8 [n, T, S, S, 3] from the held-out photographs of ``split``
    ("test": seed tag 17, committed photographs; "validation": tag 18, locally gathered ones)."""
    if split not in ("test", "validation"):
        raise ValueError(f"eval_photo_clips: split '{split}' is neither 'test' nor 'validation'.")
    held = split_photos(split)
    if not held:
        raise FileNotFoundError(
            f"no held-out photographs for the {split} photo-motion clips in data/photos: "
            "run `python -m jepa_explorer.train.photos` after installing the packages packaging/data-notes.md lists."
        )
    tag = TAG_TEST_PHOTO_CLIP if split == "test" else TAG_VALIDATION_PHOTO_CLIP
    return np.stack([render_photo_clip([tag, seed, i], held, size, num_frames) for i in range(n)])


__all__ = ["render_photo_clip", "split_photos", "eval_photo_clips", "SPLITS"]
