"""Loading world bundles: `checkpoints/world-tiny` (kind "world": encoder + predictor) and
`checkpoints/world-tiny-decoder` (kind "world-decoder"). `jepa_explorer.load_model` sends world bundles here.
It lives in checkpoints/ beside the other file readers, so that world/ (the world and its model) never needs
checkpoints/: the two packages would otherwise import each other."""

from __future__ import annotations

from pathlib import Path

from jepa_explorer.checkpoints.load import CARD_NAME, WEIGHTS_NAME, _check_file, _load_into, _read_safetensors, read_card
from jepa_explorer.errors import CheckpointError
from jepa_explorer.models.world import WorldConfig, WorldDecoder, WorldEncoder, WorldPredictor
from jepa_explorer.world.model import DECODER_KIND, WORLD_KIND, WorldModel


def _folder(path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_dir() else path.parent


def _parts(folder: Path, kind: str) -> tuple[dict, dict[str, dict]]:
    card = read_card(folder / CARD_NAME)
    if card.get("kind") != kind:
        raise CheckpointError(f"{folder}: its card says kind '{card.get('kind', 'jepa')}', expected '{kind}'.")
    weights = folder / WEIGHTS_NAME
    _check_file(weights)
    parts: dict[str, dict] = {}
    for key, value in _read_safetensors(weights).items():
        head, _, rest = key.partition(".")
        parts.setdefault(head, {})[rest] = value
    return card, parts


def _config(card: dict, folder: Path) -> WorldConfig:
    try:
        return WorldConfig.from_dict(card["architecture"])
    except (KeyError, TypeError) as e:
        raise CheckpointError(f"{folder}: card.json's architecture is not a world model's ({e}); regenerate the bundle.") from None


def load_world_decoder(path, device=None) -> tuple[WorldDecoder, dict]:
    from jepa_explorer.device import pick_device

    folder = _folder(path)
    card, parts = _parts(folder, DECODER_KIND)
    arch = card.get("architecture", {})
    decoder = WorldDecoder(arch.get("latent_dim", 64), arch.get("size", 32))
    _load_into(decoder, parts.get("decoder", {}), folder, "decoder")
    return decoder.to(pick_device(device)), card


def find_decoder(folder: Path) -> Path | None:
    """The decoder bundle beside a world bundle: `NAME-decoder` in the same folder."""
    candidate = folder.parent / f"{folder.name}-decoder"
    return candidate if (candidate / CARD_NAME).is_file() else None


def load_world_model(path, device=None, decoder: str | Path | None | bool = True) -> WorldModel:
    """A world bundle as a `WorldModel` (eval mode, no grad); `decoder=True` attaches the decoder bundle
    found beside it (NAME-decoder), a path attaches that one, False none."""
    from jepa_explorer.device import pick_device

    folder = _folder(path)
    card, parts = _parts(folder, WORLD_KIND)
    cfg = _config(card, folder)
    encoder, predictor = WorldEncoder(cfg), WorldPredictor(cfg)
    for name, module in (("encoder", encoder), ("predictor", predictor)):
        if name not in parts:
            raise CheckpointError(f"{folder / WEIGHTS_NAME}: no {name} weights; regenerate the bundle.")
        _load_into(module, parts[name], folder, name)
    model = WorldModel(encoder, predictor, cfg, card, folder)
    dec_path = find_decoder(folder) if decoder is True else (Path(decoder) if decoder else None)
    if dec_path is not None:
        model.decoder = load_world_decoder(dec_path, "cpu")[0]
    else:
        model.notes.append("no decoder bundle: imagined latents cannot be shown as frames")
    return model.to(pick_device(device))
