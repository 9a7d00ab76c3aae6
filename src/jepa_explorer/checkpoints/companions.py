"""Companion models that ship beside a JEPA: the MAE baseline and the embedding-to-pixel decoder.

Both are bundles (card.json with "kind": "mae" | "decoder", model.safetensors)."""

from __future__ import annotations

from pathlib import Path

from jepa_explorer.checkpoints.integrity import verify_weights
from jepa_explorer.checkpoints.load import CARD_NAME, WEIGHTS_NAME, _check_file, _load_into, _read_safetensors, read_card
from jepa_explorer.errors import CheckpointError
from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder
from jepa_explorer.models.mae import MaeDecoderConfig, MaskedAutoencoder


def _read_bundle(path: Path, kind: str) -> tuple[dict, dict]:
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    card = read_card(folder / CARD_NAME)
    if card.get("kind") != kind:
        raise CheckpointError(f"{folder}: its card says kind '{card.get('kind', 'jepa')}', expected '{kind}'.")
    weights = folder / WEIGHTS_NAME
    _check_file(weights)
    tensors = _read_safetensors(weights)
    verify_weights(weights, card, folder / CARD_NAME)
    return card, tensors


def _arch(card: dict, key: str, folder: Path) -> dict:
    try:
        return card["architecture"][key]
    except (KeyError, TypeError):
        raise CheckpointError(f"{folder}: card.json lacks architecture.{key}; regenerate the bundle.") from None


def load_mae(path: str | Path, device=None) -> tuple[MaskedAutoencoder, dict]:
    from jepa_explorer.device import pick_device

    card, tensors = _read_bundle(Path(path), "mae")
    model = MaskedAutoencoder(
        ViTConfig.from_dict(_arch(card, "encoder", Path(path))), MaeDecoderConfig(**_arch(card, "decoder", Path(path)))
    )
    _load_into(model, {k.removeprefix("mae."): v for k, v in tensors.items()}, Path(path), "MAE")
    return model.to(pick_device(device)), card


def load_decoder(path: str | Path, device=None) -> tuple[PatchDecoder, dict]:
    from jepa_explorer.device import pick_device

    card, tensors = _read_bundle(Path(path), "decoder")
    model = PatchDecoder(DecoderConfig(**_arch(card, "decoder", Path(path))))
    _load_into(model, {k.removeprefix("decoder."): v for k, v in tensors.items()}, Path(path), "decoder")
    return model.to(pick_device(device)), card


def find_companions(model) -> dict[str, Path]:
    """Bundled MAE and decoder that fit `model`: {'mae': path, 'decoder': path}, each only if present.

    A decoder fits when its card names this JEPA (`"jepa"`: the bundle it was trained on); an MAE fits
    when it shares the input size and patch grid, so the pixel comparison is like for like."""
    from jepa_explorer.resources import bundled_checkpoints, home

    found: dict[str, Path] = {}
    enc = model.config.encoder
    here = Path(model.path).resolve()
    for folder in bundled_checkpoints():
        try:
            card = read_card(folder / CARD_NAME)
        except CheckpointError:
            continue
        kind = card.get("kind")
        if kind == "decoder" and "decoder" not in found:
            target = Path(card.get("jepa", ""))
            target = target if target.is_absolute() else home() / target
            if target.resolve() == here:
                found["decoder"] = folder
        elif kind == "mae" and "mae" not in found and not enc.video:
            arch = card.get("architecture", {}).get("encoder", {})
            if arch.get("img_size") == enc.img_size and arch.get("patch_size") == enc.patch_size:
                found["mae"] = folder
    return found
