"""The world model's evaluation on a tiny random model: every section reports numbers in range, and the
card and README it writes agree."""

import json

import numpy as np
import pytest
import torch

from jepa_explorer.models.world import WorldEncoder, WorldPredictor
from jepa_explorer.train import eval_world
from tests.world.tiny import TINY, tiny_world_model


@pytest.fixture(scope="module")
def model():
    return tiny_world_model()


def test_rollout_report_has_every_horizon_and_the_baselines(model):
    r = eval_world.eval_rollout(model, n=2)
    assert set(r["mse_by_horizon"]) == {"predictor", "copy_last", "zero_actions"}
    assert all(len(v) == eval_world.HORIZON for v in r["mse_by_horizon"].values())
    h1 = {k: v[0] for k, v in r["mse_by_horizon"].items()}
    assert r["h1_gain_vs_copy_last"] == pytest.approx(1 - h1["predictor"] / h1["copy_last"])


def test_surprise_reports_an_auroc_per_event(model):
    r = eval_world.eval_surprise(model, n=3)
    assert set(r) == {"teleport", "through_wall", "vanish", "colour"}
    assert all(0.0 <= v["auroc"] <= 1.0 for v in r.values())


def test_step_errors_put_the_break_where_the_injector_says():
    # a model whose latent is the frame's mean colour and whose prediction copies the last latent:
    # a vanished object changes the frame only at and after the break, so the error peaks there
    from jepa_explorer.world import inject

    class MeanColour:
        def encode(self, frames):
            return np.asarray(frames, np.float32).mean((1, 2))

        def predict(self, z, a):
            return z

    event = inject("vanish", 1_000_001, length=10, break_at=5)
    e = eval_world.step_errors(MeanColour(), event.frames, event.actions)
    assert e.shape == (10,) and int(np.argmax(e)) == event.break_step - 1


def test_probes_compare_trained_and_random_init(model):
    r = eval_world.eval_probes(model, n_train=30, n_test=10)
    assert {"trained", "random_init"} <= set(r)
    assert r["trained"]["effective_rank"] > 1 and r["frames"]["train"] == 30 * (eval_world.PROBE_LENGTH + 1)
    enc = model.config.encoder  # the token grid before the projector, probed beside the latent
    assert r["encoder_tokens"]["dim"] == enc.embed_dim * enc.num_patches and np.isfinite(r["encoder_tokens"]["agent_r2"])


def test_a_two_part_latent_is_probed_part_by_part():
    from dataclasses import replace

    from jepa_explorer.world.model import WorldModel

    cfg = replace(TINY, keypoints=3)  # 6 keypoint dims, then 10 state dims
    torch.manual_seed(0)
    model = WorldModel(WorldEncoder(cfg).eval(), WorldPredictor(cfg).eval(), cfg, {}, "<tiny>")
    r = eval_world.eval_probes(model, n_train=30, n_test=10)
    parts = r["latent_parts"]
    assert (parts["keypoints"]["dim"], parts["state"]["dim"]) == (6, 10)
    assert all(np.isfinite(parts[p]["agent_r2"]) for p in parts)
    lines = [line for line in _probe_lines(r) if "part alone" in line]
    assert len(lines) == 2 and "keypoints part alone (6-d)" in lines[0] and "state part alone (10-d)" in lines[1]
    assert "latent_parts" not in eval_world.eval_probes(tiny_world_model(), n_train=30, n_test=10)  # one part


def _probe_lines(probes: dict) -> list[str]:
    """The report lines `format_world_report` writes for these probes (the other sections left empty)."""
    roll = {"mse_by_horizon": {"predictor": [0.1] * 16}, "h1_gain_vs_copy_last": 0.5, "h1_zero_actions_worse_by": 0.5}
    report = {"checkpoint": "t", "split": "test", "rollout": roll, "surprise": {}, "probes": probes, "targets": {}}
    return eval_world.format_world_report(report).splitlines()


def test_planning_reports_success_beside_a_random_policy(model):
    r = eval_world.eval_planning(model, n=1, samples=8, iterations=1, max_steps=3, horizon=3, execute=1)
    for task in ("reach", "push"):
        assert 0.0 <= r[task]["success"] <= 1.0 and 0.0 <= r[task]["random_policy_success"] <= 1.0
        assert r[task]["settings"]["samples"] == 8 and r[task]["settings"]["horizon"] == 3  # the overrides, both tasks
    # each task otherwise plans with its own settings, and the report says which
    assert (r["reach"]["settings"]["energy_mode"], r["push"]["settings"]["energy_mode"]) == ("mean", "best")
    assert r["push"]["settings"]["final_weight"] == 3.0


def test_world_card_readme_is_rendered_from_the_card(tmp_path):
    from jepa_explorer.checkpoints.bundle import save_bundle
    from jepa_explorer.train.cards import model_card_markdown
    from jepa_explorer.train.world_card import write_world_metrics

    torch.manual_seed(0)
    card = {"name": "w", "kind": "world", "architecture": TINY.to_dict(), "recipe": {"name": "world-tiny", "description": "d"}}
    out = save_bundle(tmp_path / "w", {"encoder": WorldEncoder(TINY), "predictor": WorldPredictor(TINY)}, card)
    report = {
        "checkpoint": str(out), "split": "held-out", "command": "jepa-explorer eval w",
        "rollout": {"mse_by_horizon": {"predictor": [0.1] * 16, "copy_last": [0.2] * 16, "zero_actions": [0.15] * 16},
                    "h1_gain_vs_copy_last": 0.5, "h1_zero_actions_worse_by": 0.5},
        "surprise": {"teleport": {"auroc": 0.95}},
        "probes": {"trained": {"agent_r2": 0.9, "object_r2": 0.5, "mean_dim_std": 1.0, "effective_rank": 10.0},
                   "random_init": {"agent_r2": 0.1, "object_r2": 0.0}, "latent_dim": 16},
        "targets": {"agent_r2": {"target": 0.9, "measured": 0.9, "met": True}},
    }  # fmt: skip
    write_world_metrics(out, report)
    saved = json.loads((out / "card.json").read_text())
    assert saved["metrics"]["probes"]["trained"]["agent_r2"] == 0.9
    readme = (out / "README.md").read_text()
    assert readme == model_card_markdown(saved)
    assert "agent 0.900 (random-init 0.100)" in readme and "target agent_r2: 0.900 vs 0.9 -> met" in readme


def test_planning_reports_the_pose_weight_only_for_a_latent_with_a_pose_part(model):
    from dataclasses import replace

    from jepa_explorer.world.model import WorldModel

    small = {"n": 1, "samples": 8, "iterations": 1, "max_steps": 2, "horizon": 2, "execute": 1}
    assert all("pose_weight" not in r["settings"] for r in eval_world.eval_planning(model, **small).values())
    cfg = replace(TINY, keypoints=3)
    torch.manual_seed(0)
    posed = WorldModel(WorldEncoder(cfg).eval(), WorldPredictor(cfg).eval(), cfg, {}, "<tiny>")
    r = eval_world.eval_planning(posed, **small)
    assert (r["reach"]["settings"]["pose_weight"], r["push"]["settings"]["pose_weight"]) == (0.0, 0.0)
    probe = {"agent_r2": 0.5, "object_r2": 0.5, "mean_dim_std": 1.0, "effective_rank": 5.0}
    report = {"checkpoint": "t", "split": "test", "rollout": {"mse_by_horizon": {"predictor": [0.1] * 16},
              "h1_gain_vs_copy_last": 0.5, "h1_zero_actions_worse_by": 0.5}, "surprise": {}, "planning": r,
              "probes": {"trained": probe, "random_init": probe, "latent_dim": 16}, "targets": {}}  # fmt: skip
    lines = [line for line in eval_world.format_world_report(report).splitlines() if line.startswith("  CEM")]
    assert len(lines) == 2 and all(line.endswith("keypoint part x0") for line in lines)
