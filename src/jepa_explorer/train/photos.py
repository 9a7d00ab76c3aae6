"""Photographs that PyPI and Debian packages ship, gathered into a small local corpus.

``gather_photos(out_dir)`` installs nothing: it looks for each known photograph inside the packages
present in this environment, downscales it to a short side of 256 px, stores it as JPEG under
``out_dir/<source>/<name>.jpg`` and writes a manifest (file, source package, licence, credit,
original path, sha256 of the original and of the stored file, split, redistributable flag).

Only files with a known licence are listed. Public-domain, CC0, CC-BY and CC-BY-SA photographs are
committed to the repository (``data/photos``); GPL-licensed wallpapers/textures are gathered
locally when their Debian packages are installed and kept out of git (see packaging/data-notes.md).

Split: whole photographs, never crops. Within each source package, photographs are ordered by the
sha256 of ``"<source>/<name>"`` (stable across package re-encodes) and the first round(20 %) are
held out ("test"); training never sees them.

    python -m jepa_explorer.train.photos            # gather into data/photos + data/photos_manifest.json
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from jepa_explorer.fileio import write_bytes, write_text

SHORT_SIDE = 256
HELDOUT_FRACTION = 0.2
REPO_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = Path(os.environ.get("JEPA_DATA_DIR", REPO_ROOT / "data"))
MANIFEST = DATA_DIR / "photos_manifest.json"

# Packages the gather step reads (nothing is installed by the code itself).
PIP_PACKAGES = ["scikit-image", "matplotlib", "PyWavelets"]
APT_PACKAGES = [
    "lomiri-wallpapers-16.04",
    "lomiri-wallpapers-20.04",
    "xplanet-images",
    # GPL: gathered locally, not committed
    "mate-backgrounds",
    "plasma-workspace-wallpapers",
    "gimp-data",
]
# Licences whose files we commit (attribution kept in the manifest and data/photos/LICENSES.md).
COMMITTABLE = {"public-domain", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0"}


@dataclass(frozen=True)
class Spec:
    source: str  # package name as installed (pip distribution or Debian package)
    name: str  # stable short name
    rel: str  # path relative to the package's data root (glob allowed)
    licence: str
    credit: str
    kind: str = "photo"  # "photo" | "texture" (small tileable photographic texture)


def _pip_root(module: str, sub: str) -> Path | None:
    try:
        mod = __import__(module)
    except Exception:
        return None
    return Path(mod.__file__).parent / sub


def _mpl_root() -> Path | None:
    try:
        import matplotlib
    except Exception:
        return None
    return Path(matplotlib.get_data_path()) / "sample_data"


_SK = [
    ("astronaut", "astronaut.png", "public-domain", "NASA (Eileen Collins), via scikit-image"),
    ("camera", "camera.png", "CC0-1.0", "Lav Varshney, via scikit-image"),
    ("coffee", "coffee.png", "CC0-1.0", "Rachel Michetti, via scikit-image"),
    ("chelsea", "chelsea.png", "CC0-1.0", "Stefan van der Walt, via scikit-image"),
    ("rocket", "rocket.jpg", "public-domain", "SpaceX, via scikit-image"),
    ("hubble_deep_field", "hubble_deep_field.jpg", "public-domain", "NASA, via scikit-image"),
    ("coins", "coins.png", "public-domain", "Brooklyn Museum (no known copyright), via scikit-image"),
    ("brick", "brick.png", "CC0-1.0", "CC0Textures Bricks25, via scikit-image"),
    ("grass", "grass.png", "CC0-1.0", "linolafett (DeviantArt), via scikit-image"),
    ("gravel", "gravel.png", "CC0-1.0", "CC0Textures Gravel04, via scikit-image"),
    ("retina", "retina.jpg", "CC0-1.0", "Mikael Häggström, via scikit-image"),
    ("ihc", "ihc.png", "public-domain", "immunohistochemistry (no known copyright), via scikit-image"),
    ("cell", "cell.png", "CC0-1.0", "Guck lab, via scikit-image"),
    ("text", "text.png", "public-domain", "Wikipedia File:Corner.png, via scikit-image"),
    ("clock_motion", "clock_motion.png", "public-domain", "Stefan van der Walt, via scikit-image"),
]
_LOMIRI16 = [
    ("Picture_1A_by_freespace", "CC-BY-4.0", 'Trevor "Freespace"'),
    ("Wine_by_Jakkub_Mede", "CC-BY-4.0", "Jakub Mede"),
    ("greentock_by_Peter_Nerlich", "CC-BY-SA-4.0", "Peter Nerlich"),
    ("seeding_by_Clements_Engelhardt", "CC0-1.0", "Clemens Engelhardt"),
    ("aitzgorri_by_Aitzol_Berasategi", "CC-BY-4.0", "Aitzol Berasategi"),
    ("Dragonfly_by_Bolly", "CC-BY-SA-4.0", '"Bolly"'),
    ("friends_by_Aitzol_Berasategi", "CC-BY-4.0", "Aitzol Berasategi"),
    ("sunset_by_Aitzol_Berasategi", "CC-BY-4.0", "Aitzol Berasategi"),
    ("free_by_Peter_Nerlich", "CC-BY-SA-4.0", "Peter Nerlich"),
    ("picosdeeuropa_by_Aitzol_Berasategi", "CC-BY-4.0", "Aitzol Berasategi"),
    ("Picture_0B_by_freespace", "CC-BY-4.0", 'Trevor "Freespace"'),
    ("life_by_Aitzol_Berasategi", "CC-BY-4.0", "Aitzol Berasategi"),
    ("analogpattern_by_Peter_Nerlich", "CC-BY-SA-4.0", "Peter Nerlich"),
    ("Bridge_by_Sander_Klootwijk", "CC-BY-SA-4.0", "Sander Klootwijk"),
]
_LOMIRI20 = [
    ("Kleiber_by_Lukas_Baubkus", "CC-BY-SA-3.0", "Lukas Baubkus"),
    ("Infinite-Sea_by_Aury88", "CC-BY-SA-3.0", "Aury88"),
]
_MATE = [
    "Aqua",
    "Blinds",
    "Dune",
    "FreshFlower",
    "Garden",
    "GreenMeadow",
    "LadyBird",
    "RainDrops",
    "Storm",
    "TwoWings",
    "Wood",
    "YellowFlower",
]
_PLASMA = [
    "BytheWater",
    "ColdRipple",
    "ColorfulCups",
    "DarkestHour",
    "EveningGlow",
    "FallenLeaf",
    "Grey",
    "Kite",
    "OneStandsOut",
    "Path",
    "Volna",
    "summer_1am",
]
# GIMP patterns that are photographic textures (the Legacy folder and synthetic ones left out)
_GIMP = [
    "Fabric/burlap",
    "Food/java",
    "Food/choc_swirl",
    "Water/pool",
    "Water/rain",
    "Water/ice",
    "Paper/crinklepaper",
    "Paper/paper",
    "Sky/sky",
    "Sky/lightning",
    "Stone/Craters",
    "Stone/brick",
    "Stone/rock",
    "Stone/slate",
    "Stone/ground1",
    "Stone/stone33",
    "Stone/marble3",
    "Stone/cracked",
    "Stone/pink_marble",
    "Stone/marble2",
    "Stone/marble1",
    "Stone/terra",
    "Stone/granite1",
    "Stone/amethyst",
    "Stone/Moonfoot",
    "Animal/leopard",
    "Animal/leather",
    "Plant/leaves",
    "Wood/wood4",
    "Wood/bark",
    "Wood/wood3",
    "Wood/wood1",
    "Wood/parque2",
    "Wood/walnut",
    "Wood/pine",
    "Wood/parque1",
    "Wood/wood2",
    "Wood/wood5",
    "Wood/parque3",
    "Wood/corkboard",
    "Wood/burlwood",
]


def catalogue() -> list[tuple[Spec, Path | None]]:
    """Every known photograph with the root it would be found under (None: package absent)."""
    sk = _pip_root("skimage", "data")
    pw = _pip_root("pywt", "data")
    out: list[tuple[Spec, Path | None]] = []
    for name, f, lic, cr in _SK:
        out.append((Spec("scikit-image", name, f, lic, cr), sk))
    out.append(
        (
            Spec(
                "matplotlib",
                "grace_hopper",
                "grace_hopper.jpg",
                "public-domain",
                "US Navy (Grace Hopper), via matplotlib sample data",
            ),
            _mpl_root(),
        )
    )
    out.append(
        (
            Spec(
                "PyWavelets",
                "ascent",
                "ascent.npz",
                "public-domain",
                "public-domain-image.com 'accent to the top', via PyWavelets",
            ),
            pw,
        )
    )
    bg = Path("/usr/share/backgrounds")
    for name, lic, cr in _LOMIRI16:
        out.append((Spec("lomiri-wallpapers-16.04", name, f"{name}.jpg", lic, cr), bg))
    for name, lic, cr in _LOMIRI20:
        out.append((Spec("lomiri-wallpapers-20.04", name, f"{name}.jpg", lic, cr), bg))
    out.append(
        (
            Spec("xplanet-images", "earth", "earth.jpg", "public-domain", "NASA (not copyrighted), via xplanet-images"),
            Path("/usr/share/xplanet/images"),
        )
    )
    for name in _MATE:
        out.append(
            (
                Spec(
                    "mate-backgrounds",
                    name,
                    f"nature/{name}.jpg",
                    "GPL-2+",
                    "MATE backgrounds contributors (see the package's copyright file)",
                ),
                Path("/usr/share/backgrounds/mate"),
            )
        )
    for name in _PLASMA:
        out.append(
            (
                Spec("plasma-workspace-wallpapers", name, f"{name}/contents/images/*.jpg", "GPL-2+", "KDE Visual Design Group"),
                Path("/usr/share/wallpapers"),
            )
        )
    for name in _GIMP:
        out.append(
            (
                Spec("gimp-data", name.replace("/", "_"), f"{name}.pat", "GPL-3+", "GIMP patterns", kind="texture"),
                Path("/usr/share/gimp/2.0/patterns"),
            )
        )
    return out


def read_gimp_pattern(data: bytes) -> np.ndarray:
    """Decode a GIMP .pat file (header size, version, w, h, bytes/pixel, 'GPAT', name, pixels)."""
    hsize, _ver, w, h, bpp = (int.from_bytes(data[i : i + 4], "big") for i in range(0, 20, 4))
    if data[20:24] != b"GPAT":
        raise ValueError("not a GIMP pattern")
    px = np.frombuffer(data, np.uint8, w * h * bpp, hsize).reshape(h, w, bpp)
    if bpp in (1, 2):
        px = np.repeat(px[..., :1], 3, axis=2)
    return np.ascontiguousarray(px[..., :3])


def _decode(path: Path, data: bytes) -> np.ndarray:
    if path.suffix == ".pat":
        return read_gimp_pattern(data)
    if path.suffix == ".npz":
        a = np.load(io.BytesIO(data))["data"]
        a = a if a.ndim == 3 else np.repeat(a[..., None], 3, axis=2)
        return np.clip(a, 0, 255).astype(np.uint8)
    Image.MAX_IMAGE_PIXELS = None
    im = Image.open(io.BytesIO(data))
    im.draft("RGB", (SHORT_SIDE * 2, SHORT_SIDE * 2))  # JPEG: decode at reduced scale
    return np.asarray(im.convert("RGB"))


def downscale(a: np.ndarray, short: int = SHORT_SIDE) -> np.ndarray:
    h, w = a.shape[:2]
    s = short / min(h, w)
    if s >= 1:
        return a
    im = Image.fromarray(a).resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)
    return np.asarray(im)


def _split_key(source: str, name: str) -> str:
    return hashlib.sha256(f"{source}/{name}".encode()).hexdigest()


def assign_splits(records: list[dict], fraction: float = HELDOUT_FRACTION) -> None:
    """Held out per source package: the round(fraction * n) photos with the smallest name hash."""
    by_src: dict[str, list[dict]] = {}
    for r in records:
        by_src.setdefault(r["source"], []).append(r)
    for rs in by_src.values():
        rs.sort(key=lambda r: _split_key(r["source"], r["name"]))
        k = int(np.floor(fraction * len(rs) + 0.5))
        for i, r in enumerate(rs):
            r["split"] = "test" if i < k else "train"


def gather_photos(out_dir: str | os.PathLike = DATA_DIR / "photos", manifest_path=None, verbose: bool = False) -> list[dict]:
    """Collect every catalogued photograph present in the environment into ``out_dir``.

    Returns the manifest records; writes them (JSON) to ``manifest_path`` (default
    ``<out_dir>/../photos_manifest.json``). Records of photographs whose package is absent keep
    ``"present": false`` only if they were already in an existing manifest (so a machine without
    the Debian packages does not drop the committed entries).
    """
    out_dir = Path(out_dir)
    manifest_path = Path(manifest_path) if manifest_path else out_dir.parent / "photos_manifest.json"
    old = {}
    if manifest_path.exists():
        old = {(r["source"], r["name"]): r for r in json.loads(manifest_path.read_text())["photos"]}
    records = []
    for spec, root in catalogue():
        hits = sorted(glob.glob(str(root / spec.rel))) if root is not None else []
        if not hits:
            if (spec.source, spec.name) in old:
                records.append(old[(spec.source, spec.name)])
            elif verbose:
                print(f"absent: {spec.source} {spec.rel}", file=sys.stderr)
            continue
        path = Path(hits[-1])
        raw = path.read_bytes()
        a = downscale(_decode(path, raw))
        rel = f"photos/{spec.source}/{spec.name}.jpg"
        dest = out_dir / spec.source / f"{spec.name}.jpg"
        dest.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, "JPEG", quality=90, optimize=True)
        write_bytes(dest, buf.getvalue())
        records.append(
            {
                "file": rel,
                "source": spec.source,
                "name": spec.name,
                "kind": spec.kind,
                "licence": spec.licence,
                "credit": spec.credit,
                "original_path": str(path),
                "original_sha256": hashlib.sha256(raw).hexdigest(),
                "sha256": hashlib.sha256(buf.getvalue()).hexdigest(),
                "height": int(a.shape[0]),
                "width": int(a.shape[1]),
                "redistributable_in_repo": spec.licence in COMMITTABLE,
            }
        )
    assign_splits(records)
    records.sort(key=lambda r: (r["source"], r["name"]))
    manifest = {
        "short_side": SHORT_SIDE,
        "heldout_fraction": HELDOUT_FRACTION,
        "split_rule": "per source: round(0.2 n) smallest sha256('<source>/<name>') held out",
        "photos": records,
    }
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    write_text(manifest_path, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return records


def load_manifest(path=MANIFEST) -> list[dict]:
    return json.loads(Path(path).read_text())["photos"]


def load_photos(
    split: str = "train", committed_only: bool = False, data_dir=DATA_DIR, manifest=None
) -> tuple[list[np.ndarray], list[dict]]:
    """Decoded uint8 [H,W,3] arrays of one split, in manifest order, skipping files not on disk.

    ``committed_only`` restricts to the photographs committed to the repo, so that numbers are
    comparable on machines without the optional Debian packages (the evaluator uses it).
    """
    data_dir = Path(data_dir)
    recs = manifest if manifest is not None else load_manifest(data_dir / "photos_manifest.json")
    arrays, kept = [], []
    for r in recs:
        if split != "all" and r["split"] != split:
            continue
        if committed_only and not r["redistributable_in_repo"]:
            continue
        p = data_dir / r["file"]
        if not p.exists():
            continue
        arrays.append(np.asarray(Image.open(p).convert("RGB")))
        kept.append(r)
    return arrays, kept


def main(argv=None) -> int:
    recs = gather_photos(DATA_DIR / "photos", MANIFEST, verbose=True)
    from collections import Counter

    c = Counter((r["source"], r["split"]) for r in recs)
    for src in sorted({r["source"] for r in recs}):
        lic = sorted({r["licence"] for r in recs if r["source"] == src})
        print(f"{src:30s} train {c[(src, 'train')]:3d}  test {c[(src, 'test')]:3d}  {', '.join(lic)}")
    print(f"total {len(recs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
