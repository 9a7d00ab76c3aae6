"""Exploratory trajectories for training and evaluating the world model.

Seeds are split by range so that evaluation never sees a training layout: training uses world seeds
[0, TRAIN_SEEDS), evaluation uses [HELD_OUT_START, ...), and choices (checkpoints, planner settings) are
made on [VALIDATION_START, ...) so that the card's numbers are not tuned on its own test worlds. Each
trajectory starts from a random state (agent and object anywhere free, sometimes with the object already
sliding) and follows one of three
policies: a smooth random walk, heading for a random point (through the door when it lies in the other
room), or heading for the object and pushing it.
"""

from __future__ import annotations

import numpy as np

from jepa_explorer.world.env import AGENT, OBJECT, SIZE, World, WorldState, free_position

TRAIN_SEEDS = 20_000
HELD_OUT_START = 1_000_000  # evaluation (test) worlds: never seen in training, never used to choose anything
VALIDATION_START = 2_000_000  # validation worlds: for choosing checkpoints and planner settings, not for the card
SPLIT_STARTS = {"train": 0, "held_out": HELD_OUT_START, "test": HELD_OUT_START, "validation": VALIDATION_START}


def random_state(world: World, rng: np.random.Generator) -> WorldState:
    agent = free_position(world.layout, rng, AGENT)
    obj = free_position(world.layout, rng, OBJECT, avoid=agent)
    vel = rng.uniform(-1.5, 1.5, size=2) if rng.random() < 0.25 else np.zeros(2)
    return WorldState(agent=agent, obj=obj, obj_vel=vel)


def towards(world: World, target: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """A clipped velocity from the agent's centre to `target` (a sprite centre), via the door's centre
    when the target is in the other room."""
    layout, here = world.layout, world.state.agent + AGENT / 2
    aim = target
    if layout.room_of(here) != layout.room_of(target):
        door = layout.door_centre()
        across = 0 if layout.axis == "vertical" else 1
        # line up with the door first, then go through it
        along = 1 - across
        if abs(here[along] - door[along]) > 1.5:
            aim = door.copy()
            aim[across] = here[across] + np.sign(door[across] - here[across]) * 0.5
        else:
            aim = door + np.eye(2)[across] * np.sign(target[across] - here[across]) * 4
    d = aim - here
    a = d / max(SPEED_SCALE, np.abs(d).max())
    return np.clip(a + rng.normal(0, noise, 2), -1, 1)


SPEED_SCALE = 1.5  # a target closer than this (px) gets a proportionally smaller step


class Policy:
    """One trajectory's exploration policy: 'walk', 'goal' or 'push' (see the module docstring)."""

    def __init__(self, world: World, rng: np.random.Generator, kind: str | None = None):
        self.world, self.rng = world, rng
        self.kind = kind or rng.choice(["walk", "goal", "push"], p=[0.4, 0.3, 0.3])
        self.prev = rng.uniform(-1, 1, 2)
        self.noise = rng.uniform(0.1, 0.6)
        self.goal = free_position(world.layout, rng, AGENT) + AGENT / 2

    def __call__(self) -> np.ndarray:
        rng = self.rng
        if self.kind == "walk":
            if rng.random() < 0.1:
                self.prev = rng.uniform(-1, 1, 2)  # an occasional sharp turn
            self.prev = np.clip(0.8 * self.prev + rng.normal(0, 0.45, 2), -1, 1)
            if rng.random() < 0.05:
                self.prev = np.zeros(2)  # standing still happens too
            return self.prev
        if self.kind == "push":
            return towards(self.world, self.world.state.obj + OBJECT / 2, self.noise, rng)
        if np.linalg.norm(self.world.state.agent + AGENT / 2 - self.goal) < 2:
            self.goal = free_position(self.world.layout, rng, AGENT) + AGENT / 2
        return towards(self.world, self.goal, self.noise, rng)


def trajectory(seed: int, length: int, rng: np.random.Generator, policy: str | None = None):
    """`length` actions in world `seed` from a random state: (frames [length+1, S, S, 3] uint8,
    actions [length, 2] float32, centres [length+1, 4] float32: agent and object sprite centres)."""
    world = World(seed)
    world.reset(random_state(world, rng))
    pol = Policy(world, rng, policy)
    frames, actions, centres = [world.render()], [], [world.state.centres()]
    for _ in range(length):
        a = pol()
        frames.append(world.step(a))
        actions.append(a)
        centres.append(world.state.centres())
    return np.stack(frames), np.asarray(actions, np.float32), np.asarray(centres, np.float32)


def batch(batch_size: int, length: int, seed: int, step: int, split: str = "train", worlds: int = 1):
    """A training batch, a function of (seed, step) only (so a resumed run sees the same data):
    frames [B, length+1, S, S, 3] uint8, actions [B, length, 2] float32, centres [B, length+1, 4].

    The batch holds `worlds` layouts with several trajectories each (the recipe uses one): SIGReg asks the
    batch's latents to spread out, and with one floor in a batch that spread has to come from where the
    agent and the object are, not from which floor is shown."""
    rng = np.random.default_rng([seed, step, 7])
    lo = SPLIT_STARTS[split]
    hi = lo + (TRAIN_SEEDS if split == "train" else 10_000)
    seeds = rng.integers(lo, hi, size=worlds)
    out = [trajectory(int(seeds[i % worlds]), length, rng) for i in range(batch_size)]
    return tuple(np.stack(parts) for parts in zip(*out))


def held_out_seeds(n: int, offset: int = 0, split: str = "test") -> list[int]:
    """n evaluation world seeds of `split` ("test": the card's, "validation": for making choices)."""
    return [SPLIT_STARTS[split] + offset + i for i in range(n)]


__all__ = ["SIZE", "TRAIN_SEEDS", "HELD_OUT_START", "VALIDATION_START", "trajectory", "batch", "held_out_seeds", "Policy"]
