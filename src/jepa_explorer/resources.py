"""Where bundled checkpoints and sample assets live: a source checkout, an installed package, or a
PyInstaller bundle. `JEPA_EXPLORER_HOME` overrides all of them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_IMAGE_MODEL = "ijepa-tiny"
DEFAULT_VIDEO_MODEL = "vjepa-tiny"


def home() -> Path:
    env = os.environ.get("JEPA_EXPLORER_HOME")
    if env:
        return Path(env)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    here = Path(__file__).resolve()
    for parent in here.parents:
        # the repo (or an unpacked bundle) root; `src/jepa_explorer/checkpoints` is a code package, not it
        bundles = parent / "checkpoints"
        if (parent / "assets").is_dir() or (bundles.is_dir() and not (bundles / "__init__.py").exists()):
            return parent
    return here.parent


def checkpoints_dir() -> Path:
    return home() / "checkpoints"


def assets_dir() -> Path:
    return home() / "assets"


def bundled_checkpoints() -> list[Path]:
    root = checkpoints_dir()
    return sorted(p for p in root.glob("*") if (p / "card.json").is_file()) if root.is_dir() else []


def default_checkpoint() -> Path | None:
    path = checkpoints_dir() / DEFAULT_IMAGE_MODEL
    return path if (path / "card.json").is_file() else None


def default_video_checkpoint() -> Path | None:
    path = checkpoints_dir() / DEFAULT_VIDEO_MODEL
    return path if (path / "card.json").is_file() else None


def sample_clips() -> list[Path]:
    """The bundled video clips (assets/clips), for the app's Samples menu."""
    from jepa_explorer.media.video import VIDEO_SUFFIXES

    root = assets_dir() / "clips"
    return sorted(p for p in root.glob("*") if p.suffix.lower() in VIDEO_SUFFIXES) if root.is_dir() else []


def sample_images() -> list[Path]:
    root = assets_dir() / "samples"
    exts = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}
    return sorted(p for p in root.glob("*") if p.suffix.lower() in exts) if root.is_dir() else []
