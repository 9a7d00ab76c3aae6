"""`load_model(path)`: official I-JEPA / V-JEPA checkpoints, our bundles, encoder-only files.

Nothing here unpickles code: torch files go through `torch.load(weights_only=True)`, bundles through
safetensors. Every failure becomes one CheckpointError sentence that names the file.
"""

from __future__ import annotations

import json
import os
import pickle
import zipfile
from pathlib import Path

import torch
import torch.nn as nn

from jepa_explorer.checkpoints.infer import infer_encoder_config, infer_predictor_config
from jepa_explorer.checkpoints.integrity import check_card, verify_weights
from jepa_explorer.errors import CheckpointError
from jepa_explorer.models.jepa import IMAGENET_MEAN, IMAGENET_STD, JepaModel, ModelConfig
from jepa_explorer.models.vit import VisionTransformer, build_predictor

# the model types live in models/jepa.py; they are imported here for the callers of load_model
__all__ = ["IMAGENET_MEAN", "IMAGENET_STD", "JepaModel", "ModelConfig", "load_model", "read_card"]

BUNDLE_FORMAT = "jepa-explorer-bundle/1"
CARD_NAME, WEIGHTS_NAME = "card.json", "model.safetensors"
# wrappers the official loops put around modules: DDP, then V-JEPA's MultiMaskWrapper
_PREFIXES = ("module.", "backbone.")


# ---------------------------------------------------------------- reading files


def strip_prefixes(state: dict) -> dict:
    out = {}
    for key, value in state.items():
        changed = True
        while changed:
            changed = False
            for prefix in _PREFIXES:
                if key.startswith(prefix):
                    key, changed = key[len(prefix) :], True
        out[key] = value
    return out


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _check_file(path: Path) -> None:
    if not path.exists():
        raise CheckpointError(f"{path}: no such file.")
    if path.is_dir():
        raise CheckpointError(
            f"{path}: a folder without {CARD_NAME} and {WEIGHTS_NAME}; point at a checkpoint file or a bundle folder."
        )
    if not path.is_file():  # a FIFO or a device would block the reader
        raise CheckpointError(f"{path}: not a regular file (a pipe, socket or device?); point at a checkpoint file.")
    size = path.stat().st_size
    if size == 0:
        raise CheckpointError(f"{path}: the file is empty (an interrupted download or copy?).")
    available = _available_memory()
    if available is not None and size > 0.8 * available:
        raise CheckpointError(
            f"{path}: the file is {size / 2**30:.1f} GiB but only {available / 2**30:.1f} GiB of memory is free; "
            "close other programs or use a machine with more memory."
        )


def _read_torch(path: Path) -> object:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        if "Weights only load failed" in str(e):
            raise CheckpointError(
                f"{path}: holds Python objects besides tensors, and unpickling them could run code, so it is refused. "
                "Re-save it with only state dicts and numbers (torch.save({'encoder': model.state_dict(), ...}))."
            ) from None
        raise CheckpointError(f"{path}: not a PyTorch checkpoint ({e}).") from None
    except (EOFError, zipfile.BadZipFile):
        raise CheckpointError(f"{path}: truncated or corrupt (it ends early); copy or download it again.") from None
    except RuntimeError as e:
        text = str(e)
        if "zip archive" in text or "PytorchStreamReader" in text or "unexpected EOF" in text:
            raise CheckpointError(f"{path}: truncated or corrupt PyTorch file; copy or download it again.") from None
        raise CheckpointError(f"{path}: cannot be read as a PyTorch checkpoint ({text.splitlines()[0]}).") from None
    except Exception as e:  # unknown binary formats raise all sorts of errors inside the unpickler
        raise CheckpointError(f"{path}: not a PyTorch checkpoint ({type(e).__name__}: {e}).") from None


def _read_safetensors(path: Path) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{path}: truncated or corrupt safetensors file ({e}).") from None


def _is_safetensors(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(9)
    return len(head) == 9 and int.from_bytes(head[:8], "little") < 100_000_000 and head[8:9] == b"{"


def _tensors_only(d: object) -> bool:
    return isinstance(d, dict) and bool(d) and all(isinstance(v, torch.Tensor) for v in d.values())


def _split_parts(raw: object, path: Path) -> dict[str, dict]:
    """{'encoder': sd, 'target_encoder': sd, 'predictor': sd} (absent parts left out), prefixes stripped."""
    if not isinstance(raw, dict):
        raise CheckpointError(f"{path}: holds a {type(raw).__name__}, not a dict of state dicts; not a JEPA checkpoint.")
    parts = {
        name: strip_prefixes(raw[name]) for name in ("encoder", "target_encoder", "predictor") if _tensors_only(raw.get(name))
    }
    if parts:
        return parts
    if _tensors_only(raw):
        flat = strip_prefixes(raw)
        if any(k.startswith(("embeddings.", "encoder.layer.")) for k in flat):
            return _unknown_layout(path, list(flat))
        grouped: dict[str, dict] = {}
        for key, value in flat.items():
            head, _, rest = key.partition(".")
            if head in ("encoder", "target_encoder", "predictor") and rest:
                grouped.setdefault(head, {})[rest] = value
        if grouped:
            return {k: strip_prefixes(v) for k, v in grouped.items()}
        if "pos_embed" in flat and "patch_embed.proj.weight" in flat:
            return {"encoder": flat}  # an encoder-only file
        return _unknown_layout(path, list(flat))
    return _unknown_layout(path, list(raw))


def _unknown_layout(path: Path, keys: list[str]):
    shown = ", ".join(sorted(keys)[:12]) + (", …" if len(keys) > 12 else "")
    hint = ""
    if any(k.startswith(("embeddings.", "encoder.layer.")) for k in keys):
        hint = " These are Hugging Face transformers names, which this loader does not read yet."
    elif any("rope" in k for k in keys) or (any(k.startswith("blocks.") for k in keys) and "pos_embed" not in keys):
        hint = " No pos_embed: this looks like V-JEPA 2 (rotary positions), which is not supported yet."
    raise CheckpointError(
        f"{path}: unknown layout: expected 'encoder'/'target_encoder'/'predictor' state dicts or ViT encoder weights, "
        f"found keys: {shown}.{hint}"
    )


# ---------------------------------------------------------------- building modules


def _load_into(module: nn.Module, state: dict, path: Path, part: str) -> None:
    expected = module.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong = [
        f"{k} {tuple(state[k].shape)} vs {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and state[k].shape != v.shape
    ]
    if missing or unexpected or wrong:
        details = []
        if wrong:
            details.append("shapes that don't fit: " + "; ".join(wrong[:5]))
        if missing:
            details.append("missing: " + ", ".join(missing[:5]) + (" …" if len(missing) > 5 else ""))
        if unexpected:
            details.append("unexpected: " + ", ".join(unexpected[:5]) + (" …" if len(unexpected) > 5 else ""))
        raise CheckpointError(f"{path}: the {part} weights do not fit the inferred architecture ({'; '.join(details)}).")
    module.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    module.eval().requires_grad_(False)


def build_model(
    parts: dict[str, dict],
    path: Path,
    *,
    card: dict | None = None,
    num_heads: int | None = None,
    num_frames: int | None = None,
) -> JepaModel:
    card = dict(card or {})
    arch = card.get("architecture", {})
    enc_arch = arch.get("encoder", {})
    notes: list[str] = []
    if "encoder" in parts:
        enc_state, enc_name = parts["encoder"], "encoder"
    elif "target_encoder" in parts:
        enc_state, enc_name = parts["target_encoder"], "target_encoder"
        notes.append("no context encoder in the file: the target encoder stands in for it")
    else:
        raise CheckpointError(f"{path}: no encoder weights (found: {', '.join(parts) or 'nothing'}).")
    enc_cfg = infer_encoder_config(
        enc_state,
        num_heads=num_heads or enc_arch.get("num_heads"),
        num_frames=num_frames or enc_arch.get("num_frames"),
        uniform_power=enc_arch.get("uniform_power"),
        notes=notes,
        where=f"{path.name} {enc_name}",
    )
    encoder = VisionTransformer(enc_cfg)
    _load_into(encoder, enc_state, path, enc_name)
    if "target_encoder" in parts and enc_name == "encoder":
        target = VisionTransformer(enc_cfg)
        _load_into(target, parts["target_encoder"], path, "target_encoder")
    else:
        target = encoder
        if enc_name == "encoder":
            notes.append("no target_encoder (EMA) in the file: the context encoder gives the actual embeddings")

    predictor, pred_cfg = None, None
    if "predictor" in parts:
        pred_cfg = infer_predictor_config(
            parts["predictor"], enc_cfg, num_heads=arch.get("predictor", {}).get("num_heads"), notes=notes
        )
        predictor = build_predictor(pred_cfg, enc_cfg)
        _load_into(predictor, parts["predictor"], path, "predictor")
    else:
        notes.append("no predictor in the file: prediction is unavailable, features still work")

    family = card.get("family") or ("vjepa" if enc_cfg.video or (pred_cfg and pred_cfg.style == "vjepa") else "ijepa")
    inp = card.get("input", {})
    config = ModelConfig(
        family=family,
        encoder=enc_cfg,
        predictor=pred_cfg,
        mean=tuple(inp.get("mean", IMAGENET_MEAN)),
        std=tuple(inp.get("std", IMAGENET_STD)),
    )
    card.setdefault("name", path.stem.split(".")[0] if path.is_file() else path.name)
    return JepaModel(encoder, target, predictor, config, card, path, notes)


# ---------------------------------------------------------------- public API


def _bundle_paths(path: Path) -> tuple[Path, Path] | None:
    if path.is_dir():
        return path / CARD_NAME, path / WEIGHTS_NAME
    if path.name == CARD_NAME:
        return path, path.parent / WEIGHTS_NAME
    if path.suffix == ".safetensors" and (path.parent / CARD_NAME).exists():
        return path.parent / CARD_NAME, path
    return None


def read_card(card_path: Path) -> dict:
    if card_path.exists() and not card_path.is_file():  # a FIFO would block the read
        raise CheckpointError(f"{card_path}: not a regular file; a bundle's {CARD_NAME} is a JSON file.")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"{card_path}: missing; a bundle folder needs {CARD_NAME} beside {WEIGHTS_NAME}.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{card_path}: not valid JSON ({e}); fix or regenerate the model card.") from None
    if not isinstance(card, dict):
        raise CheckpointError(f"{card_path}: a model card must be a JSON object.")
    check_card(card, card_path)
    return card


def load_model(
    path: str | os.PathLike,
    device: str | torch.device | None = None,
    *,
    num_heads: int | None = None,
    num_frames: int | None = None,
) -> JepaModel:
    """Load a JEPA for inference (eval mode, no grad) on `device` (auto: CUDA > MPS > CPU).

    A world bundle (card kind "world") returns a `jepa_explorer.world.model.WorldModel` instead."""
    from jepa_explorer.device import pick_device

    path = Path(path).expanduser()
    bundle = _bundle_paths(path)
    if bundle is not None:
        card_path, weights_path = bundle
        card = read_card(card_path)
        if card.get("kind") == "world":  # the world-model mode's bundle: encoder + action-conditioned predictor
            from jepa_explorer.checkpoints.world import load_world_model

            return load_world_model(card_path.parent, device)
        if card.get("kind", "jepa") != "jepa":
            raise CheckpointError(
                f"{card_path}: this bundle is a '{card['kind']}' model, not a JEPA; open it as a companion model."
            )
        _check_file(weights_path)
        tensors = _read_safetensors(weights_path)  # a truncated file is named as such before the hash check
        verify_weights(weights_path, card, card_path)
        parts = _split_parts(tensors, weights_path)
        model = build_model(
            parts, path if path.is_dir() else card_path.parent, card=card, num_heads=num_heads, num_frames=num_frames
        )
    else:
        _check_file(path)
        raw = _read_safetensors(path) if _is_safetensors(path) else _read_torch(path)
        parts = _split_parts(raw, path)
        card = official_card(raw, path)
        side_card = path.parent / CARD_NAME
        if side_card.exists():  # a card beside an official file can name heads / frames
            card.update(read_card(side_card))
        model = build_model(parts, path, card=card, num_heads=num_heads, num_frames=num_frames)
    return model.to(pick_device(device))


def official_card(raw: object, path: Path) -> dict:
    card = {"name": path.name.split(".")[0], "format": "official .pth.tar (facebookresearch ijepa / jepa)"}
    if isinstance(raw, dict):
        for key in ("epoch", "loss", "batch_size", "world_size", "lr"):
            value = raw.get(key)
            if isinstance(value, (int, float)):
                card[key] = value
            elif isinstance(value, torch.Tensor) and value.numel() == 1:
                card[key] = value.item()
    card["input"] = {"mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD), "note": "official ImageNet constants"}
    return card
