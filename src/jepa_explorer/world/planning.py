"""Planning in latent space: the cross-entropy method (CEM) over action sequences, as in LeWorldModel.

`plan(model, frames, actions, goal_frame, ...)` encodes the recent frames and the goal, imagines every
sampled action sequence with the world model (batched, KV-cached), scores each by its imagined latents'
distance to the goal latent, and refits a Gaussian to the best ones, `iterations` times. The caller runs
it with a receding horizon: execute the first action (or few), observe, plan again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

# How `jepa-explorer eval` and the view plan to reach a goal, chosen on validation worlds
# (scripts/world_validate.py): five decisions each held four steps look 20 steps (30 px) ahead, far enough
# to see the way through the door, at the cost of a 300 x 5 x 10 search (128 x 6 x 20 imagined steps);
# re-planning every 4 steps.
PLANNER_SETTINGS = {
    "samples": 128, "iterations": 6, "horizon": 5, "repeat": 4, "execute": 4, "final_weight": 1.0, "energy_mode": "mean",
    "pose_weight": 0.0,
}  # fmt: skip
# `pose_weight` 0: a latent with a keypoint (pose) part leaves it out of the energy, so a pose part grown on a
# trained model plans exactly as that model did. On validation worlds the grown bundle reached 22 of 32 goals
# so, 21-22 with the part weighed x0.5-2, and the two-part runs trained end to end pushed better without it
# (docs/world-model.md).
# Pushing the object, chosen the same way: the mean distance over the imagination charges a plan for the
# walk round the object (the agent first moves away from its goal spot), so a push is scored by the
# closest it gets and where it ends, and looks a decision further ahead.
PUSH_PLANNER_SETTINGS = {**PLANNER_SETTINGS, "horizon": 6, "final_weight": 3.0, "energy_mode": "best"}
ENERGIES = ("mean", "best")


def planner_settings(task: str) -> dict:
    """The planner settings for a task: "reach" (move the agent) or "push" (move the object)."""
    if task not in ("reach", "push"):
        raise ValueError(f"unknown planning task {task!r}: use 'reach' or 'push'")
    return dict(PUSH_PLANNER_SETTINGS if task == "push" else PLANNER_SETTINGS)


def search_settings(task: str) -> dict:
    """The part of `planner_settings(task)` that `plan` takes: all but `execute`, which is the receding-horizon
    caller's (how many of a plan's steps to take before planning again)."""
    return {k: v for k, v in planner_settings(task).items() if k != "execute"}


@dataclass
class Plan:
    actions: np.ndarray  # [horizon * repeat, 2]: the best sequence seen, one action per step, in [-1, 1]
    energies: list[float]  # per iteration: the energy of the iteration's best sample
    mean_energies: list[float] = field(default_factory=list)  # per iteration: the elite mean energy
    samples: list[np.ndarray] = field(default_factory=list)  # per iteration: [K, horizon, 2] sampled actions (if kept)
    imagined: np.ndarray | None = None  # [horizon * repeat, L]: the latents the plan imagines
    decisions: np.ndarray | None = None  # [horizon, 2]: the searched decisions (each held `repeat` steps)


def energy(
    imagined: torch.Tensor, goal: torch.Tensor, final_weight: float = 1.0, mode: str = "mean", weights: torch.Tensor | None = None
) -> torch.Tensor:
    """[N, H, L] imagined latents, goal [L] -> [N]: squared distance to the goal at each step, summarised
    over the steps by `mode` ("mean": a plan that gets there early and stays is cheapest; "best": the
    closest it gets, so a detour costs nothing), plus the last step weighted `final_weight`.
    `weights` [L] weighs each latent dimension's squared difference (None: all 1)."""
    if mode not in ENERGIES:
        raise ValueError(f"unknown energy {mode!r}: use one of {', '.join(ENERGIES)}")
    sq = (imagined - goal) ** 2
    d = (sq if weights is None else sq * weights).sum(-1)  # [N, H]
    over_steps = d.mean(1) if mode == "mean" else d.min(1).values
    return over_steps + final_weight * d[:, -1]


def latent_weights(model, pose_weight: float) -> torch.Tensor | None:
    """Per-dimension energy weights: `pose_weight` on the keypoint (pose) part of a latent that has one,
    1 on the rest; None where every weight is 1."""
    pose = 2 * model.config.keypoints
    if not pose or pose_weight == 1.0:
        return None
    weights = torch.ones(model.config.latent_dim, device=model.device)
    weights[:pose] = float(pose_weight)
    return weights


def held(actions: torch.Tensor | np.ndarray, repeat: int):
    """[..., H, 2] decisions -> [..., H * repeat, 2] per-step actions, each decision held `repeat` steps."""
    if repeat == 1:
        return actions
    if isinstance(actions, np.ndarray):
        return np.repeat(actions, repeat, axis=-2)
    return actions.repeat_interleave(repeat, dim=-2)


def plan(
    model,
    frames: np.ndarray,
    actions: np.ndarray | None,
    goal_frame: np.ndarray,
    horizon: int = 5,
    samples: int = 300,
    iterations: int = 10,
    seed: int = 0,
    elite: int = 30,
    init_std: float = 0.8,
    history: int = 3,
    keep_samples: bool = False,
    init_mean: np.ndarray | None = None,
    on_iteration=None,
    repeat: int = 1,
    final_weight: float = 1.0,
    energy_mode: str = "mean",
    pose_weight: float = 1.0,
) -> Plan:
    """CEM towards `goal_frame` from the last frames.

    frames [K, S, S, 3] uint8 (the last one is now), actions [K-1, 2] (those between them; None: zeros),
    goal_frame [S, S, 3]. Returns the action sequence [horizon * repeat, 2] and the per-iteration energies.
    `repeat` holds each of the `horizon` sampled decisions for that many steps: the search stays as small
    as `horizon` decisions while the imagination looks `horizon * repeat` steps ahead (far enough to see
    the way through the door); `final_weight` weights the last imagined step in the energy and `energy_mode`
    summarises the others (see `energy`); `pose_weight` weighs the latent's keypoint part, if it has one.
    `init_mean` [horizon, 2] warm-starts the sampler (a receding-horizon caller passes the previous plan,
    shifted). `on_iteration(i, samples [K, horizon * repeat, 2], energies [K])` lets a view draw the samples live."""
    frames = np.asarray(frames)[-history:]
    k = len(frames)
    if actions is None or k == 1:
        past = np.zeros((k - 1, 2), np.float32)
    else:
        past = np.asarray(actions, np.float32).reshape(-1, 2)[-(k - 1) :]
    dev = model.device
    z = torch.from_numpy(model.encode(np.concatenate([frames, np.asarray(goal_frame)[None]]))).to(dev)
    hist, goal = z[:-1], z[-1]
    gen = torch.Generator().manual_seed(int(seed))
    mean = (
        torch.zeros(horizon, 2) if init_mean is None else torch.as_tensor(np.asarray(init_mean, np.float32)).reshape(horizon, 2)
    )
    std = torch.full((horizon, 2), float(init_std))
    # the history's prefix is the same for every sample and iteration: run it once
    prefix = model.imagine(hist[None], torch.from_numpy(past).to(dev)[None])
    weights = latent_weights(model, pose_weight)
    result = Plan(actions=np.zeros((horizon, 2), np.float32), energies=[])
    best_seq, best_e = mean.clone(), float("inf")
    for it in range(iterations):
        cand = (mean + std * torch.randn(samples, horizon, 2, generator=gen)).clamp(-1, 1)
        cand[0] = mean.clamp(-1, 1)  # the current mean always competes
        imagination = prefix.expand(samples)
        c = held(cand, repeat).to(dev)
        imagined = torch.stack([imagination.step(c[:, h]) for h in range(c.shape[1])], 1)
        e = energy(imagined, goal, final_weight, energy_mode, weights).cpu()
        order = torch.argsort(e)
        top = cand[order[:elite]]
        mean, std = top.mean(0), top.std(0).clamp_min(0.05)
        if float(e[order[0]]) < best_e:
            best_e, best_seq = float(e[order[0]]), cand[order[0]].clone()
        result.energies.append(float(e[order[0]]))
        result.mean_energies.append(float(e[order[:elite]].mean()))
        if keep_samples:
            result.samples.append(held(cand, repeat).numpy().copy())
        if on_iteration is not None:
            on_iteration(it, held(cand, repeat).numpy(), e.numpy())
    best_steps = held(best_seq, repeat)
    result.actions = best_steps.numpy().astype(np.float32)
    result.decisions = best_seq.numpy().astype(np.float32)
    result.imagined = (
        model.rollout_tensor(hist[None], torch.from_numpy(past).to(dev)[None], best_steps[None].to(dev))[0].cpu().numpy()
    )
    return result


def run_to_goal(
    model,
    world,
    goal_frame: np.ndarray,
    success,
    max_steps: int = 60,
    horizon: int = 5,
    samples: int = 300,
    iterations: int = 10,
    execute: int = 1,
    seed: int = 0,
    history: int = 3,
    repeat: int = 1,
    final_weight: float = 1.0,
    energy_mode: str = "mean",
    pose_weight: float = 1.0,
) -> tuple[bool, int]:
    """Receding-horizon control in `world`: plan, execute the first `execute` actions, re-plan; stop when
    `success(world.state)` or after `max_steps`. Returns (reached, steps taken)."""
    frames, actions = [world.render()], []
    prev = None
    for t in range(max_steps):
        if success(world.state):
            return True, t
        if t % execute == 0:
            p = plan(
                model, np.stack(frames[-history:]), np.array(actions[-(history - 1) :]) if actions else None, goal_frame,
                horizon=horizon, samples=samples, iterations=iterations, seed=seed * 100_003 + t, init_mean=prev,
                history=history, repeat=repeat, final_weight=final_weight, energy_mode=energy_mode,
                pose_weight=pose_weight,
            )  # fmt: skip
            queue = list(p.actions[:execute])
            prev = warm_start(p.decisions, execute // repeat)
        a = queue.pop(0)
        frames.append(world.step(a))
        actions.append(a)
    return bool(success(world.state)), max_steps


def warm_start(decisions: np.ndarray, done: int) -> np.ndarray:
    """The next plan's initial mean: the decisions not yet executed, then standing still."""
    return np.concatenate([decisions[done:], np.zeros((min(done, len(decisions)), 2), np.float32)])
