"""Training and evaluation images for the tiny CPU I-JEPA.

- ``ImageBatches``: endless, seeded batches of float tensors [B,3,S,S] (ImageNet-normalised) mixing
  augmented crops of the *train* photographs (decoded once, kept in memory) with procedural images
  (``procedural.py``, seed tag 0).
- ``eval_images``: deterministic held-out uint8 arrays [N,S,S,3]: crops of the held-out photographs
  (whole photographs training never sees; by default only those committed to the repo, so numbers
  compare across machines) or procedural images from held-out seeds (tag 1).
- ``probe_dataset``: a labelled 4-way texture-family task for linear/kNN probes (tags 3/4).

Seed tags (first element of every ``numpy.random.default_rng`` seed) keep streams disjoint:
0 training procedural images, 1 held-out procedural images, 2 eval photo crops, 3/4 probe train/test,
5 training batch randomness.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageFilter

from . import procedural
from .photos import load_photos

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
TAG_TRAIN_PROC, TAG_EVAL_PROC, TAG_EVAL_PHOTO, TAG_PROBE_TRAIN, TAG_PROBE_TEST, TAG_BATCH, TAG_VAL_PROC, TAG_VAL_PHOTO = range(8)

_PHOTO_CACHE: dict = {}


def photos(split: str = "train", committed_only: bool = False) -> list[np.ndarray]:
    """Decoded photographs of a split, cached per process."""
    key = (split, committed_only)
    if key not in _PHOTO_CACHE:
        _PHOTO_CACHE[key] = load_photos(split, committed_only=committed_only)[0]
    return _PHOTO_CACHE[key]


def random_resized_crop(
    rng, img: np.ndarray, size: int, scale=(0.2, 1.0), ratio=(3 / 4, 4 / 3), blur_p: float = 0.0
) -> np.ndarray:
    """torchvision-style random resized crop (area fraction ``scale``, aspect ``ratio``), uint8 out."""
    h, w = img.shape[:2]
    area = h * w
    for _ in range(10):
        a = area * rng.uniform(*scale)
        r = np.exp(rng.uniform(np.log(ratio[0]), np.log(ratio[1])))
        cw, ch = int(round(np.sqrt(a * r))), int(round(np.sqrt(a / r)))
        if 0 < cw <= w and 0 < ch <= h:
            break
    else:
        cw = ch = min(h, w)
    x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    im = Image.fromarray(img).resize((size, size), Image.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch), reducing_gap=2.0)
    if blur_p and rng.random() < blur_p:
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5) * size / 64))
    return np.asarray(im)


def colour_augment(rng, x: torch.Tensor, p_jitter: float = 0.8, p_grey: float = 0.1, strength: float = 0.4) -> torch.Tensor:
    """Per-image brightness/contrast/saturation jitter and occasional greyscale on float [B,3,S,S] 0..1."""
    b = x.shape[0]
    on = torch.from_numpy(rng.random(b) < p_jitter).float().view(b, 1, 1, 1)
    f = torch.from_numpy(rng.uniform(1 - strength, 1 + strength, (3, b)).astype(np.float32))
    bright, contrast, sat = (1 + on * (v.view(b, 1, 1, 1) - 1) for v in f)
    x = x * bright
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = mean + contrast * (x - mean)
    grey = 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
    x = grey + sat * (x - grey)
    g = torch.from_numpy(rng.random(b) < p_grey).view(b, 1, 1, 1)
    grey = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]).expand_as(x)
    return torch.where(g, grey, x).clamp_(0, 1)


def to_tensor(u8: np.ndarray) -> torch.Tensor:
    """uint8 [B,S,S,3] -> float [B,3,S,S] in 0..1."""
    return torch.from_numpy(np.ascontiguousarray(u8)).permute(0, 3, 1, 2).float().div_(255)


def normalise(x: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std


class ImageBatches:
    """Seeded, endless batches [B,3,S,S] float32, ImageNet-normalised.

    Batch k is a pure function of (seed, k, split, size, batch_size, photo_fraction, the photos on
    disk): ``batch(k)`` gives it directly, iteration yields batch 0, 1, 2, ...
    ``photo_fraction`` of each batch (rounded) are augmented photo crops, the rest procedural images
    (seed tag 0 for split "train", tag 1 for "test", so held-out procedural seeds are never trained on).
    With no photographs on disk the whole batch is procedural.
    """

    def __init__(
        self,
        split: str = "train",
        size: int = 64,
        batch_size: int = 128,
        photo_fraction: float = 0.5,
        seed: int = 0,
        augment: bool = True,
        photo_arrays: list[np.ndarray] | None = None,
        committed_only: bool = False,
    ):
        self.split, self.size, self.batch_size = split, size, batch_size
        self.seed, self.augment = seed, augment
        self.photos = photo_arrays if photo_arrays is not None else photos(split, committed_only)
        self.photo_fraction = photo_fraction if self.photos else 0.0
        self.proc_tag = TAG_TRAIN_PROC if split == "train" else TAG_EVAL_PROC

    def batch_uint8(self, k: int) -> tuple[np.ndarray, np.random.Generator]:
        rng = np.random.default_rng([TAG_BATCH, self.seed, k])
        n_photo = int(round(self.batch_size * self.photo_fraction))
        out = np.empty((self.batch_size, self.size, self.size, 3), np.uint8)
        which = rng.integers(0, max(1, len(self.photos)), n_photo)
        for i in range(n_photo):
            img = self.photos[which[i]]
            if self.augment:
                out[i] = random_resized_crop(rng, img, self.size, blur_p=0.2)
            else:
                out[i] = random_resized_crop(rng, img, self.size, scale=(0.3, 1.0))
        for j in range(n_photo, self.batch_size):
            out[j] = procedural.render([self.proc_tag, self.seed, k, j], self.size)
        if self.augment:
            flip = rng.random(self.batch_size) < 0.5
            out[flip] = out[flip, :, ::-1]
        perm = rng.permutation(self.batch_size)  # photos and procedural interleaved
        return out[perm], rng

    def batch(self, k: int) -> torch.Tensor:
        u8, rng = self.batch_uint8(k)
        x = to_tensor(u8)
        if self.augment:
            x = colour_augment(rng, x)
        return normalise(x)

    def __iter__(self):
        k = 0
        while True:
            yield self.batch(k)
            k += 1


def eval_images(domain: str = "photos", size: int = 64, n: int = 64, seed: int = 0, committed_only: bool = True) -> np.ndarray:
    """Deterministic held-out images, uint8 [n,size,size,3].

    photos: crops (area 25-100 %, no colour change) of the held-out photographs, cycling through
    them; by default only those committed to the repo. procedural: held-out seeds (tag 1).
    """
    return _crops_or_procedural(
        domain,
        size,
        n,
        seed,
        TAG_EVAL_PROC,
        TAG_EVAL_PHOTO,
        lambda: photos("test", committed_only),
        "no held-out photographs on disk (data/photos)",
    )


def validation_images(domain: str = "photos", size: int = 64, n: int = 64, seed: int = 0) -> np.ndarray:
    """Images for choosing among checkpoints, disjoint from both training and `eval_images`.

    photos: the held-out photographs that are *not* committed (gathered locally), which the evaluator
    never uses; procedural: their own seed tag. Selecting a checkpoint on these leaves the reported
    held-out numbers untouched by the choice."""

    def local_only():
        return [a for a, r in zip(*load_photos("test")) if not r["redistributable_in_repo"]]

    return _crops_or_procedural(
        domain,
        size,
        n,
        seed,
        TAG_VAL_PROC,
        TAG_VAL_PHOTO,
        local_only,
        "no local-only held-out photographs; run `python -m jepa_explorer.train.photos` first",
    )


def _crops_or_procedural(domain, size, n, seed, proc_tag, photo_tag, held_photos, missing: str) -> np.ndarray:
    """n procedural images of one seed tag, or n crops (area 25-100 %) cycling through `held_photos()`."""
    if domain == "procedural":
        return np.stack([procedural.render([proc_tag, seed, i], size) for i in range(n)])
    if domain != "photos":
        raise ValueError(f"unknown domain {domain!r}")
    held = held_photos()
    if not held:
        raise FileNotFoundError(missing)
    out = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        rng = np.random.default_rng([photo_tag, seed, i])
        out[i] = random_resized_crop(rng, held[i % len(held)], size, scale=(0.25, 1.0))
    return out


PROBE_CLASSES = ("round leaves", "angular leaves", "isotropic 1/f texture", "oriented 1/f texture")


def _probe_image(label: int, seed, size: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if label == 0:
        img = procedural.dead_leaves(rng, size, kinds=(0, 1))
    elif label == 1:
        img = procedural.dead_leaves(rng, size, kinds=(2, 3))
    else:
        img = procedural.noise_texture(rng, size, oriented=(label == 3))
    return procedural.camera(rng, img)


def probe_dataset(n_train: int = 400, n_test: int = 400, size: int = 64, seed: int = 0):
    """4-way texture-family probe: (x_train uint8 [N,S,S,3], y_train int64, x_test, y_test).

    Classes (``PROBE_CLASSES``): dead leaves of discs/ellipses vs of squares/polygons, isotropic vs
    oriented 1/f noise, each with random palette, size distribution, lighting, gamma and blur.
    Labels are exactly balanced (i % 4, then shuffled). Train and test come from disjoint seed tags.
    """

    def make(n, tag):
        labels = np.arange(n) % 4
        np.random.default_rng([tag, seed]).shuffle(labels)
        x = np.stack([_probe_image(int(labels[i]), [tag, seed, i], size) for i in range(n)])
        return x, labels.astype(np.int64)

    xtr, ytr = make(n_train, TAG_PROBE_TRAIN)
    xte, yte = make(n_test, TAG_PROBE_TEST)
    return xtr, ytr, xte, yte
