"""Implausible-event injectors: trajectories in which physics breaks once, at a known step.

`inject(kind, seed, ...)` returns an `Event`: frames [length+1, S, S, 3], actions [length, 2] and
`break_step`, the index of the first frame that shows the break (frame t follows action t-1). From
`break_step` on, the broken fact persists (the object stays teleported, vanished or recoloured; the
agent stays on the far side of the wall it passed through) and physics runs normally again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jepa_explorer.world.data import Policy, random_state
from jepa_explorer.world.env import AGENT, OBJECT, OBJECT_COLOURS, SIZE, WALL, World, free_position

EVENTS = ("teleport", "through_wall", "vanish", "colour")
EVENT_LABELS = {
    "teleport": "object teleports",
    "through_wall": "agent passes through a wall",
    "vanish": "object vanishes",
    "colour": "object changes colour",
}


@dataclass
class Event:
    kind: str
    seed: int
    frames: np.ndarray
    actions: np.ndarray
    break_step: int


def _wall_start(world: World, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """An agent position a few pixels before the inner wall, clear of the door, and the action that walks
    it into the wall (the physics then holds it there)."""
    layout = world.layout
    across = 0 if layout.axis == "vertical" else 1
    along = 1 - across
    lo, hi = layout.door
    # along the wall, anywhere the agent's span misses the door and the outer walls
    choices = [v for v in np.arange(1.5, SIZE - 1.5 - AGENT, 0.5) if v + AGENT <= lo - 0.5 or v >= hi + 0.5]
    side = int(rng.integers(2))  # 0: start before the wall and walk forward; 1: start after it and walk back
    pos = np.zeros(2)
    pos[along] = float(rng.choice(choices))
    gap = rng.uniform(3.0, 6.0)
    pos[across] = layout.wall_at - AGENT - gap if side == 0 else layout.wall_at + WALL + gap
    action = np.zeros(2)
    action[across] = 1.0 if side == 0 else -1.0
    return pos, action


def inject(kind: str, seed: int, length: int = 16, break_at: int = 8, rng_seed: int = 0, broken: bool = True) -> Event:
    """A trajectory of `length` actions in world `seed` whose physics breaks at frame `break_at`.
    `broken=False` gives the same trajectory with physics intact (what should have happened)."""
    if kind not in EVENTS:
        raise ValueError(f"unknown event '{kind}': use one of {', '.join(EVENTS)}")
    if not 1 <= break_at <= length:
        raise ValueError(f"break_at must be in 1..{length}, got {break_at}")
    rng = np.random.default_rng([seed, rng_seed, EVENTS.index(kind), 11])
    world = World(seed)
    state = random_state(world, rng)
    state.obj_vel[:] = 0.0
    wall_action = None
    if kind == "through_wall":
        state.agent, wall_action = _wall_start(world, rng)
        along = 1 if world.layout.axis == "vertical" else 0
        for _ in range(200):  # off the agent's lane, so that the walk never touches the object
            state.obj = free_position(world.layout, rng, OBJECT, avoid=state.agent)
            if abs(state.obj[along] - state.agent[along]) > AGENT + OBJECT:
                break
    world.reset(state)
    policy = Policy(world, rng, "walk")
    frames, actions = [world.render()], []
    for t in range(1, length + 1):
        a = wall_action.copy() if wall_action is not None else policy()
        world.step(a)
        if t == break_at:
            state_rng = np.random.default_rng([seed, rng_seed, 13])  # the break's own draws: the walk stays the same
            if broken:
                _break(kind, world, state_rng, wall_action)
        frames.append(world.render())
        actions.append(np.asarray(a, np.float32))
    return Event(kind, seed, np.stack(frames), np.stack(actions).astype(np.float32), break_at)


def _break(kind: str, world: World, rng: np.random.Generator, wall_action) -> None:
    s = world.state
    if kind == "teleport":
        for _ in range(100):  # far enough that the jump is not a plausible slide
            pos = free_position(world.layout, rng, OBJECT, avoid=s.agent)
            if np.linalg.norm(pos - s.obj) >= 8:
                break
        s.obj, s.obj_vel = pos, np.zeros(2)
    elif kind == "vanish":
        s.obj_visible = False
    elif kind == "colour":
        s.obj_colour = int(rng.integers(1, len(OBJECT_COLOURS)))
    elif kind == "through_wall":
        layout = world.layout
        across = 0 if layout.axis == "vertical" else 1
        # from against the wall to just beyond it in one step: tunnelling through 2 px of wall
        if wall_action[across] > 0:
            s.agent[across] = layout.wall_at + WALL + 0.5
        else:
            s.agent[across] = layout.wall_at - AGENT - 0.5
