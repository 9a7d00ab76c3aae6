"""The world-mode view: drive, surprise and injection, imagine, plan, object masking (pytest-qt)."""

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.world import WorldConfig, WorldDecoder, WorldEncoder, WorldPredictor
from jepa_explorer.world.model import WorldModel

TINY = WorldConfig(
    encoder=ViTConfig(img_size=32, patch_size=8, embed_dim=32, depth=1, num_heads=2),
    latent_dim=16, projector_dim=32, predictor_dim=32, predictor_depth=1, predictor_heads=2, max_history=8,
)  # fmt: skip


@pytest.fixture
def view(qtbot):
    from jepa_explorer.gui.world.view import WorldView

    torch.manual_seed(0)
    model = WorldModel(WorldEncoder(TINY).eval(), WorldPredictor(TINY).eval(), TINY, {}, "<tiny>", WorldDecoder(16, 32).eval())
    w = WorldView(model, seed=1_000_000)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.setFocus()
    return w


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


def test_inject_buttons_mark_the_event_on_the_strip_chart(view, qtbot):
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key_Right)
    view.actions_by_name["inject_teleport"].trigger()
    assert view.controller.events == [(4, "teleport")]
    assert len(view.surprise_events.data) == 1
    assert view.surprise_events.data[0]["x"] == 4


def test_imagine_shows_decoded_frames_errors_and_pca(view, qtbot):
    qtbot.keyClick(view, Qt.Key_Down)
    view.actions_by_name["imagine"].trigger()
    assert view.real_image.image.shape == (32, 32 * 12, 3)
    assert view.imag_image.image.shape == (32, 32 * 12, 3)
    assert len(view.horizon_curve.getData()[0]) == 12
    assert len(view.pca_actual.getData()[0]) == 13 and len(view.pca_imagined.getData()[0]) == 13
    assert view.controller.world.state.agent is not None and len(view.controller.actions) == 1  # the world did not move


def test_click_a_goal_then_plan_and_step(view, qtbot, monkeypatch):
    from jepa_explorer.app import world_mode

    original = world_mode.WorldModeController.plan
    monkeypatch.setattr(
        world_mode.WorldModeController,
        "plan",
        lambda self, goal, **kw: original(
            self, goal, samples=24, iterations=3, **{k: v for k, v in kw.items() if k not in ("samples", "iterations")}
        ),
    )  # noqa: E501
    view.set_goal((20.0, 20.0))
    assert view.goal_marker.data["x"].tolist() == [20.0]
    with qtbot.waitSignal(view.planned):
        view.actions_by_name["plan"].trigger()
    assert len(view.energy_curve.getData()[0]) == 3
    assert np.isfinite(view.plan_paths.getData()[0]).sum() > 0
    view.actions_by_name["step"].trigger()
    assert view.controller.plan_state.steps_taken == 1 and len(view.controller.actions) == 1


def test_masking_the_object_shows_the_models_guess(view):
    view.mask_box.setChecked(True)
    assert view.controller.mask_object
    assert view.imag_image.image.shape == (32, 32, 3)
    assert "Masked" in view.status.text()
