#!/usr/bin/env python3
"""Measure a world-model run or bundle on the *validation* worlds (seeds 2000000+), for making choices.

    PYTHONPATH=src python3 scripts/world_validate.py runs/world-long            # its last.pt
    PYTHONPATH=src python3 scripts/world_validate.py checkpoints/world-tiny --plan 6 --set repeat=2

Reports the one-step gain over copying the last latent, the zero-action gap and the linear probes of
agent and object positions; with --plan N also N planning episodes per task with the planner settings
given by --set (each task's planning.planner_settings otherwise). Checkpoints and planner settings are chosen with
this, never with the test worlds that `jepa-explorer eval` reports on the card.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch


def model_from_run(run_dir: Path, recipe_name: str = "world-tiny", overrides: list[str] | None = None):
    """A `WorldModel` from a training run's last.pt (the recipe, with the run's --set overrides, gives the
    architecture)."""
    from jepa_explorer.models.world import WorldEncoder, WorldPredictor
    from jepa_explorer.train.loop import apply_overrides, load_recipe
    from jepa_explorer.train.world import world_config
    from jepa_explorer.world.model import WorldModel

    cfg = world_config(apply_overrides(load_recipe(recipe_name), overrides or []))
    blob = torch.load(run_dir / "last.pt", map_location="cpu", weights_only=True)
    encoder, predictor = WorldEncoder(cfg), WorldPredictor(cfg)
    encoder.load_state_dict(blob["encoder"])
    predictor.load_state_dict(blob["predictor"])
    model = WorldModel(encoder.eval(), predictor.eval(), cfg, {"name": run_dir.name}, run_dir)
    return model, int(blob["step"])


def main(argv: list[str] | None = None) -> int:
    from jepa_explorer.train.eval_world import eval_planning, eval_probes, eval_rollout
    from jepa_explorer.world.planning import ENERGIES, planner_settings

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("source", type=Path, help="a run folder (with last.pt) or a world bundle")
    p.add_argument("--plan", type=int, default=0, help="planning episodes per task (default: none)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a planner setting, e.g. repeat=2")
    p.add_argument("--tasks", default="reach,push")
    p.add_argument("--plan-only", action="store_true", help="skip the rollout and probe measurements")
    p.add_argument(
        "--recipe-set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="the run's own --set overrides of the recipe (e.g. model.latent_dim=128)",
    )
    args = p.parse_args(argv)
    known, overrides = planner_settings("reach"), {}  # checked before any work
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in known:
            p.error(f"--set {item}: unknown planner setting {key!r}; known: {', '.join(known)}")
        kind = type(known[key])
        try:
            overrides[key] = kind(value)
        except ValueError:
            what = {int: "a whole number", float: "a number"}.get(kind, "a word")
            p.error(f"--set {item}: {key} must be {what}, e.g. {known[key]!r} (the reaching planner's)")
        if key == "energy_mode" and value not in ENERGIES:
            p.error(f"--set {item}: energy_mode is one of {', '.join(ENERGIES)}")
    torch.set_num_threads(1)
    if (args.source / "last.pt").exists():
        model, step = model_from_run(args.source, overrides=args.recipe_set)
    else:
        from jepa_explorer.checkpoints.world import load_world_model

        model, step = load_world_model(args.source, "cpu", decoder=False), None
    started = time.perf_counter()
    out: dict = {"source": str(args.source), "step": step}
    if not args.plan_only:
        roll = eval_rollout(model, 32, 0, split="validation")
        out["h1_gain"] = round(roll["h1_gain_vs_copy_last"], 3)
        out["zero_worse"] = round(roll["h1_zero_actions_worse_by"], 3)
        out["mse_h8"] = round(roll["mse_by_horizon"]["predictor"][7], 4)
        probes = eval_probes(model, 300, 100, 0, split="validation")["trained"]
        out.update(agent_r2=round(probes["agent_r2"], 3), object_r2=round(probes["object_r2"], 3))
    if args.plan:
        plan = eval_planning(model, args.plan, 0, split="validation", tasks=args.tasks.split(","), **overrides)
        out["planning"] = {k: v for k, v in plan.items()}
    out["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
