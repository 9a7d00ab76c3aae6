"""Procedural images with natural-image statistics: seeded, numpy + Pillow, fast.

Three families, each followed by the same "camera" step (lighting gradient, blur, gamma, noise):

- ``dead_leaves``: occluding discs/ellipses/polygons with power-law sizes (p(r) ~ r^-3, the
  scale-invariant dead-leaves model), colours drawn around a per-image palette, textured;
- ``noise``: multi-scale 1/f^alpha noise (alpha 1.5-2.5, optionally anisotropic/oriented), coloured
  through two random colour directions;
- ``shapes``: a few larger occluding shapes with shading gradients and soft shadows on a textured
  1/f background.

Every image is a pure function of its seed: ``render(seed, size)`` with ``seed`` any int/tuple that
``numpy.random.default_rng`` accepts. Training uses seeds under tag 0, held-out evaluation under
tag 1 (see ``data.py``), so the evaluator's procedural images never appear in training.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

KINDS = ("dead_leaves", "noise", "shapes")


@functools.lru_cache(maxsize=16)
def _freq(size: int):
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    r = np.sqrt(fx * fx + fy * fy)
    r[0, 0] = 1.0
    return fy, fx, r


def power_noise(rng, size: int, alpha: float = 2.0, n: int = 1, orient: float | None = None, aniso: float = 0.0) -> np.ndarray:
    """n fields of 1/f^(alpha/2)-amplitude noise (power spectrum ~ 1/f^alpha), zero mean, unit std."""
    fy, fx, r = _freq(size)
    amp = r ** (-alpha / 2.0)
    if orient is not None and aniso > 0:
        # favour frequencies perpendicular to the stripes' direction `orient`
        c = (fx * np.cos(orient) + fy * np.sin(orient)) / r
        amp = amp * (1 - aniso + aniso * c * c * 2)
    amp[0, 0] = 0.0
    spec = rng.standard_normal((n, size, size // 2 + 1)) + 1j * rng.standard_normal((n, size, size // 2 + 1))
    out = np.fft.irfft2(spec * amp, s=(size, size)).astype(np.float32)
    out -= out.mean(axis=(1, 2), keepdims=True)
    out /= out.std(axis=(1, 2), keepdims=True) + 1e-6
    return out


def _palette(rng, k: int) -> np.ndarray:
    """k colours around a random hue with natural-looking (mostly desaturated) variation, floats 0..1."""
    base = rng.uniform(0.15, 0.85, 3)
    spread = rng.uniform(0.1, 0.45)
    cols = base + rng.normal(0, spread, (k, 3)) * rng.uniform(0.3, 1.0, (k, 1))
    sat = rng.uniform(0.2, 1.0)  # desaturate towards grey sometimes
    grey = cols.mean(axis=1, keepdims=True)
    return np.clip(grey + sat * (cols - grey), 0.02, 0.98)


def _colour_texture(rng, size: int, oriented: bool | None = None) -> np.ndarray:
    a = rng.uniform(1.5, 2.6)
    if oriented is None:
        oriented = rng.random() < 0.4
    orient = rng.uniform(0, np.pi) if oriented else None
    f = power_noise(rng, size, a, n=2, orient=orient, aniso=rng.uniform(0.5, 0.95))
    c0 = rng.uniform(0.1, 0.9, 3)
    d1 = rng.normal(0, 1, 3)
    d1 = d1 / np.linalg.norm(d1) * rng.uniform(0.05, 0.3) + rng.uniform(0.05, 0.25)  # mostly luminance
    d2 = rng.normal(0, rng.uniform(0.02, 0.15), 3)
    return c0 + f[0, :, :, None] * d1 + f[1, :, :, None] * d2


@functools.lru_cache(maxsize=16)
def _grid(size: int):
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    return yy, xx


def _polys(rng, xy, radii, kinds=(0, 1, 2, 3)):
    """Vectorised shape parameters: kind 0 disc, 1 ellipse, 2 rotated square, 3 irregular triangle..hexagon."""
    n = len(radii)
    kinds = np.asarray(kinds)[rng.integers(0, len(kinds), n)]
    ecc = rng.uniform(0.35, 1.0, n)
    nv = rng.integers(3, 7, n)
    ang0 = rng.uniform(0, 2 * np.pi, n)
    jit = rng.uniform(-0.4, 0.4, (n, 6))
    rj = rng.uniform(0.6, 1.0, (n, 6))
    out = []
    for i in range(n):
        cx, cy, r, k = float(xy[i, 0]), float(xy[i, 1]), float(radii[i]), kinds[i]
        if k <= 1:
            e = 1.0 if k == 0 else float(ecc[i])
            out.append(("e", (cx - r, cy - r * e, cx + r, cy + r * e)))
            continue
        m = 4 if k == 2 else int(nv[i])
        a = ang0[i] + np.arange(m) * (2 * np.pi / m)
        rr = r
        if k == 3:
            a = a + jit[i, :m]
            rr = r * rj[i, :m]
        out.append(("p", list(zip((cx + rr * np.cos(a)).tolist(), (cy + rr * np.sin(a)).tolist()))))
    return out


def _draw(d, shape, fill):
    if shape[0] == "e":
        d.ellipse(shape[1], fill=fill)
    else:
        d.polygon(shape[1], fill=fill)


def dead_leaves(rng, size: int, kinds=(0, 1, 2, 3)) -> np.ndarray:
    rmin, rmax = size / 25, size * rng.uniform(0.25, 0.6)
    n = int(rng.integers(150, 260))
    u = rng.random(n)
    radii = (rmin**-2 - u * (rmin**-2 - rmax**-2)) ** -0.5  # p(r) ~ r^-3 (scale invariant)
    pal = _palette(rng, int(rng.integers(3, 9)))
    idx = rng.integers(0, len(pal), n)
    cols = (np.clip(pal[idx] + rng.normal(0, 0.05, (n, 3)), 0, 1) * 255).astype(np.uint8)
    xy = rng.uniform(-0.1 * size, 1.1 * size, (n, 2))
    im = Image.new("RGB", (size, size), tuple(int(v) for v in (pal[0] * 255)))
    d = ImageDraw.Draw(im)
    for i, sh in enumerate(_polys(rng, xy, radii, kinds)):  # painter's order: later leaves occlude earlier
        _draw(d, sh, tuple(cols[i].tolist()))
    a = np.asarray(im, np.float32) * (1 / 255.0)
    if rng.random() < 0.6:
        tex = power_noise(rng, size, rng.uniform(1.0, 2.0))[0]
        a = a * (1 + rng.uniform(0.03, 0.15) * tex[:, :, None])
    return a


def noise_texture(rng, size: int, oriented: bool | None = None) -> np.ndarray:
    return _colour_texture(rng, size, oriented)


def shapes(rng, size: int) -> np.ndarray:
    img = _colour_texture(rng, size)
    yy, xx = _grid(size)
    k = int(rng.integers(2, 6))
    geo = _polys(rng, rng.uniform(0, size, (k, 2)), size * rng.uniform(0.08, 0.35, k))
    tex = power_noise(rng, size, 2.0)[0][:, :, None]
    th = rng.uniform(0, 2 * np.pi, k)
    cols = rng.uniform(0.05, 0.95, (k, 3))
    sh_amt = rng.uniform(0.2, 0.5, k)
    tex_amt = rng.uniform(0, 0.15, k)
    shift = rng.integers(-size // 12, size // 12 + 1, (k, 2))
    blur = ImageFilter.BoxBlur(max(1, size // 32))
    for i in range(k):
        m = Image.new("L", (size, size), 0)
        _draw(ImageDraw.Draw(m), geo[i], 255)
        mask = np.asarray(m, np.float32)[:, :, None] * (1 / 255.0)
        # soft shadow: the mask shifted away from the light, blurred, darkening what lies below
        sh = np.asarray(m.filter(blur), np.float32)[:, :, None] * (1 / 255.0)
        sh = np.roll(sh, (int(shift[i, 0]), int(shift[i, 1])), axis=(0, 1))
        # shading: a linear gradient across the shape (a lit side and a dark side)
        g = np.cos(th[i]) * xx + np.sin(th[i]) * yy
        g = ((g - g.min()) / (np.ptp(g) + 1e-6))[:, :, None]
        shade = cols[i] * (0.55 + 0.6 * g) * (1 + tex_amt[i] * tex)
        img = img * (1 - sh_amt[i] * sh * (1 - mask))
        img = img + mask * (shade - img)
    return img


_FAMILIES = {"dead_leaves": dead_leaves, "noise": noise_texture, "shapes": shapes}


def camera(rng, img: np.ndarray) -> np.ndarray:
    """Lighting gradient, gamma, optional blur and sensor noise; float 0..1 in, uint8 out."""
    size = img.shape[0]
    if rng.random() < 0.7:
        yy, xx = _grid(size)
        th = rng.uniform(0, 2 * np.pi)
        light = 1 + rng.uniform(0.1, 0.5) * ((np.cos(th) * xx + np.sin(th) * yy) - 0.5)
        img = img * light[:, :, None] * rng.uniform(0.7, 1.2, 3) ** 0.3  # illuminant tint
    img = np.clip(img, 0, 1) ** rng.uniform(0.7, 1.4)
    if rng.random() < 0.15:
        img = img + rng.normal(0, rng.uniform(0.005, 0.03), img.shape)
    out = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
    if rng.random() < 0.35:
        out = np.asarray(Image.fromarray(out).filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.5))))
    return out


def render(seed, size: int = 64, kind: str | None = None) -> np.ndarray:
    """One procedural image, uint8 [size, size, 3], a pure function of (seed, size, kind)."""
    rng = np.random.default_rng(seed)
    if kind is None:
        kind = KINDS[int(rng.choice(3, p=[0.5, 0.2, 0.3]))]
    return camera(rng, _FAMILIES[kind](rng, size))
