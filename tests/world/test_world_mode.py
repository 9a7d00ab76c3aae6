"""The Qt-free world-mode controller: driving, surprise, injection, imagination, planning, masking."""

import numpy as np
import pytest

from jepa_explorer.app.world_mode import EXECUTE, WorldModeController
from jepa_explorer.world.planning import PLANNER_SETTINGS
from tests.world.tiny import tiny_world_model


@pytest.fixture(scope="module")
def model():
    return tiny_world_model()


def test_driving_moves_the_agent_and_records_one_error_per_step(model):
    c = WorldModeController(model, seed=1_000_003)
    start = c.world.state.agent.copy()
    errors = [c.drive([1.0, 0.0]) for _ in range(3)] + [c.drive([0.0, 1.0]) for _ in range(3)]
    assert len(c.errors) == 6 and all(np.isfinite(errors))
    assert not np.allclose(c.world.state.agent, start)
    assert len(c.frames) == 7 and len(c.actions) == 6


def test_without_a_model_driving_still_works():
    c = WorldModeController(None, seed=3)
    assert np.isnan(c.drive([0.5, 0.5]))
    assert len(c.frames) == 2


def test_injected_teleport_is_recorded_at_its_step(model):
    c = WorldModeController(model, seed=1_000_004)
    for _ in range(4):
        c.drive([0.3, 0.0])
    before = c.world.state.obj.copy()
    c.inject("teleport")
    assert c.events == [(5, "teleport")]
    assert np.linalg.norm(c.world.state.obj - before) >= 8
    with pytest.raises(ValueError, match="unknown event"):
        c.inject("explode")


def test_imagine_leaves_the_world_unchanged_and_compares_with_reality(model):
    c = WorldModeController(model, seed=1_000_005)
    c.drive([0.5, 0.0])
    state = c.world.state.copy()
    result = c.imagine(np.tile([0.0, 1.0], (6, 1)))
    assert result.imagined.shape == (6, 16) and result.actual.shape == (6, 16)
    assert result.frames.shape == (6, 32, 32, 3) and result.decoded.shape == (6, 32, 32, 3)
    assert result.errors.shape == (6,) and (result.errors >= 0).all()
    assert result.pca_actual.shape == (7, 2) and np.allclose(result.pca_actual[0], result.pca_imagined[0])
    assert np.array_equal(c.world.state.agent, state.agent)


def test_plan_and_receding_horizon_execution(model):
    c = WorldModeController(model, seed=1_000_006)
    goal = c.goal_at(c.world.state.agent + 4 + 2)
    seen = []
    repeat = PLANNER_SETTINGS["repeat"]
    p = c.plan(goal, horizon=4, samples=24, iterations=3, on_iteration=lambda i, s, e: seen.append((i, s.shape, e.shape)))
    assert p.actions.shape == (4 * repeat, 2) and p.decisions.shape == (4, 2) and len(p.energies) == 3
    assert np.array_equal(p.actions, np.repeat(p.decisions, repeat, axis=0))  # each decision held `repeat` steps
    assert seen == [(i, (24, 4 * repeat, 2), (24,)) for i in range(3)]
    for k in range(EXECUTE):  # the plan's own actions, then a new plan from where they led
        c.execute_plan_step(horizon=4, samples=24, iterations=2)
        assert np.allclose(c.actions[-1], p.actions[k])
    assert c.plan_state is not p and c.plan_state.step == EXECUTE and len(c.plan_state.energies) == 2
    assert c.plan_state.steps_taken == EXECUTE and len(c.actions) == EXECUTE


def test_masking_hides_the_object_from_the_model_only(model):
    c = WorldModeController(model, seed=1_000_007)
    shown = c.model_frame(c.world.state)
    c.set_mask_object(True)
    hidden = c.model_frame(c.world.state)
    assert not np.array_equal(shown, hidden)
    assert np.array_equal(c.frame, shown)  # the view still shows the object
    assert c.decoded_prediction([0.0, 0.0]).shape == (32, 32, 3)


def test_a_drawn_path_becomes_full_speed_steps_along_it():
    from jepa_explorer.app.world_mode import SPEED, path_to_actions

    a = path_to_actions([(10.0, 5.0), (10.0, 9.5)], (5.0, 5.0))  # 5 px right, then 4.5 px down
    assert (np.linalg.norm(a, axis=1) <= 1 + 1e-6).all()
    assert np.allclose((a * SPEED).sum(0), [5.0, 4.5], atol=1e-4)  # the steps add up to the path's end
    assert len(a) == int(np.ceil(9.5 / SPEED))  # one step per SPEED px of path
    assert np.allclose(a[0], [1.0, 0.0]) and np.allclose(a[-1], [0.0, 0.5 / SPEED])  # the last step: the half px left
    assert len(path_to_actions([(30.0, 5.0), (30.0, 30.0), (1.0, 30.0)], (1.0, 5.0))) == 16  # capped
    assert path_to_actions([(5.0, 5.0)], (5.0, 5.0)).shape == (0, 2)


def test_a_plan_for_an_older_step_is_not_adopted_and_re_plans_warm_start(model):
    c = WorldModeController(model, seed=1_000_008)
    goal = c.goal_at(c.world.state.agent + 6)
    request = c.plan_request(goal, horizon=4, samples=16, iterations=2)
    assert request.step == 0 and request.init_mean is None and request.frames.shape == (1, 32, 32, 3)
    c.drive([1.0, 0.0])  # the world moved while the plan ran
    from jepa_explorer.app.world_mode import run_plan

    assert c.accept_plan(request, run_plan(model, request)) is None and c.plan_state is None
    state = c.plan(goal, horizon=4, samples=16, iterations=2)
    assert state.step == 1
    for _ in range(EXECUTE):
        c.execute_plan_step(replan=False)
    again = c.plan_request(goal, horizon=4, samples=16, iterations=2)
    done = EXECUTE // PLANNER_SETTINGS["repeat"]  # decisions carried out
    assert np.allclose(again.init_mean[: 4 - done], state.decisions[done:]) and np.allclose(again.init_mean[4 - done :], 0)
    assert again.seed != request.seed  # each re-plan samples afresh
    c.drive([0.0, 1.0])  # a key press: the plan was for a state that is gone
    assert c.plan_request(goal, horizon=4, samples=16, iterations=2).init_mean is None and c.plan_due()


def test_imagination_compares_against_what_the_masked_model_would_see(model):
    c = WorldModeController(model, seed=1_000_009)
    c.drive([0.5, 0.0])
    plain = c.imagine(np.tile([0.0, 1.0], (4, 1)))
    c.set_mask_object(True)
    masked = c.imagine(np.tile([0.0, 1.0], (4, 1)))
    assert np.array_equal(plain.frames, masked.frames)  # the real frames show the object either way
    assert not np.allclose(plain.actual, masked.actual)  # the model's view of them does not


def test_a_push_goal_plans_with_the_push_planner_and_keeps_it_when_re_planning(model):
    from jepa_explorer.world.planning import planner_settings

    c = WorldModeController(model, seed=1_000_010)
    goal = c.goal_at(c.world.state.obj + 6, "object")
    push = planner_settings("push")
    request = c.plan_request(goal, "push", samples=16, iterations=2)
    assert (request.task, request.energy_mode, request.horizon) == ("push", "best", push["horizon"])
    assert request.final_weight == push["final_weight"] and request.samples == 16
    assert c.plan_request(goal, samples=16, iterations=2).energy_mode == "mean"  # reaching is the default task
    state = c.plan(goal, "push", samples=16, iterations=2)
    assert state.task == "push" and len(state.decisions) == push["horizon"]
    for _ in range(EXECUTE + 1):  # past the first plan: the next one is for the same task
        c.execute_plan_step(samples=16, iterations=2)
    assert c.plan_state is not state and c.plan_state.task == "push" and len(c.plan_state.decisions) == push["horizon"]
    with pytest.raises(ValueError, match="unknown planner settings"):
        c.plan_request(goal, "push", samples=16, depth=3)


def test_an_object_goal_puts_the_agent_where_the_push_ends_and_is_reached_by_the_object_alone(model):
    from jepa_explorer.world.env import AGENT, OBJECT, WorldState

    c = WorldModeController(model, seed=1_000_010)
    c.world.reset(WorldState(agent=np.array([4.0, 14.0]), obj=np.array([10.0, 14.0])))  # open floor, room 1
    goal = c.goal_at(np.array([10.0, 14.0]) + OBJECT / 2 + [6.0, 0.0], "object")  # 6 px to the right
    assert np.allclose(goal.obj, [16.0, 14.0])
    assert np.allclose(goal.agent, goal.obj - [AGENT + 0.01, 0.0])  # touching it from the left
    c.plan(goal, "push", horizon=2, samples=8, iterations=1)
    c.world.reset(WorldState(agent=np.array([4.0, 20.0]), obj=goal.obj + 1.0))
    assert c.goal_reached()  # the object is there; the agent is elsewhere
    c.plan_state.task = "reach"
    assert not c.goal_reached()  # reaching asks for the agent
