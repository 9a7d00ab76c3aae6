"""The world model's public calls, on a tiny random-init model: shapes, causality, rollouts, planning,
and a two-step training run that exports bundles `load_model` opens."""

import json

import numpy as np
import pytest
import torch

from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.world import WorldConfig, WorldEncoder, WorldPredictor, effective_rank, sigreg
from jepa_explorer.world import World, plan
from jepa_explorer.world.model import WorldModel

TINY = WorldConfig(
    encoder=ViTConfig(img_size=32, patch_size=8, embed_dim=32, depth=1, num_heads=2),
    latent_dim=16, projector_dim=32, predictor_dim=32, predictor_depth=2, predictor_heads=2, max_history=6,
)  # fmt: skip


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    pred = WorldPredictor(TINY)
    with torch.no_grad():  # AdaLN-zero starts as the identity: give the action a say for these tests
        for block in pred.blocks:
            block.ada[-1].weight.normal_(0, 0.2)
    return WorldModel(WorldEncoder(TINY).eval(), pred.eval(), TINY, {}, "<tiny>")


def _frames(n: int = 8):
    world = World(3)
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, (n, 2)).astype(np.float32)
    return np.stack([world.reset()] + [world.step(a) for a in actions]), actions


def test_encode_and_predict_shapes(model):
    frames, actions = _frames()
    z = model.encode(frames)
    assert z.shape == (9, 16)
    assert model.predict(z[:-1], actions).shape == (8, 16)
    with pytest.raises(ValueError, match=r"\[T, 32, 32, 3\]"):
        model.encode(frames[:, :16])


def test_predict_is_causal(model):
    frames, actions = _frames()
    z = model.encode(frames)[:-1]
    p = model.predict(z, actions)
    z2, a2 = z.copy(), actions.copy()
    z2[5:] += 3.0
    a2[5:] = -a2[5:]
    p2 = model.predict(z2, a2)
    assert np.allclose(p[:5], p2[:5], atol=1e-5)  # rows < 5 never see rows >= 5
    assert not np.allclose(p[5:], p2[5:], atol=1e-3)


def test_the_action_changes_the_prediction(model):
    frames, actions = _frames()
    z = model.encode(frames)[:-1]
    assert not np.allclose(model.predict(z, actions), model.predict(z, np.zeros_like(actions)), atol=1e-4)


def test_rollout_first_step_is_the_teacher_forced_prediction(model):
    frames, actions = _frames()
    z = model.encode(frames)
    p = model.predict(z[:-1], actions)
    r = model.rollout(z[:3], actions[2:7], actions[:2])
    assert r.shape == (5, 16)
    assert np.allclose(r[0], p[2], atol=1e-5)
    # longer than the predictor's window (6): the rollout slides on
    assert model.rollout(z[:3], np.zeros((20, 2)), actions[:2]).shape == (20, 16)


def test_plan_returns_actions_and_energies_deterministically(model):
    frames, actions = _frames()
    a = plan(model, frames[-3:], actions[-2:], frames[0], horizon=4, samples=40, iterations=3, seed=1)
    b = plan(model, frames[-3:], actions[-2:], frames[0], horizon=4, samples=40, iterations=3, seed=1)
    assert a.actions.shape == (4, 2) and np.abs(a.actions).max() <= 1.0
    assert len(a.energies) == 3 and np.array_equal(a.actions, b.actions)
    assert a.imagined.shape == (4, 16)
    # the chosen sequence is the best seen: no iteration found a lower energy than it
    goal = torch.from_numpy(model.encode(frames[:1]))[0]
    from jepa_explorer.world.planning import energy

    imagined = torch.from_numpy(a.imagined)[None]
    assert energy(imagined, goal).item() == pytest.approx(min(a.energies), rel=1e-4)


def test_plan_holds_each_decision_for_repeat_steps(model):
    frames, actions = _frames()
    p = plan(model, frames[-3:], actions[-2:], frames[0], horizon=3, samples=30, iterations=2, seed=2, repeat=4,
             keep_samples=True)  # fmt: skip
    assert p.decisions.shape == (3, 2) and p.actions.shape == (12, 2) and p.imagined.shape == (12, 16)
    assert np.array_equal(p.actions, np.repeat(p.decisions, 4, axis=0))
    assert p.samples[0].shape == (30, 12, 2)  # what a view draws: one action per imagined step
    # the energy of the returned plan is the best seen, over the 12 imagined steps
    from jepa_explorer.world.planning import energy

    goal = torch.from_numpy(model.encode(frames[:1]))[0]
    assert energy(torch.from_numpy(p.imagined)[None], goal).item() == pytest.approx(min(p.energies), rel=1e-4)


def test_warm_start_drops_the_executed_decisions():
    from jepa_explorer.world.planning import warm_start

    d = np.arange(10, dtype=np.float32).reshape(5, 2)
    assert np.array_equal(warm_start(d, 2), np.r_[d[2:], np.zeros((2, 2))])
    assert np.array_equal(warm_start(d, 0), d)


def test_sigreg_separates_gaussian_from_collapsed_latents():
    gen = torch.Generator().manual_seed(0)
    gaussian = torch.randn(512, 16, generator=gen)
    collapsed = torch.randn(512, 1, generator=gen).expand(512, 16) * 0.01
    g = sigreg(gaussian, torch.Generator().manual_seed(1))
    c = sigreg(collapsed, torch.Generator().manual_seed(1))
    assert g < 1.0 < 50 * g < c
    assert effective_rank(gaussian) > 12 and effective_rank(collapsed) < 2


def test_sigreg_with_low_frequencies_only_tolerates_non_gaussian_marginals():
    # t_max bounds the characteristic-function frequencies: low ones see the variance, high ones the shape,
    # so a uniform code (a position read linearly) costs far less next to a collapsed one at t_max 1
    gen = torch.Generator().manual_seed(0)
    uniform = (torch.rand(2048, 2, generator=gen) - 0.5) * 12**0.5  # a flat 2-d code, unit variance
    shrunk = torch.randn(2048, 2, generator=gen) * 0.5
    ratio = {}
    for t_max in (3.0, 1.0):
        u = sigreg(uniform, torch.Generator().manual_seed(1), t_max=t_max)
        c = sigreg(shrunk, torch.Generator().manual_seed(1), t_max=t_max)
        ratio[t_max] = float(c / u)
    assert ratio[1.0] > 5 * ratio[3.0]


def test_two_training_steps_export_bundles_that_load(tmp_path):
    from jepa_explorer import load_model
    from jepa_explorer.train.loop import load_recipe
    from jepa_explorer.train.world import WorldTrainer

    recipe = load_recipe("world-tiny")
    recipe["model"].update(projector_dim=32, predictor_dim=32, predictor_depth=1, predictor_heads=2, latent_dim=16)
    recipe["model"]["encoder"].update(embed_dim=32, depth=1, num_heads=2)
    recipe["data"].update(batch_size=4, length=3, worlds_per_batch=2)
    trainer = WorldTrainer(recipe, tmp_path / "run", "cpu", max_steps=2)
    trainer.run(log=lambda line: None)
    assert trainer.state.step == 2
    out = trainer.export(tmp_path / "world")
    card = json.loads((out / "card.json").read_text())
    assert card["kind"] == "world" and card["weights_dtype"] == "float16"
    assert card["latent_health"]["latent_dim"] == 16
    model = load_model(out, "cpu")
    assert isinstance(model, WorldModel) and model.decoder is not None
    frames, actions = _frames(4)
    z = model.encode(frames)
    assert model.decode(z).shape == (5, 32, 32, 3)
    # the CLI: info describes it, predict (masks on images) refuses it in one line
    from jepa_explorer.cli import main

    assert main(["info", "-c", str(out), "--device", "cpu"]) == 0
    assert main(["predict", "-c", str(out), "-i", "x.png", "--device", "cpu"]) == 2
    # resume: a new trainer picks up step 2 and the same weights
    again = WorldTrainer(recipe, tmp_path / "run", "cpu", max_steps=3)
    assert again.resume() and again.state.step == 2
    for a, b in zip(again.modules["encoder"].state_dict().values(), trainer.modules["encoder"].state_dict().values()):
        assert torch.equal(a, b)


def test_the_keypoint_recipe_trains_its_inverse_head_and_exports_keypoint_latents(tmp_path):
    from jepa_explorer import load_model
    from jepa_explorer.train.loop import load_recipe
    from jepa_explorer.train.world import WorldTrainer

    recipe = load_recipe("world-tiny-keypoints")
    assert recipe["model"]["keypoints"] * 2 == recipe["model"]["latent_dim"] and recipe["inverse_weight"] > 0
    recipe["model"].update(predictor_dim=32, predictor_depth=1, predictor_heads=2, latent_dim=16, keypoints=8)
    recipe["model"]["encoder"].update(embed_dim=32, depth=1, num_heads=2)
    recipe["data"].update(batch_size=4, length=3)
    trainer = WorldTrainer(recipe, tmp_path / "run", "cpu", max_steps=2)
    start = trainer.modules["inverse"].weight.detach().clone()
    trainer.run(log=lambda line: None)
    assert all(entry["inverse"] > 0 for entry in trainer.history)
    assert not torch.equal(trainer.modules["inverse"].weight, start)  # the head is trained with the rest
    again = WorldTrainer(recipe, tmp_path / "run", "cpu", max_steps=3)
    assert again.resume() and torch.equal(again.modules["inverse"].weight, trainer.modules["inverse"].weight)
    out = trainer.export(tmp_path / "world")
    choices = json.loads((out / "card.json").read_text())["choices"]
    assert "keypoints" in choices["one latent per frame"] and "inverse dynamics" in choices  # the recipe's own
    assert "SIGReg" in choices["anti-collapse"]  # and the shared ones
    model = load_model(out, "cpu")  # the inverse head stays out of the bundle
    assert model.encoder.projector is None and model.encode(_frames(2)[0]).shape == (3, 16)


def test_the_pose_recipe_keeps_sigreg_on_the_state_part_and_reads_the_action_from_the_pose_part(tmp_path, monkeypatch):
    import jepa_explorer.train.world as world_train
    from jepa_explorer.train.loop import load_recipe
    from jepa_explorer.train.world import WorldTrainer

    recipe = load_recipe("world-tiny-pose")
    assert (recipe["sigreg_on"], recipe["inverse_on"]) == ("projector", "keypoints")
    assert recipe["model"]["latent_dim"] > 2 * recipe["model"]["keypoints"]  # both parts
    recipe["model"].update(predictor_dim=32, predictor_depth=1, predictor_heads=2, latent_dim=16, keypoints=3)
    recipe["model"]["encoder"].update(embed_dim=32, depth=1, num_heads=2)
    recipe["data"].update(batch_size=4, length=3)
    seen = []
    real = world_train.sigreg
    monkeypatch.setattr(world_train, "sigreg", lambda z, *a, **k: seen.append(z.shape) or real(z, *a, **k))
    trainer = WorldTrainer(recipe, tmp_path / "run", "cpu", max_steps=1)
    assert trainer.modules["inverse"].in_features == 6  # the 3 keypoints' 6 numbers, not the 16-d latent
    trainer.run(log=lambda line: None)
    assert seen == [(4 * 4, 10)]  # 4 trajectories x 4 frames, the 10 state dims only
    z = torch.arange(16.0)[None]
    assert torch.equal(trainer._select(z, "inverse_on"), z[:, :6])
    assert torch.equal(trainer._select(z, "sigreg_on"), z[:, 6:])
    with pytest.raises(ValueError, match="sigreg_on = 'pose'.*'projector'"):
        WorldTrainer({**recipe, "sigreg_on": "pose"}, tmp_path / "bad", "cpu", max_steps=1)._select(z, "sigreg_on")
    flat = {**recipe, "model": {**recipe["model"], "keypoints": 0}, "inverse_on": "latent"}
    with pytest.raises(ValueError, match="needs model.keypoints > 0"):
        WorldTrainer(flat, tmp_path / "flat", "cpu", max_steps=1)._select(z, "sigreg_on")


def test_detached_keypoints_do_not_pull_on_the_encoder():
    for detach in (False, True):
        cfg = WorldConfig(**{**TINY.__dict__, "keypoints": 3, "latent_dim": 16, "keypoint_detach": detach})
        torch.manual_seed(0)
        enc = WorldEncoder(cfg)
        enc(torch.randn(4, 3, 32, 32))[:, :6].square().sum().backward()  # a loss on the keypoints only
        vit_grad = sum(float(p.grad.abs().sum()) for p in enc.vit.parameters() if p.grad is not None)
        assert (vit_grad == 0) == detach
        assert enc.attend.weight.grad.abs().sum() > 0  # the keypoint head itself always learns


def _keypoint_encoder(keypoints: int, latent_dim: int) -> WorldEncoder:
    cfg = WorldConfig(**{**TINY.__dict__, "keypoints": keypoints, "latent_dim": latent_dim})
    torch.manual_seed(0)
    return WorldEncoder(cfg).eval()


def test_keypoint_coordinates_are_linear_in_where_the_keypoint_looks():
    enc = _keypoint_encoder(8, 16)
    assert enc.projector is None  # 8 keypoints fill the 16-d latent
    with torch.no_grad():
        enc.offset.weight.zero_()
        enc.attend.weight.zero_()
        enc.attend.weight[0, 0] = 50.0  # keypoint 0 looks at tokens whose feature 0 is on

    def latent_with_feature_at(weights: dict) -> torch.Tensor:
        tokens = torch.zeros(1, 16, 32)
        for n, w in weights.items():
            tokens[0, n, 0] = w
        enc.vit.forward = lambda x: tokens
        return enc(torch.zeros(1, 3, 32, 32))[0]

    centres = enc.centres
    # grid centres in units of the spread of a uniform position: column 0 to 3 -> -1.34 to 1.34
    assert torch.allclose(centres[0], torch.tensor([-1.5, -1.5]) / (4 / 12**0.5))
    for n in (0, 5, 15):
        z = latent_with_feature_at({n: 1.0})
        assert torch.allclose(z[:2], centres[n], atol=1e-4)
        assert torch.allclose(z[2:], torch.zeros(14), atol=1e-5)  # the others look everywhere: the grid's centre
    # looking at two tokens equally lands half-way between them
    z = latent_with_feature_at({4: 1.0, 6: 1.0})
    assert torch.allclose(z[:2], (centres[4] + centres[6]) / 2, atol=1e-4)


def test_keypoints_and_the_mlp_share_the_latent():
    enc = _keypoint_encoder(3, 16)
    z = enc(torch.randn(5, 3, 32, 32))
    assert z.shape == (5, 16) and enc.projector[-1].out_features == 10
    with pytest.raises(ValueError, match="9 keypoints need 18 latent dims"):
        _keypoint_encoder(9, 16)


def test_the_best_energy_charges_nothing_for_a_detour_and_each_task_has_its_planner():
    from jepa_explorer.world.planning import PLANNER_SETTINGS, energy, planner_settings

    goal = torch.zeros(1)
    # squared distances per step: a detour (away, then all the way) against a plan that stops short
    detour = torch.tensor([[[2.0], [3.0], [0.0], [0.0]]])  # 4, 9, 0, 0
    short = torch.tensor([[[1.0], [1.0], [1.0], [1.0]]])  # 1, 1, 1, 1
    both = torch.cat([detour, short])
    assert energy(both, goal).tolist() == [13 / 4, 2.0]  # the mean: the detour loses
    assert energy(both, goal, final_weight=3.0, mode="best").tolist() == [0.0, 4.0]  # the closest and the end: it wins
    with pytest.raises(ValueError, match="unknown energy 'worst'"):
        energy(both, goal, mode="worst")
    reach, push = planner_settings("reach"), planner_settings("push")
    assert reach == PLANNER_SETTINGS and reach["energy_mode"] == "mean"
    assert push["energy_mode"] == "best" and push["execute"] == reach["execute"] and push["repeat"] == reach["repeat"]
    with pytest.raises(ValueError, match="unknown planning task 'fly'"):
        planner_settings("fly")


def test_the_pose_weight_weighs_only_the_keypoint_part_of_the_energy():
    from jepa_explorer.world.planning import energy, latent_weights

    cfg = WorldConfig(**{**TINY.__dict__, "keypoints": 2, "latent_dim": 6})
    keyed = WorldModel(WorldEncoder(cfg).eval(), WorldPredictor(cfg).eval(), cfg, {}, "<tiny>")
    assert latent_weights(keyed, 1.0) is None and latent_weights(WorldModel(None, None, TINY, {}, "<tiny>"), 0.1) is None
    weights = latent_weights(keyed, 0.1)
    assert weights.tolist() == pytest.approx([0.1] * 4 + [1.0] * 2)  # 2 keypoints = the first 4 dims
    imagined = torch.tensor([[[1.0, 1.0, 1.0, 1.0, 2.0, 0.0]]])  # pose part off by 1 each, state part by 2
    assert energy(imagined, torch.zeros(6)).item() == pytest.approx(2 * 8.0)  # one step: the mean plus the last
    assert energy(imagined, torch.zeros(6), weights=weights).item() == pytest.approx(2 * 4.4)
    frames, actions = _frames()
    p = plan(keyed, frames[-3:], actions[-2:], frames[0], horizon=2, samples=20, iterations=2, seed=1, pose_weight=0.0)
    goal = torch.from_numpy(keyed.encode(frames[:1]))[0]
    imagined = torch.from_numpy(p.imagined)[None]
    scored = energy(imagined, goal, weights=latent_weights(keyed, 0.0)).item()
    assert scored == pytest.approx(min(p.energies), rel=1e-4)  # the plan was scored without the pose part
    assert energy(imagined, goal).item() > scored


def test_plan_scores_with_the_energy_mode_it_is_given(model):
    from jepa_explorer.world.planning import energy

    frames, actions = _frames()
    goal = torch.from_numpy(model.encode(frames[:1]))[0]
    p = plan(model, frames[-3:], actions[-2:], frames[0], horizon=3, samples=30, iterations=2, seed=3, final_weight=3.0,
             energy_mode="best")  # fmt: skip
    imagined = torch.from_numpy(p.imagined)[None]
    assert energy(imagined, goal, 3.0, "best").item() == pytest.approx(min(p.energies), rel=1e-4)
    assert energy(imagined, goal, 3.0, "mean").item() > min(p.energies)


def test_growing_a_pose_part_keeps_the_bundles_state_part_exactly(tmp_path):
    """`grow`: a one-part bundle's encoder and predictor are kept bit for bit (its latents, predictions and so
    its plans), while the keypoint heads and the predictor's rows for them train; the card lists both stages."""
    from jepa_explorer import load_model
    from jepa_explorer.errors import JepaError
    from jepa_explorer.train.loop import load_recipe
    from jepa_explorer.train.world import WorldTrainer
    from jepa_explorer.train.world_card import world_card_markdown

    small = {"projector_dim": 32, "predictor_dim": 32, "predictor_depth": 1, "predictor_heads": 2, "latent_dim": 16}
    first = load_recipe("world-tiny")
    first["model"].update(small)
    first["model"]["encoder"].update(embed_dim=32, depth=1, num_heads=2)
    first["data"].update(batch_size=4, length=3)
    one = WorldTrainer(first, tmp_path / "run1", "cpu", max_steps=1)
    one.run(log=lambda line: None)
    one.export(tmp_path / "stage1")
    recipe = load_recipe("world-tiny-pose-grown")
    recipe["model"] = {**first["model"], **{k: recipe["model"][k] for k in ("keypoints", "keypoint_detach")}}
    recipe["model"]["latent_dim"] = 16 + 2 * recipe["model"]["keypoints"]
    recipe.update(grow=str(tmp_path / "stage1"), data=first["data"])
    trainer = WorldTrainer(recipe, tmp_path / "run", "cpu", max_steps=3)
    encoder, predictor = trainer.modules["encoder"], trainer.modules["predictor"]
    attend, head = encoder.attend.weight.detach().clone(), predictor.head.weight.detach().clone()
    trainer.run(log=lambda line: None)
    k = 2 * trainer.cfg.keypoints
    assert not torch.equal(encoder.attend.weight, attend) and not torch.equal(predictor.head.weight[:k], head[:k])
    assert torch.equal(predictor.head.weight[k:], head[k:]) and not predictor.embed.weight[:, :k].any()
    out = trainer.export(tmp_path / "grown")
    grown, bundle = load_model(out, "cpu"), load_model(tmp_path / "stage1", "cpu")
    frames, actions = _frames(6)
    zg, zb = grown.encode(frames), bundle.encode(frames)
    assert zg.shape == (7, 16 + k) and np.array_equal(zg[:, k:], zb)
    assert np.array_equal(grown.predict(zg[:-1], actions)[:, k:], bundle.predict(zb[:-1], actions))
    assert grown.decoder is not None and grown.decode(zg[:2]).shape == (2, 32, 32, 3)
    # with the pose part out of the energy, it plans exactly as the bundle does (the push planner's setting)
    search = {"horizon": 3, "samples": 16, "iterations": 2, "seed": 0, "repeat": 2}
    mine = plan(grown, frames[:3], actions[:2], frames[-1], pose_weight=0.0, **search)
    theirs = plan(bundle, frames[:3], actions[:2], frames[-1], **search)
    assert np.array_equal(mine.actions, theirs.actions) and np.allclose(mine.energies, theirs.energies, rtol=1e-6)
    card = json.loads((out / "card.json").read_text())
    stages = card["training"]["stages"]
    assert [s["recipe"] for s in stages] == ["world-tiny", "world-tiny-pose-grown"] and stages[1]["steps"] == 3
    assert stages[0]["command"].endswith(f"--export {(tmp_path / 'stage1').as_posix()}")  # the chain reproduces
    assert card["training"]["steps"] == 1 + 3 and card["name"] == "world-tiny"
    assert "## Training stages" in world_card_markdown(card) and "frozen" in world_card_markdown(card)
    # what cannot be grown is refused before any training, in one line
    attached = {**recipe, "model": {**recipe["model"], "keypoint_detach": False}}
    with pytest.raises(JepaError, match="keypoint_detach = true"):
        WorldTrainer(attached, tmp_path / "bad", "cpu", max_steps=1)
    deeper = {**recipe, "model": {**recipe["model"], "predictor_depth": 2}}
    with pytest.raises(JepaError, match="differs from the recipe's beyond the added keypoints"):
        WorldTrainer(deeper, tmp_path / "bad", "cpu", max_steps=1)
    with pytest.raises(JepaError, match="grow .*nowhere: no world bundle there; export the first stage to it"):
        WorldTrainer({**recipe, "grow": str(tmp_path / "nowhere")}, tmp_path / "bad", "cpu", max_steps=1)
    with pytest.raises(JepaError, match="grow .*grown"):  # a grown bundle is not grown again
        WorldTrainer({**recipe, "grow": str(out)}, tmp_path / "bad", "cpu", max_steps=1)
