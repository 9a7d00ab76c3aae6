"""Training runs end to end on tiny recipes: loss finite, resume continues exactly, bundles load."""

import json

import numpy as np
import pytest
import torch

import jepa_explorer.train.data as data_module
from jepa_explorer.checkpoints.companions import load_decoder, load_mae
from jepa_explorer.checkpoints.load import load_model
from jepa_explorer.errors import JepaError
from jepa_explorer.train.loop import Trainer, load_recipe, lr_at


class _RandomBatches:
    def __init__(self, split, size, batch_size, photo_fraction, seed):
        self.size, self.batch_size, self.seed = size, batch_size, seed

    def batch(self, step):
        g = torch.Generator().manual_seed(self.seed * 100_003 + step)
        return torch.randn(self.batch_size, 3, self.size, self.size, generator=g)


@pytest.fixture(autouse=True)
def fake_data(monkeypatch):
    monkeypatch.setattr(data_module, "ImageBatches", _RandomBatches)


def _tiny(kind="ijepa", steps=4):
    recipe = load_recipe("ijepa-tiny" if kind == "ijepa" else "mae-tiny")
    recipe["data"].update(size=32, batch_size=4)
    recipe["model"]["encoder"].update(img_size=32, depth=1)
    if kind == "ijepa":
        recipe["model"]["predictor"].update(depth=1)
        recipe["masks"].update(min_keep=2)
    recipe["optim"].update(total_steps=steps, warmup_steps=1)
    recipe["log_every"] = 1
    return recipe


def test_ijepa_train_resume_export(tmp_path):
    recipe = _tiny("ijepa", steps=4)
    straight = Trainer(recipe, tmp_path / "a")
    straight.run(log=lambda _: None)

    first = Trainer(recipe, tmp_path / "b", max_steps=2)
    first.run(log=lambda _: None)
    second = Trainer(recipe, tmp_path / "b")
    assert second.resume() and second.state.step == 2
    second.run(log=lambda _: None)
    for key, value in straight.modules["encoder"].state_dict().items():
        torch.testing.assert_close(second.modules["encoder"].state_dict()[key], value, atol=1e-6, rtol=1e-5)
    assert [h["step"] for h in second.history] == [1, 2, 3, 4]
    assert all(np.isfinite(h["loss"]) for h in second.history)

    # the EMA target moved towards the encoder but is not the encoder
    enc, tgt = straight.modules["encoder"], straight.modules["target_encoder"]
    assert not torch.allclose(enc.blocks[0].mlp.fc1.weight, tgt.blocks[0].mlp.fc1.weight)

    bundle = straight.export(tmp_path / "bundle")
    model = load_model(bundle, "cpu")
    assert model.config.encoder.img_size == 32 and model.card["training"]["steps"] == 4
    # the run's last.pt is in the official layout too
    assert load_model(tmp_path / "a" / "last.pt", "cpu").predictor is not None
    json.loads((bundle / "card.json").read_text())


def test_mae_and_decoder_recipes(tmp_path):
    mae = Trainer(_tiny("mae", steps=2), tmp_path / "mae")
    mae.run(log=lambda _: None)
    model, card = load_mae(mae.export(tmp_path / "mae-bundle"), "cpu")
    assert card["kind"] == "mae"
    out = model(torch.randn(1, 3, 32, 32), torch.arange(8).unsqueeze(0))
    assert out.shape == (1, 16, 8 * 8 * 3)

    jepa = Trainer(_tiny("ijepa", steps=1), tmp_path / "j")
    jepa.run(log=lambda _: None)
    jepa_bundle = jepa.export(tmp_path / "jepa-bundle")
    recipe = load_recipe("ijepa-tiny-decoder")
    recipe["jepa"] = str(jepa_bundle)
    recipe["data"].update(size=32, batch_size=4)
    recipe["optim"].update(total_steps=2, warmup_steps=1)
    dec = Trainer(recipe, tmp_path / "dec")
    dec.run(log=lambda _: None)
    decoder, card = load_decoder(dec.export(tmp_path / "dec-bundle"), "cpu")
    assert decoder(torch.randn(5, 192)).shape == (5, 192)


def test_schedule_shape():
    optim = {"lr": 1e-3, "start_lr": 1e-4, "final_lr": 1e-5, "warmup_steps": 10, "total_steps": 110}
    assert lr_at(0, optim) == pytest.approx(1e-4)
    assert lr_at(10, optim) == pytest.approx(1e-3)
    assert lr_at(110, optim) == pytest.approx(1e-5)
    assert lr_at(60, optim) == pytest.approx((1e-3 + 1e-5) / 2)


def test_vjepa_train_resume_export(tmp_path):
    from jepa_explorer.engine.session import Session
    from jepa_explorer.masks.generators import future

    recipe = load_recipe("vjepa-tiny")
    recipe["data"].update(size=16, num_frames=4, batch_size=2)
    recipe["model"]["encoder"].update(img_size=16, num_frames=4, depth=1)
    recipe["model"]["predictor"].update(depth=1)
    recipe["optim"].update(total_steps=3, warmup_steps=1)
    straight = Trainer(recipe, tmp_path / "a")
    straight.run(log=lambda _: None)
    first = Trainer(recipe, tmp_path / "b", max_steps=2)
    first.run(log=lambda _: None)
    second = Trainer(recipe, tmp_path / "b")
    assert second.resume()
    second.run(log=lambda _: None)
    for key, value in straight.modules["predictor"].state_dict().items():
        torch.testing.assert_close(second.modules["predictor"].state_dict()[key], value, atol=1e-6, rtol=1e-5)

    bundle = straight.export(tmp_path / "bundle")
    model = load_model(bundle, "cpu")
    assert model.config.family == "vjepa" and model.config.encoder.grid_shape == (2, 2, 2)
    assert model.card["input"]["num_frames"] == 4 and "clips" in model.card["training_data"]
    session = Session(model)
    session.set_input(np.zeros((4, 16, 16, 3), dtype=np.uint8))
    result = session.predict(future(session.grid_shape, context_steps=1))
    assert "last_context_step" in result.summary

    # a predictor-only stage on top of it: both encoders stay to the bit, the predictor learns
    stage_recipe = json.loads(json.dumps(recipe))
    stage_recipe.update(init=str(bundle), freeze_encoder=True, seed=1)
    stage = Trainer(stage_recipe, tmp_path / "predictor")
    loaded = {name: {k: v.clone() for k, v in stage.modules[name].state_dict().items()} for name in stage.modules}
    stage.run(log=lambda _: None)
    for name in ("encoder", "target_encoder"):
        for key, value in stage.modules[name].state_dict().items():
            torch.testing.assert_close(value, loaded[name][key], atol=0, rtol=0)
    moved = [not torch.equal(v, loaded["predictor"][k]) for k, v in stage.modules["predictor"].state_dict().items()]
    assert sum(moved) > len(moved) // 2
    # a stage that grows the predictor (1 -> 3 blocks): the new blocks start as the identity, so before any
    # step it predicts exactly what the bundle does; without grow_predictor the deeper recipe does not fit
    deeper = json.loads(json.dumps(stage_recipe))
    deeper["model"]["predictor"]["depth"] = 3
    with pytest.raises(JepaError, match="does not fit"):
        Trainer(deeper, tmp_path / "deeper")
    deeper.update(grow_predictor=True)
    grown = Trainer(deeper, tmp_path / "grown").modules["predictor"]
    assert len(grown.predictor_blocks) == 3
    clip = torch.randn(2, 3, 4, 16, 16)
    split = future((2, 2, 2), context_steps=1)
    ctx, tgt = split.context_indices(), split.target_indices()[0]
    masks_ctx, masks_tgt = [torch.from_numpy(ctx).long().expand(2, -1)], [torch.from_numpy(tgt).long().expand(2, -1)]
    with torch.no_grad():
        z = model.encoder(clip, masks_ctx)
        want = model.predictor(z, None, masks_ctx, masks_tgt, mask_index=2)
        got = grown(z, None, masks_ctx, masks_tgt, mask_index=2)
    torch.testing.assert_close(got, want.float(), atol=1e-5, rtol=1e-5)
    shallower = json.loads(json.dumps(deeper))
    shallower["model"]["predictor"]["depth"] = 1
    shallower["init"] = str(tmp_path / "bundle-deeper")
    Trainer(deeper, tmp_path / "grown-run", max_steps=1).export(tmp_path / "bundle-deeper")
    trains = load_model(tmp_path / "bundle-deeper", "cpu").card["training"]["stages"][-1]["trains"]
    assert trains.startswith("the predictor only") and "grown from 1 to 3 blocks" in trains
    with pytest.raises(JepaError, match="more than the recipe"):
        Trainer(shallower, tmp_path / "shallower")

    image = _tiny("ijepa", steps=2)
    image.update(init=str(bundle))  # a video model cannot start an image recipe
    with pytest.raises(JepaError, match="is a vjepa model"):
        Trainer(image, tmp_path / "image")

    # a pixel decoder for the video model: trained on clips, one token -> its tubelet of frames
    recipe = load_recipe("vjepa-tiny-decoder")
    recipe["jepa"] = str(tmp_path / "bundle")
    recipe["data"].update(size=16, num_frames=4, batch_size=2)
    recipe["optim"].update(total_steps=2, warmup_steps=1)
    dec = Trainer(recipe, tmp_path / "dec")
    first_loss = dec.run(log=lambda _: None)
    decoder, card = load_decoder(dec.export(tmp_path / "dec-bundle"), "cpu")
    assert decoder.cfg.tubelet_size == 2 and decoder(torch.randn(3, 192)).shape == (3, 2 * 8 * 8 * 3)
    assert card["input"]["num_frames"] == 4 and "clips" in card["training_data"]
    assert first_loss.step == 2

    # the reference decoder stage: trains on photo-motion clips too, and its bundle takes a reference
    recipe = load_recipe("vjepa-tiny-decoder-reference")
    recipe["jepa"] = str(tmp_path / "bundle")
    recipe["data"].update(size=16, num_frames=4, batch_size=2)
    recipe["optim"].update(total_steps=2, warmup_steps=1)
    dec = Trainer(recipe, tmp_path / "dec-ref")
    dec.run(log=lambda _: None)
    decoder, card = load_decoder(dec.export(tmp_path / "dec-ref-bundle"), "cpu")
    assert decoder.cfg.reference and card["architecture"]["decoder"]["reference"] is True
    reference = torch.randn(3, 8 * 8 * 3)
    assert not torch.equal(decoder(torch.randn(3, 192), reference), decoder(torch.randn(3, 192)))
    recipe["jepa"] = str(jepa_image_bundle(tmp_path))
    with pytest.raises(JepaError, match="needs a video JEPA"):
        Trainer(recipe, tmp_path / "dec-ref-image")


def jepa_image_bundle(tmp_path):
    jepa = Trainer(_tiny("ijepa", steps=1), tmp_path / "image-jepa")
    return jepa.export(tmp_path / "image-jepa-bundle")


def test_future_references_give_each_later_patch_the_last_context_frame_at_its_place():
    from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder
    from jepa_explorer.train.loop import _future_references

    cfg = DecoderConfig(embed_dim=4, hidden_dim=4, depth=1, patch_size=1, in_chans=1, tubelet_size=2, reference=True)
    decoder = PatchDecoder(cfg)
    steps, places = 4, 3  # tokens (t, place), pixels (frame, channel): frame f of token (t, p) holds 100·t + 10·p + f
    token = [[100 * t + 10 * p, 100 * t + 10 * p + 1] for t in range(steps) for p in range(places)]
    pixels = torch.tensor([token] * 3).float()
    t0, keep = torch.tensor([1, 3, 2]), torch.tensor([True, True, False])
    reference, present = _future_references(pixels, (steps, 1, places), decoder, t0, keep)
    assert reference.shape == (3, steps * places, 1) and present.shape == (3, steps * places)
    present = present.view(3, steps, places)
    assert present[0, 1:].all() and not present[0, 0].any()  # every step after the context has one, the context none
    assert present[1, 3].all() and not present[1, :3].any()
    assert not present[2].any()  # dropped out
    for clip in (0, 1):
        want = torch.tensor([100 * (int(t0[clip]) - 1) + 10 * p + 1 for p in range(places)]).float()  # the last frame
        assert torch.equal(reference[clip].view(steps, places)[int(t0[clip])], want)


def test_a_decoder_stage_can_learn_from_the_predictors_future_frame_predictions(vjepa_fixture_path, tmp_path):
    import torch.nn.functional as F

    from jepa_explorer.engine.session import Session
    from jepa_explorer.masks.generators import future

    recipe = load_recipe("vjepa-tiny-decoder")
    recipe.update(jepa=str(vjepa_fixture_path), predicted_fraction=1.0)
    trainer = Trainer(recipe, tmp_path / "run")
    session = Session(load_model(vjepa_fixture_path, "cpu"))
    clip = (np.random.default_rng(0).random((session.model.config.encoder.num_frames, 64, 64, 3)) * 255).astype(np.uint8)
    session.set_input(clip)
    x = session.features.x
    with torch.no_grad():
        h = trainer.jepa_target(x)
        h = F.layer_norm(h, (h.size(-1),))
    steps, per_step = session.grid_shape[0], h.size(1) // session.grid_shape[0]
    t0 = steps // 2
    out = trainer._with_predictions(x, h, t0, torch.tensor([True]))
    # the same predictions the app shows for a future-frame mask with t0 context steps
    want = session.predict(future(session.grid_shape, context_steps=t0)).groups[0].predicted
    torch.testing.assert_close(out[0, t0 * per_step :], torch.from_numpy(want), atol=2e-4, rtol=1e-3)
    assert torch.equal(out[0, : t0 * per_step], h[0, : t0 * per_step])  # the context keeps its actual embeddings
    assert torch.equal(trainer._with_predictions(x, h, t0, torch.tensor([False])), h)
    recipe["jepa"] = str(jepa_image_bundle(tmp_path))
    with pytest.raises(JepaError, match="needs a video JEPA with a predictor"):
        Trainer(recipe, tmp_path / "image")


def test_overrides_set_nested_recipe_entries_and_reject_unknown_sections():
    from jepa_explorer.train.loop import apply_overrides

    base = load_recipe("ijepa-tiny")
    r = apply_overrides(base, ["model.predictor.depth=2", "data.photo_fraction=0.75", "name=my-run", "masks.aspect=[1, 2]"])
    assert r["model"]["predictor"]["depth"] == 2 and r["data"]["photo_fraction"] == 0.75
    assert r["name"] == "my-run" and r["masks"]["aspect"] == [1, 2]
    assert base["model"]["predictor"]["depth"] == 6  # the loaded recipe is untouched
    with pytest.raises(JepaError, match="no section 'modle'"):
        apply_overrides(base, ["modle.predictor.depth=6"])
    with pytest.raises(JepaError, match="KEY=VALUE"):
        apply_overrides(base, ["depth"])


def test_a_diverging_run_stops_with_advice_and_saves_nothing_of_the_diverged_weights(tmp_path):
    t = Trainer(_tiny("ijepa", steps=6), tmp_path / "r")
    losses = iter([0.5, 0.4, float("nan")])
    t._step_ijepa = lambda x, rng: next(losses)
    with pytest.raises(JepaError, match="diverged at step 2 .*lower the learning rate"):
        t.run(log=lambda line: None)
    assert t.state.step == 2
    assert not (tmp_path / "r" / "last.pt").exists()  # the weights the NaN step touched are not saved


def test_time_limit_stops_and_saves_a_resumable_run(tmp_path):
    lines = []
    t = Trainer(_tiny("ijepa", steps=50), tmp_path / "r", max_minutes=1e-9)
    state = t.run(log=lines.append)
    assert state.step < 50 and any("minute limit" in line for line in lines)
    again = Trainer(_tiny("ijepa", steps=50), tmp_path / "r", max_steps=state.step + 2)
    assert again.resume() and again.state.step == state.step
    assert again.run(log=lambda _: None).step == state.step + 2


def test_init_continues_from_a_bundle_and_rejects_one_that_does_not_fit(tmp_path):
    first = Trainer(_tiny("ijepa", steps=2), tmp_path / "first")
    first.run(log=lambda _: None)
    bundle = first.export(tmp_path / "stage1")
    recipe = _tiny("ijepa", steps=2)
    recipe.update(init=str(bundle), seed=1)
    second = Trainer(recipe, tmp_path / "second")
    stage1 = load_model(bundle, "cpu")
    for name in ("encoder", "predictor", "target_encoder"):  # starts from the bundle's (float16-stored) weights
        for key, value in getattr(stage1, name).state_dict().items():
            torch.testing.assert_close(second.modules[name].state_dict()[key], value.float())
    second.run(log=lambda _: None)
    assert np.isfinite(second.history[-1]["loss"])
    assert second.export(tmp_path / "stage2").exists()

    wider = _tiny("ijepa", steps=2)
    wider["model"]["encoder"].update(embed_dim=96, num_heads=3)
    wider.update(init=str(bundle))
    with pytest.raises(JepaError, match="does not fit"):
        Trainer(wider, tmp_path / "wider")
    missing = {**recipe, "init": str(tmp_path / "nowhere")}
    with pytest.raises(JepaError, match="init .*nowhere: no bundle there; export the stage before to it"):
        Trainer(missing, tmp_path / "missing")


def test_a_predictor_only_stage_keeps_both_encoders_and_trains_the_predictor(tmp_path):
    first = Trainer(_tiny("ijepa", steps=2), tmp_path / "first")
    first.run(log=lambda _: None)
    bundle = first.export(tmp_path / "stage1")
    recipe = _tiny("ijepa", steps=3)
    recipe.update(init=str(bundle), seed=1, freeze_encoder=True)
    stage = Trainer(recipe, tmp_path / "predictor")
    before = {name: {k: v.clone() for k, v in stage.modules[name].state_dict().items()} for name in stage.modules}
    stage.run(log=lambda _: None)
    for name in ("encoder", "target_encoder"):  # no gradient step, no EMA step
        for key, value in stage.modules[name].state_dict().items():
            torch.testing.assert_close(value, before[name][key], atol=0, rtol=0)
    moved = [not torch.equal(v, before["predictor"][k]) for k, v in stage.modules["predictor"].state_dict().items()]
    assert sum(moved) > len(moved) // 2
    assert all(np.isfinite(h["loss"]) for h in stage.history)

    # the exported card carries the whole history: both stages, their sum, a command chain that reproduces it
    stage2 = stage.export(tmp_path / "stage2")
    training = load_model(stage2, "cpu").card["training"]
    assert [s["recipe"] for s in training["stages"]] == ["ijepa-tiny", "ijepa-tiny"]
    assert load_model(stage2, "cpu").card["name"] == load_model(bundle, "cpu").card["name"]
    assert [s["steps"] for s in training["stages"]] == [2, 3] and training["steps"] == 5
    assert training["images_seen"] == 5 * recipe["data"]["batch_size"]
    assert training["command"] == f"jepa-explorer train ijepa-tiny --export {bundle} && jepa-explorer train ijepa-tiny"
    assert "predictor only" in training["stages"][1]["trains"] and "trains" not in training["stages"][0]
    card_path = stage2 / "card.json"
    card = json.loads(card_path.read_text())
    card["training"]["selection"] = "kept: better on validation"
    card_path.write_text(json.dumps(card))
    third = _tiny("ijepa", steps=1)
    third.update(init=str(stage2), seed=2, freeze_encoder=True)
    last = Trainer(third, tmp_path / "third")
    last.run(log=lambda _: None)
    training = load_model(last.export(tmp_path / "stage3"), "cpu").card["training"]
    assert [s["steps"] for s in training["stages"]] == [2, 3, 1]
    assert training["stages"][1]["selection"] == "kept: better on validation"  # why stage 2 was kept stays with it
    assert training["command"].count("--export") == 2 and "selection" not in training

    alone = _tiny("ijepa", steps=2)
    alone.update(freeze_encoder=True)  # nothing trained to keep
    with pytest.raises(JepaError, match="freeze_encoder"):
        Trainer(alone, tmp_path / "alone")


# What each recipe written as "base + changes" trains, as it trained its bundle or run (sha256 of the loaded
# recipe less its texts, description and choices): editing a base must not silently change a stage's record.
# A deliberate change to a stage updates its pin here.
STAGE_PINS = {
    "ijepa-tiny-continued": "95f34badcc8e1f28",
    "ijepa-tiny-predictor-2": "273cf76b14e345be",
    "ijepa-tiny-predictor-3": "b3f14177c85a1a46",
    "ijepa-tiny-predictor": "831ba3e3dd39bd0c",
    "vjepa-tiny-decoder-predicted": "bee27e2e0352963e",
    "vjepa-tiny-decoder-reference": "956d10df69e2ad82",
    "vjepa-tiny-photo-decoder": "3e9dafb4678548f4",
    "vjepa-tiny-photo-slow": "2b2f3a2a23dc3e11",
    "vjepa-tiny-predictor-2": "9b2474e9f835b81e",
    "vjepa-tiny-predictor-3": "6d7e08a0b8974da2",
    "vjepa-tiny-predictor": "bdb4a3a59aa8dcde",
    "world-tiny-keypoints": "9ede60a318f9c916",
    "world-tiny-pose": "b9bb7bf6035a22cf",
    "world-tiny-pose-grown": "d128b0b18a889f4f",
}


def test_the_recipes_written_on_a_base_load_as_they_trained():
    import hashlib
    from importlib import resources

    from jepa_explorer.train.loop import RECIPE_PACKAGE

    based = sorted(
        entry.name[: -len(".json")]
        for entry in resources.files(RECIPE_PACKAGE).iterdir()
        if entry.name.endswith(".json") and "base" in json.loads(entry.read_text(encoding="utf-8"))
    )
    assert based == sorted(STAGE_PINS)  # a new recipe on a base gets its pin
    for name, pin in STAGE_PINS.items():
        recipe = {k: v for k, v in load_recipe(name).items() if k not in ("description", "choices")}
        assert hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16] == pin, name


def test_a_recipe_with_a_base_is_its_base_with_the_changes(tmp_path):
    stage = tmp_path / "stage.json"
    stage.write_text(json.dumps({"base": "world-tiny", "name": "s", "model": {"keypoints": 4}, "optim": {"lr": 0.5}}))
    base, recipe = load_recipe("world-tiny"), load_recipe(str(stage))
    assert recipe["name"] == "s" and "base" not in recipe
    assert recipe["model"]["keypoints"] == 4 and recipe["optim"]["lr"] == 0.5  # nested entries merge...
    assert recipe["model"]["encoder"] == base["model"]["encoder"]  # ...keeping their neighbours
    assert recipe["optim"]["total_steps"] == base["optim"]["total_steps"] and recipe["data"] == base["data"]
    assert load_recipe("world-tiny") == base  # the base itself is left as it was
    # the bundled stages written this way load as the full recipes they replaced
    slow = load_recipe("vjepa-tiny-photo-slow")
    assert slow["data"]["photo_slow"] == 0.5 and slow["optim"]["total_steps"] == 1000
    assert slow["masks"] == load_recipe("vjepa-tiny-photo")["masks"] and slow["init"] == "checkpoints/vjepa-tiny"
    looped = tmp_path / "looped.json"
    looped.write_text(json.dumps({"base": str(looped), "name": "l"}))
    with pytest.raises(JepaError, match="loop"):
        load_recipe(str(looped))
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps({"base": str(second), "name": "a"}))
    second.write_text(json.dumps({"base": str(first), "name": "b"}))
    with pytest.raises(JepaError, match="loop"):
        load_recipe(str(first))
