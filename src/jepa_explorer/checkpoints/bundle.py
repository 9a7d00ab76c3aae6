"""Our bundle format: a folder with `model.safetensors` (prefixed state dicts) and `card.json`."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import save_file

from jepa_explorer.checkpoints.load import BUNDLE_FORMAT, CARD_NAME, WEIGHTS_NAME
from jepa_explorer.fileio import write_text, write_with


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_bundle(
    out_dir: str | Path, modules: dict[str, nn.Module | None], card: dict, dtype: torch.dtype = torch.float32
) -> Path:
    """Write `modules` ({'encoder': m, 'target_encoder': m, 'predictor': m, ...}) and the card.

    `dtype=torch.float16` halves the file (the loader computes in float32 either way; evaluate the
    saved bundle, not the training run, so the card's metrics describe these very weights). The card
    gains the format tag, the storage dtype, the weights' sha256 (the self-check verifies it) and a
    timestamp."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tensors = {}
    for name, module in modules.items():
        if module is None:
            continue
        for key, value in module.state_dict().items():
            tensors[f"{name}.{key}"] = value.detach().to(dtype).contiguous().cpu()
    weights = out / WEIGHTS_NAME
    write_with(weights, lambda tmp: save_file(tensors, str(tmp)))
    card = {"format": BUNDLE_FORMAT, **card, "weights_dtype": str(dtype).removeprefix("torch.")}
    card["weights_sha256"] = file_sha256(weights)
    card.setdefault("created", _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    write_text(out / CARD_NAME, json.dumps(card, indent=1, sort_keys=False) + "\n")
    return out
