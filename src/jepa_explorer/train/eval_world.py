"""`jepa-explorer eval checkpoints/world-tiny`: the world model on held-out worlds (seeds never trained on).

- Open-loop rollout: latent MSE at horizons 1..16 from 3 real frames, against copying the last latent and
  against the same predictor given zero actions (does the action matter?).
- Planning: CEM in latent space towards a goal frame with a receding horizon, from held-out starts, within
  60 steps: reach a goal position with the agent (half of the goals in the other room, through the door)
  and push the object into a goal region; a uniformly random policy beside each.
- Surprise: per-step prediction error as a detector of each injected event (AUROC: the break step against
  the plausible steps of the same episodes and of normal trajectories).
- Probes: linear (ridge) R² of agent and object positions from the latent, trained vs random-init encoder;
  per-dimension std and effective rank (collapse check).
"""

from __future__ import annotations

import time

import numpy as np
import torch

from jepa_explorer.world.data import held_out_seeds, trajectory
from jepa_explorer.world.env import AGENT, OBJECT, World, WorldState, free_position, push_has_room, pusher_spot
from jepa_explorer.world.planning import planner_settings

HORIZON = 16


def _progress(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)


CONTEXT = 3  # real frames before an open-loop rollout


def _seeds(n: int, offset: int, split: str = "test") -> list[int]:
    return held_out_seeds(n, offset, split)


# ---------------------------------------------------------------- rollout


def eval_rollout(model, n: int = 64, seed: int = 0, split: str = "test") -> dict:
    rng = np.random.default_rng([seed, 21])
    errs = {"predictor": [], "copy_last": [], "zero_actions": []}
    for s in _seeds(n, 0, split):
        frames, actions, _ = trajectory(s, CONTEXT - 1 + HORIZON, rng)
        z = model.encode(frames)
        hist, past, future = z[:CONTEXT], actions[: CONTEXT - 1], actions[CONTEXT - 1 :]
        target = z[CONTEXT:]
        pred = model.rollout(hist, future, past)
        zero = model.rollout(hist, np.zeros_like(future), past)
        errs["predictor"].append(((pred - target) ** 2).mean(-1))
        errs["zero_actions"].append(((zero - target) ** 2).mean(-1))
        errs["copy_last"].append(((z[CONTEXT - 1][None] - target) ** 2).mean(-1))
    per_h = {k: np.mean(v, 0).tolist() for k, v in errs.items()}
    h1 = {k: v[0] for k, v in per_h.items()}
    return {
        "trajectories": n,
        "context_frames": CONTEXT,
        "mse_by_horizon": per_h,
        "h1_gain_vs_copy_last": 1.0 - h1["predictor"] / h1["copy_last"],
        "h1_zero_actions_worse_by": h1["zero_actions"] / h1["predictor"] - 1.0,
        "latent_variance": float(np.var(model.encode(frames), 0).mean()) if len(frames) else None,
    }


# ---------------------------------------------------------------- planning


def _reach_task(seed: int, rng: np.random.Generator):
    world = World(seed)
    start = world.state.copy()
    start.agent = free_position(world.layout, rng, AGENT)
    start.obj = free_position(world.layout, rng, OBJECT, avoid=start.agent)
    other = rng.random() < 0.5
    room = 1 - world.layout.room_of(start.agent + AGENT / 2) if other else world.layout.room_of(start.agent + AGENT / 2)
    for _ in range(200):
        goal = free_position(world.layout, rng, AGENT, room=room, avoid=start.obj)
        if np.linalg.norm(goal - start.agent) >= 8:
            break
    world.reset(start)
    goal_state = start.copy()
    goal_state.agent = goal
    success = lambda s: np.linalg.norm(s.agent - goal) <= 2.5  # noqa: E731
    return world, world.render(goal_state), success, bool(other)


def _push_task(seed: int, rng: np.random.Generator):
    world = World(seed)
    layout = world.layout
    for _ in range(500):
        obj = free_position(layout, rng, OBJECT)
        d = np.eye(2)[rng.integers(2)] * rng.choice([-1, 1]) * 6.0
        goal = obj + d
        if not push_has_room(layout, obj, d):
            continue
        room = layout.room_of(obj + OBJECT / 2)
        agent = free_position(layout, rng, AGENT, room=room, avoid=obj)
        if np.linalg.norm(agent - obj) > 14 or layout.room_of(goal + OBJECT / 2) != room:
            continue
        break
    start = WorldState(agent=agent, obj=obj)
    world.reset(start)
    goal_state = WorldState(agent=pusher_spot(layout, goal, d), obj=goal)  # the pusher where the push ends
    success = lambda s: np.linalg.norm(s.obj - goal) <= 2.5  # noqa: E731
    return world, world.render(goal_state), success


def _random_policy(world: World, success, rng, max_steps: int) -> bool:
    for _ in range(max_steps):
        if success(world.state):
            return True
        world.step(rng.uniform(-1, 1, 2))
    return bool(success(world.state))


PLAN_EPISODES = 16  # per task: each episode is one 60-step receding-horizon run


def _effective(settings: dict, model) -> dict:
    """The settings that shaped the plans: `pose_weight` only where the latent has a keypoint part."""
    return settings if model.config.keypoints else {k: v for k, v in settings.items() if k != "pose_weight"}


def eval_planning(model, n: int = PLAN_EPISODES, seed: int = 0, max_steps: int = 60, split: str = "test",
                  tasks=("reach", "push"), **overrides) -> dict:  # fmt: skip
    """Receding-horizon CEM on `n` episodes per task with each task's planner settings (chosen on validation
    worlds, `planning.planner_settings`); `overrides` (e.g. samples=8) replace settings for every task."""
    from jepa_explorer.world.planning import run_to_goal

    out = {}
    for task in tasks:
        settings = {**planner_settings(task), **overrides}
        rng = np.random.default_rng([seed, 31, task == "push"])
        wins, rand_wins, steps, other_room = [], [], [], []
        for i, s in enumerate(_seeds(n, 5000 if task == "reach" else 6000, split)):
            made = _reach_task(s, rng) if task == "reach" else _push_task(s, rng)
            world, goal_frame, success = made[:3]
            start = world.state.copy()
            ok, t = run_to_goal(model, world, goal_frame, success, max_steps, seed=seed + i, **settings)
            wins.append(ok)
            steps.append(t)
            _progress(f"planning {task} {i + 1}/{n}: {'reached' if ok else 'not reached'} after {t} steps")
            if task == "reach":
                other_room.append(made[3])
            world.reset(start)
            rand_wins.append(_random_policy(world, success, np.random.default_rng([seed, i, 41]), max_steps))
        entry = {
            "episodes": n,
            "settings": {"max_steps": max_steps, **_effective(settings, model), "history_frames": 3},
            "success": float(np.mean(wins)),
            "random_policy_success": float(np.mean(rand_wins)),
            "mean_steps_when_reached": float(np.mean([t for t, w in zip(steps, wins) if w])) if any(wins) else None,
        }
        if task == "reach":
            o = np.array(other_room)
            w = np.array(wins)
            entry["success_other_room"] = float(w[o].mean()) if o.any() else None
            entry["success_same_room"] = float(w[~o].mean()) if (~o).any() else None
        out[task] = entry
    return out


# ---------------------------------------------------------------- surprise


def step_errors(model, frames: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """Per-step surprise: [T] for frames [T+1] — the squared distance between the latent of frame t and the
    predictor's guess of it from frames < t and actions < t (teacher-forced, causal)."""
    z = model.encode(frames)
    pred = model.predict(z[:-1], actions)
    return ((pred - z[1:]) ** 2).mean(-1)


def eval_surprise(model, n: int = 40, seed: int = 0, split: str = "test") -> dict:
    from sklearn.metrics import roc_auc_score

    from jepa_explorer.world.events import EVENTS, inject

    rng = np.random.default_rng([seed, 51])
    normal = []
    for s in _seeds(n, 7000, split):
        frames, actions, _ = trajectory(s, 16, rng)
        normal.append(step_errors(model, frames, actions))
    normal = np.concatenate(normal)
    out = {}
    for kind in EVENTS:
        pos, neg = [], [normal]
        for i, s in enumerate(_seeds(n, 8000, split)):
            ev = inject(kind, s, rng_seed=seed + i)
            e = step_errors(model, ev.frames, ev.actions)
            b = ev.break_step - 1  # error index of the first frame that shows the break
            pos.append(e[b])
            neg.append(e[:b])
        neg = np.concatenate(neg)
        labels = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
        out[kind] = {
            "auroc": float(roc_auc_score(labels, np.r_[pos, neg])),
            "break_error_median": float(np.median(pos)),
            "plausible_error_median": float(np.median(neg)),
            "episodes": n,
        }
    return out


# ---------------------------------------------------------------- probes


PROBE_LENGTH = 4  # short trajectories from many worlds: the probe must read positions, not recognise floors


def _probe_trajectories(n_traj: int, offset: int, seed: int, split: str = "test"):
    """Short trajectories for the probes: (frames, one [PROBE_LENGTH + 1, S, S, 3] per trajectory; agent and
    object centres [n_traj * (PROBE_LENGTH + 1), 4]). Rendered once and shown to every encoder probed."""
    rng = np.random.default_rng([seed, 61, offset])
    frames, ys = [], []
    for s in _seeds(n_traj, offset, split):
        f, _, centres = trajectory(s, PROBE_LENGTH, rng)
        frames.append(f)
        ys.append(centres)
    return frames, np.concatenate(ys)


def _linear_probe(train_z: np.ndarray, train_y: np.ndarray, test_z: np.ndarray, test_y: np.ndarray) -> dict:
    """Ridge probe of agent and object centres from features: {agent_r2, object_r2} on the test features."""
    from sklearn.linear_model import RidgeCV
    from sklearn.metrics import r2_score

    pred = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(train_z, train_y).predict(test_z)
    return {"agent_r2": float(r2_score(test_y[:, :2], pred[:, :2])), "object_r2": float(r2_score(test_y[:, 2:], pred[:, 2:]))}


def eval_probes(model, n_train: int = 500, n_test: int = 200, seed: int = 0, split: str = "test") -> dict:
    from jepa_explorer.models.world import WorldEncoder, effective_rank

    torch.manual_seed(0)
    random_enc = WorldEncoder(model.config).eval().to(model.device)

    def random_encode(frames):
        with torch.inference_mode():
            return random_enc(model.frames_tensor(frames)).cpu().numpy()

    def tokens(frames):  # the trained encoder's token grid, before the keypoints or projector
        with torch.inference_mode():
            return model.encoder.vit(model.frames_tensor(frames)).flatten(1).float().cpu().numpy()

    train_frames, train_y = _probe_trajectories(n_train, 10_000, seed, split)
    test_frames, test_y = _probe_trajectories(n_test, 11_000, seed, split)

    def features(encode) -> tuple[np.ndarray, np.ndarray]:  # one trajectory at a time, as the model sees a clip
        return np.concatenate([encode(f) for f in train_frames]), np.concatenate([encode(f) for f in test_frames])

    out = {}
    latents = {"trained": features(model.encode), "random_init": features(random_encode)}
    for name, (ztr, zte) in latents.items():
        z = torch.from_numpy(zte)
        out[name] = {
            **_linear_probe(ztr, train_y, zte, test_y),
            "mean_dim_std": float(z.std(0).mean()),
            "min_dim_std": float(z.std(0).min()),
            "effective_rank": effective_rank(z),
        }
    # the same probe on the encoder's token grid: where the latent head loses a position, this still has it
    ztr, zte = features(tokens)
    out["encoder_tokens"] = {**_linear_probe(ztr, train_y, zte, test_y), "dim": int(zte.shape[1])}
    pose = 2 * model.config.keypoints
    if pose and model.config.latent_dim > pose:  # a two-part latent: what each part holds on its own
        ztr, zte = latents["trained"]
        out["latent_parts"] = {
            part: {**_linear_probe(ztr[:, dims], train_y, zte[:, dims], test_y), "dim": int(zte[:, dims].shape[1])}
            for part, dims in (("keypoints", slice(0, pose)), ("state", slice(pose, None)))
        }
    out["frames"] = {"train": n_train * (PROBE_LENGTH + 1), "test": n_test * (PROBE_LENGTH + 1)}
    out["worlds"] = {"train": n_train, "test": n_test}
    out["latent_dim"] = model.config.latent_dim
    return out


# ---------------------------------------------------------------- all


TARGETS = {
    "rollout_h1_gain_vs_copy_last": 0.5,
    "zero_actions_worse_by": 0.3,
    "reach_success": 0.8,
    "push_success": 0.5,
    "teleport_auroc": 0.9,
    "through_wall_auroc": 0.9,
    "agent_r2": 0.9,
}


def eval_decoder(model, n: int = 32, seed: int = 0, split: str = "test") -> dict:
    """PSNR (dB) of decoded frames: from the actual latents, and from 1-step and 8-step imagined latents."""
    rng = np.random.default_rng([seed, 71])

    def psnr(a, b):
        mse = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean()
        return float(10 * np.log10(255.0**2 / max(mse, 1e-12)))

    actual, one, eight = [], [], []
    for s in _seeds(n, 12_000, split):
        frames, actions, _ = trajectory(s, CONTEXT - 1 + 8, rng)
        z = model.encode(frames)
        actual.append(psnr(model.decode(z), frames))
        roll = model.rollout(z[:CONTEXT], actions[CONTEXT - 1 :], actions[: CONTEXT - 1])
        one.append(psnr(model.decode(roll[:1]), frames[CONTEXT : CONTEXT + 1]))
        eight.append(psnr(model.decode(roll[-1:]), frames[-1:]))
    return {
        "psnr_actual": float(np.mean(actual)),
        "psnr_imagined_h1": float(np.mean(one)),
        "psnr_imagined_h8": float(np.mean(eight)),
        "trajectories": n,
    }


def evaluate_world(checkpoint: str, seed: int = 0, n_rollout: int = 64, n_plan: int = PLAN_EPISODES, n_surprise: int = 40,
                   device: str | None = "cpu", planning: bool = True, decoder: str | None = None,
                   split: str = "test") -> dict:  # fmt: skip
    from pathlib import Path

    from jepa_explorer.checkpoints.world import find_decoder, load_world_model

    torch.manual_seed(seed)
    decoder_path = Path(decoder) if decoder else find_decoder(Path(checkpoint))
    model = load_world_model(checkpoint, device, decoder=decoder_path or False)
    started = time.perf_counter()
    first = held_out_seeds(1, 0, split)[0]
    what = "held-out worlds" if split == "test" else "validation worlds (for choices, not the card)"
    report = {"checkpoint": str(checkpoint), "split": f"{what} (seeds {first}+)", "seed": seed}
    if decoder_path is not None:
        report["decoder_path"] = str(decoder_path)
        report["decoder"] = eval_decoder(model, seed=seed, split=split)
    report["rollout"] = eval_rollout(model, n_rollout, seed, split)
    _progress(f"rollout: h1 {report['rollout']['h1_gain_vs_copy_last']:+.1%} below copy-last")
    report["surprise"] = eval_surprise(model, n_surprise, seed, split)
    _progress("surprise AUROC: " + ", ".join(f"{k} {v['auroc']:.3f}" for k, v in report["surprise"].items()))
    report["probes"] = eval_probes(model, seed=seed, split=split)
    _progress(f"probes: agent R² {report['probes']['trained']['agent_r2']:.3f}")
    if planning:
        report["planning"] = eval_planning(model, n_plan, seed, split=split)
    measured = {
        "rollout_h1_gain_vs_copy_last": report["rollout"]["h1_gain_vs_copy_last"],
        "zero_actions_worse_by": report["rollout"]["h1_zero_actions_worse_by"],
        "teleport_auroc": report["surprise"]["teleport"]["auroc"],
        "through_wall_auroc": report["surprise"]["through_wall"]["auroc"],
        "agent_r2": report["probes"]["trained"]["agent_r2"],
    }
    if planning:
        measured["reach_success"] = report["planning"]["reach"]["success"]
        measured["push_success"] = report["planning"]["push"]["success"]
    report["targets"] = {k: {"target": TARGETS[k], "measured": v, "met": bool(v >= TARGETS[k])} for k, v in measured.items()}
    report["eval_seconds"] = round(time.perf_counter() - started, 1)
    report["command"] = f"jepa-explorer eval {Path(checkpoint).as_posix()} --seed {seed}" + ("" if planning else " --no-planning")
    if planning and n_plan != PLAN_EPISODES:
        report["command"] += f" --plan-episodes {n_plan}"
    if split != "test":
        report["command"] += f" --split {split}"
    return report


def format_world_report(report: dict) -> str:
    r = report["rollout"]
    lines = [f"{report['checkpoint']}: {report['split']}", "open-loop latent MSE by horizon (1, 2, 4, 8, 16):"]
    for name, values in r["mse_by_horizon"].items():
        lines.append(f"  {name:14}" + "".join(f"{values[h - 1]:9.4f}" for h in (1, 2, 4, 8, 16)))
    lines.append(
        f"  h1: {r['h1_gain_vs_copy_last']:+.1%} below copy-last; zero actions {r['h1_zero_actions_worse_by']:+.1%} worse"
    )
    lines.append("surprise AUROC: " + ", ".join(f"{k} {v['auroc']:.3f}" for k, v in report["surprise"].items()))
    p = report["probes"]
    lines.append(
        f"linear probes R²: agent {p['trained']['agent_r2']:.3f} (random-init {p['random_init']['agent_r2']:.3f}), "
        f"object {p['trained']['object_r2']:.3f} (random-init {p['random_init']['object_r2']:.3f})"
    )
    if "encoder_tokens" in p:  # reports written before the token probe have none
        t = p["encoder_tokens"]
        lines.append(
            f"  from the encoder's token grid, before the latent head ({t['dim']}-d): "
            f"agent {t['agent_r2']:.3f}, object {t['object_r2']:.3f}"
        )
    for part, t in p.get("latent_parts", {}).items():
        lines.append(
            f"  from the latent's {part} part alone ({t['dim']}-d): agent {t['agent_r2']:.3f}, object {t['object_r2']:.3f}"
        )
    lines.append(
        f"latents: mean per-dim std {p['trained']['mean_dim_std']:.3f}, effective "
        f"rank {p['trained']['effective_rank']:.1f} of {p['latent_dim']}"
    )
    if "decoder" in report:
        d = report["decoder"]
        lines.append(
            f"decoder PSNR: actual latents {d['psnr_actual']:.1f} dB, imagined h1 "
            f"{d['psnr_imagined_h1']:.1f} dB, h8 {d['psnr_imagined_h8']:.1f} dB"
        )
    if "planning" in report:
        for task in ("reach", "push"):
            t = report["planning"][task]
            lines.append(
                f"planning {task}: {t['success']:.0%} within 60 steps (random policy "
                f"{t['random_policy_success']:.0%}, {t['episodes']} episodes)"
            )
            st = t.get("settings") or report["planning"]["settings"]  # older reports: one set for both tasks
            held = f" decisions each held {st['repeat']} steps" if st.get("repeat", 1) > 1 else ""
            scored = f", energy {st['energy_mode']} (last step x{st['final_weight']:g})" if "energy_mode" in st else ""
            if st.get("pose_weight", 1.0) != 1.0:
                scored += f", keypoint part x{st['pose_weight']:g}"
            lines.append(
                f"  CEM {st['samples']} samples x {st['iterations']} iterations, horizon "
                f"{st['horizon']}{held}, re-planned every {st.get('execute', st.get('execute_per_plan'))} steps{scored}"
            )
    for k, v in report["targets"].items():
        lines.append(f"  target {k}: {v['measured']:.3f} vs {v['target']} -> {'met' if v['met'] else 'NOT met'}")
    return "\n".join(lines)
