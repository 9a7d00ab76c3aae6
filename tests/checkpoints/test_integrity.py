"""Card fields checked by type (a null or mistyped field is named), weights checked against the card's hash."""

import json
import os

import pytest

from jepa_explorer.checkpoints import integrity
from jepa_explorer.checkpoints.bundle import save_bundle
from jepa_explorer.checkpoints.load import load_model
from jepa_explorer.errors import CheckpointError
from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.factory import new_jepa


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    src = new_jepa(ViTConfig(img_size=32, patch_size=8, embed_dim=48, depth=1, num_heads=3))
    card = {"name": "b", "family": "ijepa", "input": {"size": 32, "mean": [0.5] * 3, "std": [0.5] * 3}}
    card["architecture"] = {"encoder": src.config.encoder.to_dict(), "predictor": src.config.predictor.to_dict()}
    return save_bundle(tmp_path_factory.mktemp("b") / "b", {"encoder": src.encoder, "predictor": src.predictor}, card)


def _edited(bundle, tmp_path, edit):
    out = tmp_path / "copy"
    out.mkdir()
    (out / "model.safetensors").write_bytes((bundle / "model.safetensors").read_bytes())
    card = json.loads((bundle / "card.json").read_text())
    edit(card)
    (out / "card.json").write_text(json.dumps(card))
    return out


def test_bundle_loads_and_its_hash_is_checked(bundle):
    assert load_model(bundle, "cpu").card["name"] == "b"


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", None),
        ("kind", 3),
        ("family", "xjepa"),
        ("architecture", None),
        ("architecture", []),
        ("input", "rgb"),
        ("input.mean", None),
        ("input.mean", [0.5, 0.5]),
        ("input.std", [0.5, 0.0, 0.5]),
        ("input.std", ["a", 1, 1]),
        ("input.size", -4),
        ("weights_sha256", None),
        ("weights_sha256", "abc"),
        ("seed", "3"),
        ("architecture.encoder", None),
        ("architecture.encoder.num_heads", "3"),
        ("architecture.encoder.num_heads", -3),
        ("architecture.encoder.num_frames", None),
        ("architecture.encoder.uniform_power", "no"),
        ("architecture.predictor.num_heads", 2.5),
        ("architecture.encoder.mlp_ratio", float("nan")),
    ],
)
def test_null_or_mistyped_fields_are_named(bundle, tmp_path, field, value):
    def edit(card):
        *parents, last = field.split(".")
        node = card
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value

    with pytest.raises(CheckpointError) as info:
        load_model(_edited(bundle, tmp_path, edit), "cpu")
    message = str(info.value)
    assert f"field '{field}'" in message and "card.json" in message and "\n" not in message


def test_a_flipped_bit_in_the_weights_is_named_damage(bundle, tmp_path):
    out = _edited(bundle, tmp_path, lambda card: None)
    data = bytearray((out / "model.safetensors").read_bytes())
    data[-100] ^= 0x04  # inside the last tensor: safetensors itself cannot notice
    (out / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="the file is damaged"):
        load_model(out, "cpu")
    # a card without the hash has nothing to check against: the weights load as they are
    card = json.loads((out / "card.json").read_text())
    del card["weights_sha256"]
    (out / "card.json").write_text(json.dumps(card))
    assert load_model(out, "cpu").card["name"] == "b"


def test_a_damaged_companion_is_named_too(tmp_path):
    from jepa_explorer.checkpoints.companions import load_decoder
    from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder

    cfg = DecoderConfig(embed_dim=48, hidden_dim=16, depth=1, patch_size=8)
    out = save_bundle(
        tmp_path / "d",
        {"decoder": PatchDecoder(cfg)},
        {"name": "d", "kind": "decoder", "architecture": {"decoder": cfg.to_dict()}},
    )
    load_decoder(out)
    data = bytearray((out / "model.safetensors").read_bytes())
    data[-10] ^= 0x01
    (out / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="the file is damaged"):
        load_decoder(out)


def test_the_hash_is_computed_once_per_file_version(tmp_path, monkeypatch):
    calls = []
    real = integrity.hashlib.sha256

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(integrity.hashlib, "sha256", counting)
    path = tmp_path / "w.bin"
    path.write_bytes(b"a" * 1000)
    first = integrity.file_sha256(path)
    assert integrity.file_sha256(path) == first and len(calls) == 1
    from jepa_explorer import fileio

    fileio.write_bytes(path, b"b" * 1000)  # same size, maybe the same mtime: a new file all the same
    assert integrity.file_sha256(path) != first and len(calls) == 2
    assert os.listdir(tmp_path) == ["w.bin"]
