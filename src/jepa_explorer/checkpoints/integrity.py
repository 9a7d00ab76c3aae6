"""A bundle's card fields checked by type and range, and its weights checked against the card's hash.

A card is JSON anyone can edit: a null or mistyped field must become a CheckpointError that names the
field, not a TypeError deep inside model building. And a bit flip inside model.safetensors loads
silently (safetensors checks the layout, not the numbers), so the weights are compared with the card's
`weights_sha256` at load; the hash is computed once per file version (path, size, mtime, inode).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from pathlib import Path

from jepa_explorer.errors import CheckpointError

_TEXT = ("name", "kind", "family", "format", "weights_dtype", "created", "jepa")
_OBJECTS = ("architecture", "input", "metrics", "recipe", "training", "training_data")
# architecture entries the model builders read, by what they must hold
_ARCH_COUNTS = (
    "depth",
    "embed_dim",
    "num_heads",
    "patch_size",
    "img_size",
    "num_frames",
    "tubelet_size",
    "in_chans",
    "predictor_embed_dim",
    "num_mask_tokens",
    "num_patches",
    "hidden_dim",
)
_ARCH_NUMBERS = ("mlp_ratio", "layernorm_eps")
_ARCH_FLAGS = ("qkv_bias", "video", "uniform_power", "use_mask_tokens")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_COUNT = 1_000_000  # far above any real architecture entry, small enough to refuse absurd sizes early


def _bad(card_path: Path, field: str, wanted: str, value) -> CheckpointError:
    import json

    shown = json.dumps(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return CheckpointError(f"{card_path}: field '{field}' must be {wanted}, not {shown}; fix or regenerate the model card.")


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= _MAX_COUNT


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_card(card: dict, card_path: Path) -> None:
    """Raise a CheckpointError naming the first field of `card` whose type or range is wrong."""
    for key in _TEXT:
        if key in card and not isinstance(card[key], str):
            raise _bad(card_path, key, "text", card[key])
    for key in _OBJECTS:
        if key in card and not isinstance(card[key], dict):
            raise _bad(card_path, key, "an object", card[key])
    if "kind" in card and card["kind"] not in ("jepa", "mae", "decoder", "world", "world-decoder"):
        raise _bad(card_path, "kind", "jepa, mae, decoder, world or world-decoder", card["kind"])
    if "family" in card and card["family"] not in ("ijepa", "vjepa", "world"):
        raise _bad(card_path, "family", "ijepa, vjepa or world", card["family"])
    if "weights_sha256" in card and not (isinstance(card["weights_sha256"], str) and _SHA256.fullmatch(card["weights_sha256"])):
        raise _bad(card_path, "weights_sha256", "64 lowercase hex digits", card["weights_sha256"])
    if "seed" in card and not (isinstance(card["seed"], int) and not isinstance(card["seed"], bool)):
        raise _bad(card_path, "seed", "a whole number", card["seed"])
    # a world bundle's architecture is one flat WorldConfig, which its loader checks (checkpoints/world.py)
    parts = {} if str(card.get("kind", "")).startswith("world") else card.get("architecture", {})
    for part, entries in parts.items():
        if not isinstance(entries, dict):
            raise _bad(card_path, f"architecture.{part}", "an object", entries)
        for key, value in entries.items():
            field = f"architecture.{part}.{key}"
            if key in _ARCH_COUNTS and not _is_count(value):
                raise _bad(card_path, field, f"a whole number from 1 to {_MAX_COUNT}", value)
            if key in _ARCH_NUMBERS and not (_is_number(value) and value > 0):
                raise _bad(card_path, field, "a number above 0", value)
            if key in _ARCH_FLAGS and not isinstance(value, bool):
                raise _bad(card_path, field, "true or false", value)
            if key == "style" and not isinstance(value, str):
                raise _bad(card_path, field, "text", value)
    inp = card.get("input", {})
    for key in ("size", "num_frames"):
        if key in inp and not _is_count(inp[key]):
            raise _bad(card_path, f"input.{key}", f"a whole number from 1 to {_MAX_COUNT}", inp[key])
    for key in ("mean", "std"):
        if key in inp:
            value = inp[key]
            if not (isinstance(value, list) and len(value) == 3 and all(_is_number(v) for v in value)):
                raise _bad(card_path, f"input.{key}", "a list of 3 numbers (R, G, B)", value)
            if key == "std" and min(value) <= 0:
                raise _bad(card_path, "input.std", "3 numbers above 0", value)


_hash_cache: dict[tuple[str, int, int, int], str] = {}
_hash_lock = threading.Lock()


def file_sha256(path: Path) -> str:
    """sha256 hex digest of a file, remembered per version: switching models re-hashes nothing. The inode
    is part of the key because an atomic replace within one clock tick can keep size and mtime."""
    st = os.stat(path)
    key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    with _hash_lock:
        if key in _hash_cache:
            return _hash_cache[key]
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    with _hash_lock:
        if len(_hash_cache) > 64:  # a long session opening many bundles: forget the oldest
            _hash_cache.pop(next(iter(_hash_cache)))
        _hash_cache[key] = digest.hexdigest()
    return _hash_cache[key]


def verify_weights(weights_path: Path, card: dict, card_path: Path) -> None:
    """Compare the weights with the card's `weights_sha256` (cards without one are not checked)."""
    expected = card.get("weights_sha256")
    if not expected:
        return
    actual = file_sha256(weights_path)
    if actual != expected:
        raise CheckpointError(
            f"{weights_path}: the file is damaged: its sha256 ({actual[:12]}…) differs from the weights_sha256 in "
            f"{card_path.name} ({expected[:12]}…); copy or download the bundle again (if you replaced the weights on "
            "purpose, remove weights_sha256 from the card)."
        )
