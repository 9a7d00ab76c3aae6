"""The procedural world: determinism, physics facts and the implausible-event injectors."""

import numpy as np
import pytest

from jepa_explorer.world import EVENTS, SIZE, World, WorldState, inject, render
from jepa_explorer.world.data import Policy, batch, towards, trajectory
from jepa_explorer.world.env import AGENT, OBJECT, SUBSTEP, _box_hits, layout_for, push_has_room, pusher_spot


def _walk(seed: int, actions) -> np.ndarray:
    world = World(seed)
    return np.stack([world.reset()] + [world.step(a) for a in actions])


def test_same_seed_and_actions_give_the_same_frames():
    actions = np.random.default_rng(0).uniform(-1, 1, (40, 2))
    a, b = _walk(3, actions), _walk(3, actions)
    assert a.shape == (41, SIZE, SIZE, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert not np.array_equal(a, _walk(4, actions))  # another seed: another layout and floor


def test_layouts_vary_with_the_seed():
    layouts = [layout_for(s) for s in range(40)]
    assert {lay.axis for lay in layouts} == {"vertical", "horizontal"}
    assert len({(lay.axis, lay.wall_at, lay.door) for lay in layouts}) > 20


def test_actions_are_clipped_velocities():
    world = World(1)
    world.reset(WorldState(agent=np.array([5.0, 5.0]), obj=np.array([25.0, 25.0])))
    world.step([5.0, 0.0])  # clipped to 1: one SPEED step
    assert world.state.agent[0] == pytest.approx(6.5)
    assert world.state.agent_vel[0] == pytest.approx(1.5)


def _wall_setup(seed: int):
    """The agent before the inner wall, clear of the door, and the action into the wall."""
    world = World(seed)
    lay = world.layout
    across = 0 if lay.axis == "vertical" else 1
    along = 1 - across
    pos = np.zeros(2)
    pos[along] = 2.0 if lay.door[0] >= 2.0 + AGENT + 1 else SIZE - 2.0 - AGENT
    pos[across] = lay.wall_at - AGENT - 3
    world.reset(WorldState(agent=pos, obj=np.array([2.0, 2.0]) if pos[along] > 10 else np.array([SIZE - 7.0, SIZE - 7.0])))
    action = np.zeros(2)
    action[across] = 1.0
    return world, action, across


@pytest.mark.parametrize("seed", range(6))
def test_the_agent_cannot_pass_a_wall(seed):
    world, action, across = _wall_setup(seed)
    room = world.layout.room_of(world.state.agent + AGENT / 2)
    for _ in range(30):
        world.step(action)
        assert not _box_hits(world.layout.solid, world.state.agent, AGENT)
    assert world.layout.room_of(world.state.agent + AGENT / 2) == room
    # it stopped flush against the wall, not short of it
    assert world.layout.wall_at - (world.state.agent[across] + AGENT) < SUBSTEP + 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_the_door_is_passable(seed):
    world = World(seed)
    rng = np.random.default_rng(seed)
    start = world.layout.room_of(world.state.agent + AGENT / 2)
    target = world.layout.door_centre() * 2 - (world.state.agent + AGENT / 2)  # mirrored through the door
    target = np.clip(target, 4, SIZE - 4)
    for _ in range(80):
        world.step(towards(world, target, 0.0, rng))
        if world.layout.room_of(world.state.agent + AGENT / 2) != start:
            break
    assert world.layout.room_of(world.state.agent + AGENT / 2) != start


def test_a_pushed_object_slides_with_friction_and_stops_at_a_wall():
    world = World(2)
    lay = world.layout
    # find a free row in the first room and put agent and object side by side, heading for the outer wall
    state = WorldState(agent=np.array([8.0, 0.0]), obj=np.array([4.0 - 0.01, 0.0]))
    for y in np.arange(2.0, SIZE - 6, 0.5):
        state.agent[1] = state.obj[1] = y
        if not (_box_hits(lay.solid, state.agent, AGENT) or _box_hits(lay.solid, np.array([1.0, y]), OBJECT)):
            break
    state.obj[0] = state.agent[0] - OBJECT - 0.01
    world.reset(state)
    world.step([-1.0, 0.0])  # the push
    assert world.state.obj[0] < state.obj[0] - 1.0
    assert world.state.obj_vel[0] < 0
    for _ in range(20):
        world.step([0.0, 0.0])
    # friction brought it to rest against the left outer wall (pixel column 0), never into it
    assert world.state.obj_vel[0] == 0.0
    assert not _box_hits(lay.solid, world.state.obj, OBJECT)
    assert world.state.obj[0] == pytest.approx(1.0, abs=SUBSTEP + 1e-9)


def test_an_object_against_a_wall_blocks_the_push():
    world = World(2)
    state = world.state.copy()
    state.obj = np.array([1.0, 10.0])
    state.agent = np.array([1.0 + OBJECT + 0.01, 10.0])
    if _box_hits(world.layout.solid, state.agent, AGENT):
        pytest.skip("layout puts a wall there")
    world.reset(state)
    world.step([-1.0, 0.0])
    assert world.state.obj[0] == pytest.approx(1.0)
    assert world.state.agent[0] == pytest.approx(1.0 + OBJECT + 0.01)


def test_render_draws_any_state_including_impossible_ones():
    world = World(0)
    lay = world.layout
    inside_wall = np.array([lay.wall_at - 1.0, 10.0]) if lay.axis == "vertical" else np.array([10.0, lay.wall_at - 1.0])
    frame = render(WorldState(agent=inside_wall, obj=np.array([3.0, 3.0]), obj_visible=False), 0)
    x, y = (inside_wall + AGENT / 2).astype(int)
    assert tuple(frame[y, x]) == (250, 220, 40)  # the agent's colour, drawn over the wall
    assert np.array_equal(world.render(world.state), world.render())


def test_training_batches_are_a_function_of_seed_and_step():
    f1, a1, c1 = batch(4, 5, 0, 7)
    f2, a2, c2 = batch(4, 5, 0, 7)
    assert f1.shape == (4, 6, SIZE, SIZE, 3) and a1.shape == (4, 5, 2) and c1.shape == (4, 6, 4)
    assert np.array_equal(f1, f2) and np.array_equal(a1, a2)
    assert not np.array_equal(f1, batch(4, 5, 0, 8)[0])
    assert np.abs(a1).max() <= 1.0


def test_every_policy_moves_the_agent():
    for kind in ("walk", "goal", "push"):
        frames, actions, centres = trajectory(11, 20, np.random.default_rng(0), policy=kind)
        assert np.abs(np.diff(centres[:, :2], axis=0)).sum() > 5, kind
    world = World(0)
    assert Policy(world, np.random.default_rng(0), "push").kind == "push"


@pytest.mark.parametrize("kind", EVENTS)
def test_injectors_break_physics_at_the_stated_step(kind):
    for seed in (1_000_000, 1_000_001, 1_000_002):
        event = inject(kind, seed, length=12, break_at=6)
        intact = inject(kind, seed, length=12, break_at=6, broken=False)
        assert event.break_step == 6 and event.frames.shape == (13, SIZE, SIZE, 3)
        assert np.array_equal(event.actions, intact.actions)
        # identical up to the break, different from the break on
        assert np.array_equal(event.frames[:6], intact.frames[:6])
        assert not np.array_equal(event.frames[6], intact.frames[6])


def test_through_wall_puts_the_agent_in_the_other_room():
    for seed in (1_000_010, 1_000_011, 1_000_012, 1_000_013):
        event = inject("through_wall", seed, length=10, break_at=5)
        world = World(seed)
        frames = event.frames
        yellow = lambda f: np.argwhere((f == (250, 220, 40)).all(-1)).mean(0)[::-1]  # noqa: E731 (x, y)
        assert world.layout.room_of(yellow(frames[4])) != world.layout.room_of(yellow(frames[5]))


def test_unknown_event_is_refused():
    with pytest.raises(ValueError, match="unknown event"):
        inject("explode", 0)


def test_the_pusher_spot_is_behind_the_object_and_a_push_from_there_moves_it_that_way():
    world = World(2)  # rooms at rows 1-13 and 16-30, walls round them
    obj = np.array([14.0, 5.0])  # with room for the agent right, left, below and diagonally below
    assert np.allclose(pusher_spot(world.layout, obj, (6.0, 0.0)), obj - [AGENT + 0.01, 0])
    assert np.allclose(pusher_spot(world.layout, obj, (3.0, -6.0)), obj + [0, AGENT + 0.01])  # the larger component
    for direction in ((6.0, 0.0), (0.0, -6.0), (-6.0, 0.0)):
        start = WorldState(agent=pusher_spot(world.layout, obj, direction), obj=obj.copy())
        world.reset(start)
        for _ in range(3):
            world.step(np.sign(direction))
        moved = world.state.obj - obj
        assert (np.sign(moved) == np.sign(direction)).all() and np.abs(moved).max() > 1.0
    assert pusher_spot(world.layout, obj, (0.0, 0.0)) is None
    assert push_has_room(world.layout, obj, (6.0, 0.0)) and push_has_room(world.layout, obj, (-6.0, 0.0))
    assert not push_has_room(world.layout, obj, (0.0, 6.0))  # the object would end in the wall below the room
    assert not push_has_room(world.layout, obj, (0.0, -6.0))  # or off the frame above it
    assert not push_has_room(world.layout, np.array([1.0, 5.0]), (6.0, 0.0))  # no room behind it at the start
    assert pusher_spot(world.layout, np.array([1.0, obj[1]]), (6.0, 0.0)) is None  # off the frame
