"""load_model on official layouts of many shapes, our bundles, and every kind of bad file."""

import shutil

import numpy as np
import pytest
import torch

from jepa_explorer.checkpoints.bundle import save_bundle
from jepa_explorer.checkpoints.load import load_model
from jepa_explorer.errors import CheckpointError
from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.factory import new_jepa, predictor_config_for
from jepa_explorer.models.vit import MultiMaskWrapper, PredictorMultiMaskWrapper


def _official_file(tmp_path, model, prefix="module.", wrap_video=False, name="ckpt.pth.tar"):
    """Save `model` the way the official training loops do."""

    def sd(module):
        if wrap_video:
            module = MultiMaskWrapper(module) if module is not model.predictor else PredictorMultiMaskWrapper(module)
        return {prefix + k: v for k, v in module.state_dict().items()}

    target = model.target_encoder
    with torch.no_grad():  # make the EMA copy differ, as after training
        target = type(model.encoder)(model.config.encoder)
        target.load_state_dict(model.encoder.state_dict())
        for p in target.parameters():
            p.add_(0.01 * torch.randn_like(p))
    ckpt = {
        "encoder": sd(model.encoder),
        "predictor": sd(model.predictor),
        "target_encoder": sd(target),
        "opt": None,
        "scaler": None,
        "epoch": 3,
        "loss": 0.5,
        "batch_size": 2,
        "world_size": 1,
        "lr": 1e-3,
    }
    path = tmp_path / name
    torch.save(ckpt, path)
    return path, target


@pytest.mark.parametrize(
    "cfg,prefix",
    [
        (ViTConfig(img_size=32, patch_size=16, embed_dim=384, depth=1, num_heads=6), "module."),
        (ViTConfig(img_size=48, patch_size=8, embed_dim=192, depth=2, num_heads=3), ""),
        (ViTConfig(img_size=64, patch_size=16, embed_dim=768, depth=1, num_heads=12), "module."),
    ],
)
def test_official_image_shapes_load_and_match(tmp_path, cfg, prefix):
    src = new_jepa(cfg, predictor_config_for(cfg, width=cfg.embed_dim // 2 if cfg.embed_dim != 768 else 384, depth=1))
    path, target = _official_file(tmp_path, src, prefix=prefix)
    m = load_model(path, "cpu")
    assert m.config.encoder == cfg
    assert m.config.predictor.predictor_embed_dim == src.config.predictor.predictor_embed_dim
    x = torch.randn(1, 3, cfg.img_size, cfg.img_size)
    ctx = torch.arange(0, cfg.num_patches - 1).unsqueeze(0)
    tgt = torch.tensor([[cfg.num_patches - 1]])
    with torch.no_grad():
        torch.testing.assert_close(m.target_encoder(x), target(x), atol=1e-6, rtol=0)
        torch.testing.assert_close(
            m.predictor(m.encoder(x, [ctx]), [ctx], [tgt]), src.predictor(src.encoder(x, [ctx]), [ctx], [tgt]), atol=1e-6, rtol=0
        )
    assert m.card["epoch"] == 3


@pytest.mark.parametrize("uniform_power,frames,tubelet", [(True, 16, 2), (False, 8, 2), (False, 4, 1)])
def test_official_video_shapes_load(tmp_path, uniform_power, frames, tubelet):
    cfg = ViTConfig(
        img_size=32,
        patch_size=8,
        embed_dim=192,
        depth=1,
        num_heads=3,
        num_frames=frames,
        tubelet_size=tubelet,
        video=True,
        uniform_power=uniform_power,
    )
    src = new_jepa(cfg, predictor_config_for(cfg, width=96, depth=1))
    path, _ = _official_file(tmp_path, src, wrap_video=True)
    m = load_model(path, "cpu")
    assert m.config.encoder == cfg, "frames and uniform_power are read off the saved sin-cos table"
    assert m.config.family == "vjepa" and m.config.loss == "l1"
    assert m.config.predictor.num_mask_tokens == 2


def test_video_split_ambiguous_without_table_asks(tmp_path):
    cfg = ViTConfig(img_size=32, patch_size=8, embed_dim=192, depth=1, num_heads=3, num_frames=8, tubelet_size=2, video=True)
    src = new_jepa(cfg, predictor_config_for(cfg, width=96, depth=1))
    src.encoder.pos_embed.data.normal_()  # a learned table: nothing to read the split from
    torch.save({"encoder": src.encoder.state_dict()}, tmp_path / "enc.pth")
    with pytest.raises(CheckpointError, match="--frames"):
        load_model(tmp_path / "enc.pth", "cpu")
    assert load_model(tmp_path / "enc.pth", "cpu", num_frames=8).config.encoder.num_frames == 8


def test_unofficial_width_heads_are_noted_and_overridable(tmp_path):
    cfg = ViTConfig(img_size=32, patch_size=8, embed_dim=256, depth=1, num_heads=8)
    src = new_jepa(cfg, predictor_config_for(cfg, width=128, depth=1))
    path, _ = _official_file(tmp_path, src)
    m = load_model(path, "cpu")
    assert m.config.encoder.num_heads == 4 and any("heads" in n for n in m.notes)
    assert load_model(path, "cpu", num_heads=8).config.encoder.num_heads == 8


def test_bundle_round_trip(tmp_path):
    src = new_jepa(ViTConfig(img_size=32, patch_size=8, embed_dim=192, depth=1, num_heads=3))
    out = save_bundle(
        tmp_path / "b",
        {"encoder": src.encoder, "target_encoder": src.target_encoder, "predictor": src.predictor},
        {
            "name": "b",
            "family": "ijepa",
            "input": {"size": 32, "mean": [0.5] * 3, "std": [0.25] * 3},
            "architecture": {"encoder": {"num_heads": 3}},
        },
    )
    m = load_model(out, "cpu")
    assert m.config.mean == (0.5, 0.5, 0.5) and m.card["name"] == "b" and len(m.card["weights_sha256"]) == 64
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(m.encoder(x), src.encoder(x))
    assert load_model(out / "card.json", "cpu").card["name"] == "b"


def test_encoder_only_file(tmp_path):
    src = new_jepa(ViTConfig(img_size=32, patch_size=8, embed_dim=192, depth=1, num_heads=3))
    torch.save({"module." + k: v for k, v in src.encoder.state_dict().items()}, tmp_path / "enc.pth")
    m = load_model(tmp_path / "enc.pth", "cpu")
    assert m.predictor is None and m.target_encoder is m.encoder
    assert any("prediction is unavailable" in n for n in m.notes)


# ---------------------------------------------------------------- bad files


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="no such file"):
        load_model(tmp_path / "nope.pth.tar")


def test_empty_file(tmp_path):
    (tmp_path / "e.pth").write_bytes(b"")
    with pytest.raises(CheckpointError, match="empty"):
        load_model(tmp_path / "e.pth")


def test_not_a_checkpoint(tmp_path):
    (tmp_path / "notes.pth").write_text("hello, this is text\n" * 10)
    with pytest.raises(CheckpointError, match="not a PyTorch checkpoint"):
        load_model(tmp_path / "notes.pth")


def test_truncated_file(tmp_path, ijepa_fixture_path):
    data = ijepa_fixture_path.read_bytes()
    (tmp_path / "cut.pth.tar").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_model(tmp_path / "cut.pth.tar")


class _Evil:
    def __reduce__(self):
        return (print, ("this would run code",))


def test_pickled_code_is_refused(tmp_path):
    torch.save({"encoder": {}, "payload": _Evil()}, tmp_path / "evil.pth")
    with pytest.raises(CheckpointError, match="could run code"):
        load_model(tmp_path / "evil.pth")


def test_unknown_layout_lists_keys(tmp_path):
    torch.save({"weights": {"fc.weight": torch.zeros(2, 2)}, "step": 3}, tmp_path / "other.pth")
    with pytest.raises(CheckpointError, match="unknown layout.*step, weights"):
        load_model(tmp_path / "other.pth")


def test_huggingface_layout_named(tmp_path):
    torch.save(
        {
            "embeddings.patch_embeddings.projection.weight": torch.zeros(4, 3, 2, 2),
            "encoder.layer.0.attention.query.weight": torch.zeros(4, 4),
        },
        tmp_path / "hf.pth",
    )
    with pytest.raises(CheckpointError, match="Hugging Face"):
        load_model(tmp_path / "hf.pth")


def test_shapes_that_do_not_fit_are_named(tmp_path, ijepa_fixture_path):
    ckpt = torch.load(ijepa_fixture_path, weights_only=True)
    ckpt["target_encoder"]["module.blocks.1.mlp.fc2.weight"] = torch.zeros(192, 100)
    torch.save(ckpt, tmp_path / "bad.pth.tar")
    with pytest.raises(CheckpointError, match=r"target_encoder weights do not fit.*blocks\.1\.mlp\.fc2\.weight"):
        load_model(tmp_path / "bad.pth.tar")


def test_predictor_of_another_model(tmp_path, ijepa_fixture_path):
    ckpt = torch.load(ijepa_fixture_path, weights_only=True)
    other = new_jepa(ViTConfig(img_size=64, patch_size=8, embed_dim=384, depth=1, num_heads=6))
    ckpt["predictor"] = other.predictor.state_dict()
    torch.save(ckpt, tmp_path / "mixed.pth.tar")
    with pytest.raises(CheckpointError, match="belongs to another model"):
        load_model(tmp_path / "mixed.pth.tar")


def test_too_large_for_memory(tmp_path, ijepa_fixture_path, monkeypatch):
    import jepa_explorer.checkpoints.load as load_mod

    monkeypatch.setattr(load_mod, "_available_memory", lambda: 1000)
    with pytest.raises(CheckpointError, match="memory"):
        load_model(ijepa_fixture_path)


def test_corrupt_bundle_card(tmp_path):
    src = new_jepa(ViTConfig(img_size=32, patch_size=8, embed_dim=192, depth=1, num_heads=3))
    out = save_bundle(tmp_path / "b", {"encoder": src.encoder}, {"name": "b"})
    (out / "card.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="card.json: not valid JSON"):
        load_model(out)
    shutil.rmtree(out)
    out = save_bundle(tmp_path / "b", {"encoder": src.encoder}, {"name": "b"})
    weights = out / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_model(out)


def test_loaded_official_ijepa_fixture(ijepa_model):
    assert ijepa_model.config.encoder.grid_shape == (1, 8, 8)
    assert ijepa_model.config.family == "ijepa"
    assert ijepa_model.notes == ["ijepa.pth.tar encoder: 3 heads (given explicitly)"]
    assert not any(p.requires_grad for p in ijepa_model.encoder.parameters())
    assert np.isclose(ijepa_model.card["loss"], 0.4394489526748657)


def test_half_precision_bundle_loads_as_float32(tmp_path):
    src = new_jepa(ViTConfig(img_size=32, patch_size=8, embed_dim=192, depth=1, num_heads=3))
    parts = {"encoder": src.encoder, "target_encoder": src.target_encoder, "predictor": src.predictor}
    full = save_bundle(tmp_path / "f32", parts, {"name": "f32"})
    half = save_bundle(tmp_path / "f16", parts, {"name": "f16"}, dtype=torch.float16)
    assert (half / "model.safetensors").stat().st_size < 0.55 * (full / "model.safetensors").stat().st_size
    m = load_model(half, "cpu")
    assert m.card["weights_dtype"] == "float16"
    assert next(m.encoder.parameters()).dtype == torch.float32
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(m.encoder(x), src.encoder(x), atol=2e-2, rtol=0)
