"""A procedural 2-D world for the world-model mode: two rooms joined by a door, a textured floor, an agent
driven by a clipped 2-D velocity and an object it can push, which slides with friction and stops at walls.

Everything is numpy and deterministic: the layout and the floor are functions of the seed, the physics a
function of the state and the action. Positions are in pixels of the rendered frame (top-left corners of
the square sprites, floats); `render(state)` draws any state, also ones the physics would never reach.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

SIZE = 32  # frame side in pixels: 32 px keeps the encoder at 16 tokens, see the world-tiny card
AGENT = 4  # sprite sides in pixels
OBJECT = 4
SPEED = 1.5  # pixels per step at |action| = 1
FRICTION = 0.75  # the object's velocity is multiplied by this every step after a push
SUBSTEP = 0.25  # collision resolution in pixels: nothing tunnels through a 2 px wall
WALL = 2  # inner wall thickness
DOOR = 9  # door width

AGENT_COLOUR = np.array([250, 220, 40], np.uint8)
OBJECT_COLOURS = np.array([[40, 90, 250], [230, 40, 200], [20, 200, 90]], np.uint8)  # 0 is the normal one
WALL_COLOUR = np.array([30, 30, 34], np.uint8)


@dataclass
class WorldState:
    """Agent and object positions (top-left, px) and velocities (px/step), the object's colour index and
    whether it is drawn. A small copyable record: `dataclasses.replace` makes a variant."""

    agent: np.ndarray = field(default_factory=lambda: np.zeros(2))
    agent_vel: np.ndarray = field(default_factory=lambda: np.zeros(2))
    obj: np.ndarray = field(default_factory=lambda: np.zeros(2))
    obj_vel: np.ndarray = field(default_factory=lambda: np.zeros(2))
    obj_colour: int = 0
    obj_visible: bool = True

    def copy(self) -> WorldState:
        return dataclasses.replace(
            self, agent=self.agent.copy(), agent_vel=self.agent_vel.copy(), obj=self.obj.copy(), obj_vel=self.obj_vel.copy()
        )

    def centres(self) -> np.ndarray:
        """[agent_x, agent_y, object_x, object_y] sprite centres in px (the probes' targets)."""
        return np.concatenate([self.agent + AGENT / 2, self.obj + OBJECT / 2])


@dataclass(frozen=True)
class Layout:
    """The walls of one seed: `solid` [SIZE, SIZE] bool (x = column, y = row), the inner wall's axis
    ('vertical' splits left/right), its position and the door's span along it."""

    solid: np.ndarray
    axis: str
    wall_at: int  # first pixel of the inner wall across its axis
    door: tuple[int, int]  # [start, end) along the wall

    def room_of(self, point) -> int:
        """0 for the room before the inner wall (left or top), 1 after it."""
        coord = point[0] if self.axis == "vertical" else point[1]
        return 0 if coord < self.wall_at + WALL / 2 else 1

    def door_centre(self) -> np.ndarray:
        along = (self.door[0] + self.door[1]) / 2
        across = self.wall_at + WALL / 2
        return np.array([across, along]) if self.axis == "vertical" else np.array([along, across])


@lru_cache(maxsize=4096)
def layout_for(seed: int) -> Layout:
    rng = np.random.default_rng([seed, 1])
    solid = np.zeros((SIZE, SIZE), bool)
    solid[0, :] = solid[-1, :] = solid[:, 0] = solid[:, -1] = True
    axis = "vertical" if rng.random() < 0.5 else "horizontal"
    wall_at = int(rng.integers(12, SIZE - 12 - WALL + 1))
    door_start = int(rng.integers(3, SIZE - 3 - DOOR))
    door = (door_start, door_start + DOOR)
    if axis == "vertical":
        solid[:, wall_at : wall_at + WALL] = True
        solid[door[0] : door[1], wall_at : wall_at + WALL] = False
    else:
        solid[wall_at : wall_at + WALL, :] = True
        solid[wall_at : wall_at + WALL, door[0] : door[1]] = False
    solid.setflags(write=False)
    return Layout(solid, axis, wall_at, door)


@lru_cache(maxsize=4096)
def floor_for(seed: int) -> np.ndarray:
    """The seed's background: each room its own tint, a low-contrast procedural texture, walls drawn in."""
    rng = np.random.default_rng([seed, 2])
    layout = layout_for(seed)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    tints = rng.uniform(110, 190, size=(2, 3)).astype(np.float32)
    freq = rng.uniform(0.3, 0.9, size=2)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    # stripes or checks plus fine noise: texture the encoder has to learn to look past
    pattern = np.sin(xx * freq[0] + phase[0]) * np.sin(yy * freq[1] + phase[1])
    noise = rng.normal(0, 1, (SIZE, SIZE)).astype(np.float32)
    second = (xx if layout.axis == "vertical" else yy) >= layout.wall_at + WALL / 2
    base = np.where(second[..., None], tints[1], tints[0])
    img = base + 14 * pattern[..., None] + 5 * noise[..., None]
    img[layout.solid] = WALL_COLOUR
    out = np.clip(img, 0, 255).astype(np.uint8)
    out.setflags(write=False)
    return out


def _paint(img: np.ndarray, pos: np.ndarray, side: int, colour: np.ndarray) -> None:
    """A square with anti-aliased edges, so that sub-pixel positions show in the frame."""
    x0, y0 = float(pos[0]), float(pos[1])
    cols = np.clip(np.minimum(np.arange(SIZE) + 1, x0 + side) - np.maximum(np.arange(SIZE), x0), 0, 1)
    rows = np.clip(np.minimum(np.arange(SIZE) + 1, y0 + side) - np.maximum(np.arange(SIZE), y0), 0, 1)
    cover = rows[:, None] * cols[None, :]
    ys, xs = np.nonzero(cover)
    if len(ys) == 0:
        return
    c = cover[ys, xs][:, None]
    img[ys, xs] = (img[ys, xs] * (1 - c) + colour * c).astype(np.uint8)


def render(state: WorldState, seed: int) -> np.ndarray:
    """The frame [SIZE, SIZE, 3] uint8 of `state` in the world of `seed`."""
    img = floor_for(seed).copy()
    if state.obj_visible:
        _paint(img, state.obj, OBJECT, OBJECT_COLOURS[state.obj_colour % len(OBJECT_COLOURS)])
    _paint(img, state.agent, AGENT, AGENT_COLOUR)
    return img


# ---------------------------------------------------------------- physics


def _box_hits(solid: np.ndarray, pos: np.ndarray, side: int) -> bool:
    """Whether a side×side box at `pos` overlaps a wall pixel (or leaves the frame)."""
    x0, y0 = pos
    if x0 < 0 or y0 < 0 or x0 + side > SIZE or y0 + side > SIZE:
        return True
    c0, c1 = int(np.floor(x0)), int(np.ceil(x0 + side))
    r0, r1 = int(np.floor(y0)), int(np.ceil(y0 + side))
    return bool(solid[r0:r1, c0:c1].any())


def pusher_spot(layout: Layout, goal: np.ndarray, direction) -> np.ndarray | None:
    """Where the agent stands once it has pushed the object to `goal` (top-left corners) along `direction`:
    flush against the object's side, behind it along the direction's larger component (pushes act along
    one axis at a time: a corner-to-corner touch moves nothing diagonally). None where that spot is inside
    a wall or off the frame, or `direction` is zero."""
    d = np.asarray(direction, float)
    if not d.any():
        return None
    axis = int(np.argmax(np.abs(d)))
    spot = np.asarray(goal, float).copy()
    spot[axis] -= np.sign(d[axis]) * (AGENT + 0.01)
    return None if _box_hits(layout.solid, spot, AGENT) else spot


def push_has_room(layout: Layout, obj: np.ndarray, direction) -> bool:
    """Whether the object at `obj` (top-left corner) can be pushed straight along `direction`: the agent fits
    behind it now and where the push ends, and the object fits at its end."""
    end = np.asarray(obj, float) + np.asarray(direction, float)
    if _box_hits(layout.solid, end, OBJECT):
        return False
    return pusher_spot(layout, obj, direction) is not None and pusher_spot(layout, end, direction) is not None


def _boxes_overlap(a: np.ndarray, a_side: int, b: np.ndarray, b_side: int) -> bool:
    return bool(a[0] < b[0] + b_side and b[0] < a[0] + a_side and a[1] < b[1] + b_side and b[1] < a[1] + a_side)


def physics_step(state: WorldState, action, layout: Layout) -> WorldState:
    """One step: the agent moves by its clipped velocity, axis by axis in small sub-steps; touching the
    object pushes it (both stop if the object is against a wall); then the object slides with friction."""
    s = state.copy()
    a = np.clip(np.asarray(action, np.float64).reshape(2), -1.0, 1.0)
    s.agent_vel = a * SPEED
    solid = layout.solid
    pushed = np.zeros(2)
    for axis in (0, 1):
        remaining = s.agent_vel[axis]
        while abs(remaining) > 1e-9:
            d = np.sign(remaining) * min(SUBSTEP, abs(remaining))
            trial = s.agent.copy()
            trial[axis] += d
            if _box_hits(solid, trial, AGENT):
                break
            if s.obj_visible and _boxes_overlap(trial, AGENT, s.obj, OBJECT):
                obj_trial = s.obj.copy()
                obj_trial[axis] += d
                if _box_hits(solid, obj_trial, OBJECT):
                    break  # the object is against a wall: the push stops here
                s.obj = obj_trial
                pushed[axis] = s.agent_vel[axis]
            s.agent = trial
            remaining -= d
    s.agent_vel = s.agent_vel.copy()
    if np.any(pushed):
        s.obj_vel = np.where(pushed != 0, pushed, s.obj_vel)
    else:
        s.obj = _slide(s, solid)
    return s


def _slide(s: WorldState, solid: np.ndarray) -> np.ndarray:
    """The object's free slide (mutates s.obj_vel): friction, then motion that stops at walls and at the agent."""
    s.obj_vel = s.obj_vel * FRICTION
    s.obj_vel[np.abs(s.obj_vel) < 0.05] = 0.0
    pos = s.obj.copy()
    for axis in (0, 1):
        remaining = s.obj_vel[axis]
        while abs(remaining) > 1e-9:
            d = np.sign(remaining) * min(SUBSTEP, abs(remaining))
            trial = pos.copy()
            trial[axis] += d
            if _box_hits(solid, trial, OBJECT) or _boxes_overlap(trial, OBJECT, s.agent, AGENT):
                s.obj_vel[axis] = 0.0  # stops dead at a wall
                break
            pos = trial
            remaining -= d
    return pos


def free_position(layout: Layout, rng: np.random.Generator, side: int, room: int | None = None, avoid=None) -> np.ndarray:
    """A random position where a side×side box touches no wall (in `room` if given, clear of `avoid`)."""
    for _ in range(1000):
        pos = rng.uniform(1, SIZE - 1 - side, size=2)
        if _box_hits(layout.solid, pos, side):
            continue
        if room is not None and layout.room_of(pos + side / 2) != room:
            continue
        if avoid is not None and np.linalg.norm(pos - avoid) < side + 2:
            continue
        return pos
    raise RuntimeError("no free position found")  # cannot happen with the fixed room sizes


class World:
    """`World(seed)`: `reset() -> frame`, `step(action) -> frame`, `state`, `render(state) -> frame`.

    The seed fixes the layout, the floor and the start; same seed and same actions give the same frames."""

    size = SIZE

    def __init__(self, seed: int = 0):
        self.seed = int(seed)
        self.layout = layout_for(self.seed)
        self.state = WorldState()
        self.reset()

    def reset(self, state: WorldState | None = None) -> np.ndarray:
        """Back to the seed's start (or to `state`); returns the frame."""
        if state is None:
            rng = np.random.default_rng([self.seed, 3])
            agent = free_position(self.layout, rng, AGENT)
            state = WorldState(agent=agent, obj=free_position(self.layout, rng, OBJECT, avoid=agent))
        self.state = state.copy()
        return self.render()

    def step(self, action) -> np.ndarray:
        self.state = physics_step(self.state, action, self.layout)
        return self.render()

    def render(self, state: WorldState | None = None) -> np.ndarray:
        return render(self.state if state is None else state, self.seed)
