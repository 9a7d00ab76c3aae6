"""The world-mode view: drive (keys and dragging), surprise and injection, imagine along a drawn path, plan in
the worker (live samples, superseded requests, step and play), object masking (pytest-qt)."""

import threading

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from jepa_explorer.app import world_mode
from jepa_explorer.app.world_mode import EXECUTE, path_to_actions
from jepa_explorer.world.planning import PLANNER_SETTINGS
from tests.world.tiny import tiny_world_model

from .conftest import TIMEOUT_MS

SMALL_PLAN = {"horizon": 4, "samples": 24, "iterations": 3}


@pytest.fixture
def view(qtbot):
    from jepa_explorer.gui.world.view import WorldView

    w = WorldView(tiny_world_model(), seed=1_000_000)
    w.plan_settings = dict(SMALL_PLAN)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.setFocus()
    yield w
    w.shutdown()


def mouse(view, kind, x, y, button=Qt.LeftButton):
    """A press / move / release at world pixel (x, y) on the world canvas."""
    types = {"press": QEvent.MouseButtonPress, "move": QEvent.MouseMove, "release": QEvent.MouseButtonRelease}
    pos = QPointF(view.widget_point(x, y))
    buttons = Qt.NoButton if kind == "release" else button
    event = QMouseEvent(types[kind], pos, view.canvas.viewport().mapToGlobal(pos), button, buttons, Qt.NoModifier)
    QApplication.sendEvent(view.canvas.viewport(), event)


def agent_centre(view):
    return view.controller.world.state.agent + 2


def test_arrow_keys_and_wasd_drive_the_agent(view, qtbot):
    start = view.controller.world.state.agent.copy()
    with qtbot.waitSignal(view.stepped):
        qtbot.keyClick(view, Qt.Key_Right)
    qtbot.keyClick(view, Qt.Key_D)
    qtbot.keyClick(view, Qt.Key_S)
    assert len(view.controller.actions) == 3
    assert view.controller.actions[0].tolist() == [1.0, 0.0] and view.controller.actions[2].tolist() == [0.0, 1.0]
    assert not np.allclose(view.controller.world.state.agent, start)
    assert view.error_label.text().startswith("one-step error: ") and "—" not in view.error_label.text()
    xs, ys = view.surprise_curve.getData()
    assert len(xs) == 3 and np.isfinite(ys).all()
    assert len(view.drive_ms) == 3


def test_dragging_in_drive_mode_heads_the_agent_for_the_pointer(view, qtbot):
    assert view.mouse_mode == "drive"
    x, y = agent_centre(view)
    target = (float(x + 8 * np.sign(16 - x)), float(y))  # towards the middle: inside the world
    mouse(view, "press", *target)
    qtbot.waitUntil(lambda: len(view.controller.actions) >= 3, timeout=TIMEOUT_MS)
    mouse(view, "release", *target)
    steps = len(view.controller.actions)
    assert not view._drag_timer.isActive()
    first = view.controller.actions[0]
    assert np.allclose(first, [np.sign(16 - x), 0.0], atol=0.02)  # full speed towards the pointer
    qtbot.wait(3 * 90)  # released: the drag ticks stop (no step after it)
    assert len(view.controller.actions) == steps


def test_every_inject_button_marks_its_event_on_the_strip_chart(view, qtbot):
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key_Right)
    kinds = list(view.controller.event_labels())
    for kind in kinds:
        view.actions_by_name[f"inject_{kind}"].trigger()
    assert [k for _, k in view.controller.events] == kinds
    assert [s for s, _ in view.controller.events] == list(range(4, 4 + len(kinds)))
    assert view.surprise_events.data["x"].tolist() == list(range(4, 4 + len(kinds)))
    assert len(view.surprise_curve.getData()[0]) == 3 + len(kinds)


def test_a_drawn_path_is_imagined_in_the_worker_beside_what_really_happens(view, qtbot):
    qtbot.keyClick(view, Qt.Key_Down)
    view.set_mouse_mode("path")
    assert view.findChild(type(view.mouse_buttons.buttons()[0]), "mouse_path").isChecked()
    x, y = agent_centre(view)
    points = [(x + 3, y), (x + 6, y + 2), (x + 6, y + 6)]
    mouse(view, "press", x, y)
    for p in points:
        mouse(view, "move", *p)
    with qtbot.waitSignal(view.imagined, timeout=TIMEOUT_MS) as blocker:
        mouse(view, "release", *points[-1])
    result = blocker.args[0]
    want = path_to_actions(view.path, (x, y))
    assert len(want) >= 6 and np.allclose(result.actions, want, atol=1e-5)
    assert (np.linalg.norm(result.actions, axis=1) <= 1 + 1e-6).all()
    h = len(want)
    assert view.real_image.image.shape == (32, 6 * 33 - 1, 3) and view.imag_image.image.shape == (32, 6 * 33 - 1, 3)
    assert len(view.horizon_curve.getData()[0]) == h
    assert len(view.pca_actual.getData()[0]) == h + 1 and len(view.pca_imagined.getData()[0]) == h + 1
    assert len(view.controller.actions) == 1  # the world did not move
    assert len(view.path_curve.getData()[0]) == len(view.path) + 1  # the path is drawn from the agent
    assert "drawn path" in view.status.text()


def test_imagine_without_a_path_holds_the_last_direction(view, qtbot):
    qtbot.keyClick(view, Qt.Key_Left)
    with qtbot.waitSignal(view.imagined, timeout=TIMEOUT_MS) as blocker:
        view.actions_by_name["imagine"].trigger()
    assert blocker.args[0].actions.tolist() == [[-1.0, 0.0]] * 12
    assert len(view.horizon_curve.getData()[0]) == 12


def test_click_a_goal_then_plan_in_the_worker_with_samples_and_energies_live(view, qtbot):
    view.set_mouse_mode("goal")
    mouse(view, "press", 20.0, 20.0)
    mouse(view, "release", 20.0, 20.0)
    assert view.goal is not None and abs(view.goal_marker.data["x"][0] - 20.0) < 0.5
    progress = []
    view.worker.progress.connect(lambda kind, rid, payload: progress.append(payload[0]))
    with qtbot.waitSignal(view.planned, timeout=TIMEOUT_MS) as blocker:
        view.actions_by_name["plan"].trigger()
    assert progress == [0, 1, 2]
    view.set_mouse_mode("drive")  # the right button sets (and drags) the goal in every mode, and drives nothing
    mouse(view, "press", 8.0, 8.0, Qt.RightButton)
    mouse(view, "move", 10.0, 9.0, Qt.RightButton)
    mouse(view, "release", 10.0, 9.0, Qt.RightButton)
    assert abs(view.goal_marker.data["x"][0] - 10.0) < 0.5 and len(view.controller.actions) == 0
    steps = 4 * PLANNER_SETTINGS["repeat"]  # the card's planner holds each of the 4 decisions `repeat` steps
    assert blocker.args[0].actions.shape == (steps, 2)
    assert len(view.energy_curve.getData()[0]) == 3
    assert np.isfinite(view.plan_paths.getData()[0]).sum() > 0 and len(view.best_path.getData()[0]) == steps + 1


def test_a_new_plan_supersedes_the_running_one_and_the_ui_keeps_working(view, qtbot, monkeypatch):
    from jepa_explorer.gui.world import view as view_module

    release, finished = threading.Event(), []
    real = world_mode.run_plan

    def held_plan(model, request, on_iteration=None):
        if not finished and not release.is_set():
            release.wait(TIMEOUT_MS / 1000)  # the first plan holds the worker until the test lets it go
        result = real(model, request, on_iteration)
        finished.append(request.goal)
        return result

    monkeypatch.setattr(view_module, "run_plan", held_plan)
    adopted = []
    view.planned.connect(lambda state: adopted.append(state.goal))
    view.set_goal((6.0, 6.0))
    first_goal = view.goal
    view.plan()
    qtbot.waitUntil(lambda: view.worker.running is not None, timeout=TIMEOUT_MS)
    # the worker is busy: the UI still takes keys, draws and answers
    qtbot.keyClick(view, Qt.Key_Right)
    assert len(view.controller.actions) == 1 and len(view.surprise_curve.getData()[0]) == 1
    view.set_goal((24.0, 24.0))
    second_goal = view.goal
    view.plan()
    release.set()
    qtbot.waitUntil(lambda: bool(adopted) and view.worker.idle(), timeout=TIMEOUT_MS)
    assert adopted == [second_goal] and finished == [second_goal]  # the first stopped at its first report
    assert view.controller.plan_state.goal is second_goal and first_goal is not second_goal


def test_step_plans_then_executes_and_play_keeps_stepping_until_stopped(view, qtbot):
    view.set_goal((20.0, 20.0))
    with qtbot.waitSignal(view.stepped, timeout=TIMEOUT_MS):
        view.actions_by_name["step"].trigger()  # no plan yet: plan, then take its first action
    assert view.controller.plan_state.steps_taken == 1 and len(view.controller.actions) == 1
    plan = view.controller.plan_state
    assert view._plan_fresh() and view._plan_request.step == 0  # no re-plan before EXECUTE of its steps
    view.actions_by_name["step"].trigger()  # the plan's next action at once
    assert np.allclose(view.controller.actions[-1], plan.actions[1]) and len(view.controller.actions) == 2
    while len(view.controller.actions) < EXECUTE:
        view.actions_by_name["step"].trigger()
    assert view.controller.plan_state is plan and view._plan_request.step == EXECUTE  # then the next plan is asked
    view.actions_by_name["play"].trigger()
    assert view.playing
    qtbot.waitUntil(lambda: len(view.controller.actions) >= 5 or not view.playing, timeout=TIMEOUT_MS)
    view.actions_by_name["play"].trigger()
    assert not view.playing
    qtbot.waitUntil(view.worker.idle, timeout=TIMEOUT_MS)
    steps = len(view.controller.actions)
    assert view.controller.plan_state.steps_taken == steps
    qtbot.wait(2 * 120)
    assert len(view.controller.actions) == steps  # stopped: no more steps


def test_masking_the_object_shows_the_models_guess(view):
    view.mask_box.setChecked(True)
    assert view.controller.mask_object
    assert view.imag_image.image.shape == (32, 32, 3)
    assert "Masked" in view.status.text()


def test_new_world_forgets_goal_path_and_plan(view, qtbot):
    view.set_goal((20.0, 20.0))
    with qtbot.waitSignal(view.planned, timeout=TIMEOUT_MS):
        view.plan()
    seed = view.controller.seed
    view.actions_by_name["reset"].trigger()
    assert view.controller.seed == seed + 1 and view.goal is None and view.controller.plan_state is None
    assert len(view.plan_paths.getData()[0] if view.plan_paths.getData()[0] is not None else []) == 0


def test_a_goal_for_the_object_is_planned_with_the_push_planner(view, qtbot):
    from jepa_explorer.world.planning import planner_settings

    view.push_box.setChecked(True)
    obj = view.controller.world.state.obj
    view.set_goal(tuple(obj + [0.0, 6.0] + 2))  # 6 px down
    marks = view.goal_marker.data
    assert len(marks) == 2 and "ring" in view.status.text()  # the object's goal and where the agent ends the push
    assert np.allclose([marks["x"][1], marks["y"][1]], view.goal.agent + 2)
    view.push_box.setChecked(False)  # the goal keeps the task it was set for
    with qtbot.waitSignal(view.planned, timeout=TIMEOUT_MS) as blocker:
        view.plan()
    assert view._plan_request.task == "push" and view._plan_request.energy_mode == "best"
    assert blocker.args[0].task == "push" and np.allclose(view.goal.obj, obj + [0.0, 6.0])
    assert blocker.args[0].actions.shape == (SMALL_PLAN["horizon"] * planner_settings("push")["repeat"], 2)
    view.set_goal((20.0, 20.0))  # set with the box clear: the agent's goal, the reaching planner
    with qtbot.waitSignal(view.planned, timeout=TIMEOUT_MS):
        view.plan()
    assert view._plan_request.task == "reach" and view._plan_request.energy_mode == "mean"


def test_the_figure_demo_drives_injects_imagines_and_plans(view):
    from jepa_explorer.gui.world.demo import run_demo

    summary = run_demo(view)
    assert len(view.controller.actions) == 11 and view.controller.events == [(8, "teleport")]
    xs, ys = view.surprise_curve.getData()
    assert len(xs) == 11 and np.isfinite(ys).all()
    assert len(view.horizon_curve.getData()[0]) > 1  # the drawn path was imagined
    energies = view.energy_curve.getData()[1]
    assert len(energies) == SMALL_PLAN["iterations"] and view.controller.plan_state is not None
    assert summary.startswith("11 steps") and f"over {SMALL_PLAN['iterations']} iterations" in summary


def test_the_figure_demo_without_a_model_drives_and_injects_only(qtbot):
    from jepa_explorer.gui.world.demo import run_demo
    from jepa_explorer.gui.world.view import WorldView

    w = WorldView(None, seed=1_000_000)
    qtbot.addWidget(w)
    w.show()
    try:
        assert "no world model" in run_demo(w)
        assert len(w.controller.actions) == 11 and w.controller.events == [(8, "teleport")]
        assert len(w.horizon_curve.getData()[0] if w.horizon_curve.getData()[0] is not None else []) == 0
    finally:
        w.shutdown()
