"""World-model mode's view: a standalone widget over `app.world_mode.WorldModeController`.

Drive the agent with the arrow keys or WASD and watch the one-step prediction error; inject implausible
events and see the surprise spike; imagine under a held direction (decoded imagined frames beside the
real ones, error over the horizon, latent trajectory in PCA: actual solid, imagined dashed); click a goal
and plan with CEM (sampled trajectories and energy per iteration), then execute step by step or play;
hide the object from the model's context (C-JEPA's object masking).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from jepa_explorer.app.world_mode import WorldModeController
from jepa_explorer.gui.style import BAD, GOOD, MUTED, PANEL, TEXT, WARN

KEYS = {
    Qt.Key_Left: (-1.0, 0.0), Qt.Key_A: (-1.0, 0.0),
    Qt.Key_Right: (1.0, 0.0), Qt.Key_D: (1.0, 0.0),
    Qt.Key_Up: (0.0, -1.0), Qt.Key_W: (0.0, -1.0),
    Qt.Key_Down: (0.0, 1.0), Qt.Key_S: (0.0, 1.0),
}  # fmt: skip
IMAGINE_STEPS = 12
SURPRISE_WINDOW = 80  # steps shown in the strip chart
EVENT_COLOURS = {"teleport": BAD, "through_wall": WARN, "vanish": "#b48cff", "colour": "#4fc3f7"}


def _image_item() -> tuple[pg.ViewBox, pg.ImageItem]:
    box = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False)
    box.setMenuEnabled(False)
    item = pg.ImageItem(axisOrder="row-major")
    box.addItem(item)
    return box, item


class WorldView(QWidget):
    """The world mode as one widget; `controller` holds the state, this only shows it."""

    stepped = Signal(float)  # the one-step error after each drive / plan step (NaN without a model)
    planned = Signal(object)  # the PlanState once a plan is ready

    def __init__(self, model=None, seed: int = 1_000_000, parent=None):
        super().__init__(parent)
        self.controller = WorldModeController(model, seed)
        self.heading = np.array([1.0, 0.0], np.float32)  # the direction an imagination holds
        self.goal_move = "agent"
        self.error_px = 20  # the one-step error's type size (the window's presentation mode makes it larger)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setStyleSheet(f"background: {PANEL}; color: {TEXT};")
        self._build()
        self._play = QTimer(self, interval=120, timeout=self._play_tick)
        self.refresh()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(PANEL)
        self.world_box, self.world_image = _image_item()
        self.canvas.addItem(self.world_box, row=0, col=0)
        self.goal_marker = pg.ScatterPlotItem(size=18, symbol="x", pen=pg.mkPen(GOOD, width=3), brush=None)
        self.plan_paths = pg.PlotDataItem(pen=pg.mkPen(255, 255, 255, 40))
        self.world_box.addItem(self.plan_paths)
        self.world_box.addItem(self.goal_marker)
        self.canvas.scene().sigMouseClicked.connect(self._clicked)
        self.canvas.setMinimumSize(260, 260)
        self.canvas.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

        self.strip = pg.GraphicsLayoutWidget()
        self.strip.setBackground(PANEL)
        self.real_box, self.real_image = _image_item()
        self.imag_box, self.imag_image = _image_item()
        self.strip.addLabel("real", row=0, col=0, color=MUTED)
        self.strip.addItem(self.real_box, row=0, col=1)
        self.strip.addLabel("imagined", row=1, col=0, color=MUTED)
        self.strip.addItem(self.imag_box, row=1, col=1)
        self.strip.setMinimumHeight(120)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(PANEL)
        self.surprise_plot = self.plots.addPlot(row=0, col=0, colspan=3, title="surprise: one-step prediction error")
        self.surprise_curve = self.surprise_plot.plot(pen=pg.mkPen(TEXT, width=3))
        self.surprise_events = pg.ScatterPlotItem(size=16, pen=None)
        self.surprise_plot.addItem(self.surprise_events)
        self.surprise_plot.setLabel("bottom", "step")
        self.horizon_plot = self.plots.addPlot(row=1, col=0, title="imagination error by horizon")
        self.horizon_curve = self.horizon_plot.plot(pen=pg.mkPen(WARN, width=2), symbol="o", symbolSize=5)
        self.pca_plot = self.plots.addPlot(row=1, col=1, title="latent trajectory (PCA)")
        self.pca_actual = self.pca_plot.plot(pen=pg.mkPen(TEXT, width=2), symbol="o", symbolSize=5, name="actual")
        self.pca_imagined = self.pca_plot.plot(pen=pg.mkPen(WARN, width=2, style=Qt.DashLine), symbol="t", symbolSize=5)
        self.energy_plot = self.plots.addPlot(row=1, col=2, title="plan energy per CEM iteration")
        self.energy_curve = self.energy_plot.plot(pen=pg.mkPen(GOOD, width=2), symbol="o", symbolSize=5)
        self.energy_plot.setLabel("bottom", "iteration")

        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"font-size: {self.error_px}px; font-weight: bold;")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet(f"color: {MUTED};")

        buttons = QGridLayout()
        self.actions_by_name: dict[str, QAction] = {}
        row = [
            ("imagine", "Imagine", "I", f"roll the model {IMAGINE_STEPS} steps ahead holding the last direction", self.imagine),
            ("plan", "Plan", "P", "plan towards the goal (click the world to set it) with CEM", self.plan),
            ("step", "Step plan", "N", "execute the plan's first action, then plan again (receding horizon)", self.step_plan),
            ("play", "Play plan", "Space", "execute the plan step by step until the goal is reached", self.toggle_play),
            ("reset", "New world", "R", "a new held-out world", self.new_world),
        ]
        for i, (name, text, key, tip, slot) in enumerate(row):
            buttons.addWidget(self._button(name, text, key, tip, slot), 0, i)
        for i, (kind, label) in enumerate(self.controller.event_labels().items()):
            tip = f"inject: {label} in the next step; watch the surprise spike"
            buttons.addWidget(self._button(f"inject_{kind}", label.capitalize(), f"{i + 1}", tip, lambda _checked=False, k=kind: self.inject(k)), 1, i)
        self.mask_box = QCheckBox("Hide the object from the model (C-JEPA masking)")
        self.mask_box.toggled.connect(self.set_mask)
        self.push_box = QCheckBox("Goal moves the object")
        self.push_box.toggled.connect(lambda on: setattr(self, "goal_move", "object" if on else "agent"))
        buttons.addWidget(self.mask_box, 2, 0, 1, 3)
        buttons.addWidget(self.push_box, 2, 3, 1, 2)

        left = QVBoxLayout()
        left.addWidget(self.canvas, 3)
        left.addWidget(self.error_label)
        left.addWidget(self.strip, 1)
        right = QVBoxLayout()
        right.addWidget(self.plots, 1)
        right.addLayout(buttons)
        right.addWidget(self.status)
        top = QHBoxLayout(self)
        top.addLayout(left, 2)
        top.addLayout(right, 3)

    def _button(self, name: str, text: str, key: str, tip: str, slot) -> QPushButton:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setToolTip(f"{text} ({key}): {tip}")
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions_by_name[name] = action
        button = QPushButton(text)
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        button.setFocusPolicy(Qt.NoFocus)  # the arrow keys keep driving
        return button

    # ------------------------------------------------------------ input

    def keyPressEvent(self, event) -> None:
        action = KEYS.get(event.key())
        if action is None:
            return super().keyPressEvent(event)
        self.drive(action)

    def event(self, e) -> bool:
        # the arrow keys would otherwise move focus between buttons
        if e.type() == QEvent.KeyPress and e.key() in KEYS:
            self.keyPressEvent(e)
            return True
        return super().event(e)

    def _clicked(self, ev) -> None:
        point = self.world_box.mapSceneToView(ev.scenePos())
        size = self.controller.world.size
        if 0 <= point.x() < size and 0 <= point.y() < size:
            self.set_goal((point.x(), point.y()))

    # ------------------------------------------------------------ actions

    def drive(self, action) -> float:
        self.heading = np.asarray(action, np.float32)
        error = self.controller.drive(action)
        self.refresh()
        self.stepped.emit(error)
        return error

    def inject(self, kind: str) -> float:
        error = self.controller.inject(kind, self.heading * 0.0)
        self.refresh()
        self.stepped.emit(error)
        return error

    def set_mask(self, on: bool) -> None:
        self.controller.set_mask_object(on)
        self.refresh()
        decoded = self.controller.decoded_prediction()
        if decoded is not None:
            self.imag_image.setImage(decoded, levels=(0, 255))
            self.real_image.setImage(self.controller.frame, levels=(0, 255))
            self.status.setText("Masked: the model sees no object. Its decoded prediction shows whether it still knows where the object is."
                                if on else "The model sees the object again.")  # fmt: skip

    def imagine(self) -> None:
        if self.controller.model is None:
            self.status.setText("Imagination needs a world model (open checkpoints/world-tiny).")
            return
        result = self.controller.imagine(np.tile(self.heading, (IMAGINE_STEPS, 1)))
        self.real_image.setImage(np.concatenate(list(result.frames), axis=1), levels=(0, 255))
        if result.decoded is not None:
            self.imag_image.setImage(np.concatenate(list(result.decoded), axis=1), levels=(0, 255))
        self.horizon_curve.setData(np.arange(1, len(result.errors) + 1), result.errors)
        self.pca_actual.setData(result.pca_actual[:, 0], result.pca_actual[:, 1])
        self.pca_imagined.setData(result.pca_imagined[:, 0], result.pca_imagined[:, 1])
        self.last_imagined = result
        self.status.setText(f"Imagined {len(result.errors)} steps holding ({self.heading[0]:+.1f}, {self.heading[1]:+.1f}): "
                            f"error {result.errors[0]:.3f} at step 1, {result.errors[-1]:.3f} at step {len(result.errors)}.")  # fmt: skip

    def set_goal(self, position) -> None:
        self.goal = self.controller.goal_at(position, self.goal_move)
        centre = (self.goal.agent if self.goal_move == "agent" else self.goal.obj) + 2
        self.goal_marker.setData([centre[0]], [centre[1]])
        self.status.setText(f"Goal for the {self.goal_move} at ({position[0]:.0f}, {position[1]:.0f}): press Plan.")

    def plan(self) -> None:
        if self.controller.model is None or not hasattr(self, "goal"):
            self.status.setText("Click the world to set a goal first (a world model is needed to plan).")
            return
        state = self.controller.plan(self.goal, on_iteration=self._draw_samples)
        self._show_plan(state)
        self.planned.emit(state)

    def _draw_samples(self, iteration: int, samples: np.ndarray, energies: np.ndarray) -> None:
        """The sampled action sequences as agent paths (integrated velocities), best ones last."""
        start = self.controller.world.state.agent + 2
        order = np.argsort(energies)[:40]
        paths = start + np.cumsum(samples[order] * 1.5, axis=1)
        xs = np.concatenate([np.r_[start[0], p[:, 0], np.nan] for p in paths])
        ys = np.concatenate([np.r_[start[1], p[:, 1], np.nan] for p in paths])
        self.plan_paths.setData(xs, ys, connect="finite")

    def _show_plan(self, state) -> None:
        self.energy_curve.setData(np.arange(1, len(state.energies) + 1), state.energies)
        self.status.setText(f"Plan: {len(state.actions)} actions, energy {state.energies[0]:.2f} -> {state.energies[-1]:.2f} "
                            f"over {len(state.energies)} iterations; first action ({state.actions[0][0]:+.2f}, {state.actions[0][1]:+.2f}).")  # fmt: skip

    def step_plan(self) -> None:
        if self.controller.plan_state is None:
            self.plan()
            if self.controller.plan_state is None:
                return
        error = self.controller.execute_plan_step(on_iteration=self._draw_samples)
        self._show_plan(self.controller.plan_state)
        self.refresh()
        self.stepped.emit(error)
        if self.controller.goal_reached():
            self._play.stop()
            self.status.setText(f"Goal reached in {self.controller.plan_state.steps_taken} steps.")

    def toggle_play(self) -> None:
        if self._play.isActive():
            self._play.stop()
        else:
            self._play.start()

    def _play_tick(self) -> None:
        if self.controller.plan_state is None or self.controller.plan_state.steps_taken >= 60:
            self._play.stop()
            return
        self.step_plan()

    def new_world(self) -> None:
        self._play.stop()
        self.controller.reset(self.controller.seed + 1)
        self.goal_marker.setData([], [])
        self.plan_paths.setData([], [])
        self.energy_curve.setData([], [])
        if hasattr(self, "goal"):
            del self.goal
        self.refresh()

    # ------------------------------------------------------------ display

    def refresh(self) -> None:
        c = self.controller
        self.world_image.setImage(c.frame, levels=(0, 255))
        self.world_box.setRange(xRange=(0, c.world.size), yRange=(0, c.world.size), padding=0)
        errors = np.asarray(c.errors, float)
        first = max(0, len(errors) - SURPRISE_WINDOW)
        steps = np.arange(1, len(errors) + 1)
        self.surprise_curve.setData(steps[first:], np.nan_to_num(errors[first:]))
        spots = [{"pos": (s, np.nan_to_num(errors[s - 1])), "brush": pg.mkBrush(EVENT_COLOURS[k]), "symbol": "star"}
                 for s, k in c.events if s - 1 >= first]  # fmt: skip
        self.surprise_events.setData(spots)
        last = errors[-1] if len(errors) else float("nan")
        typical = np.nanmedian(errors[:-1]) if len(errors) > 3 else float("nan")
        colour = BAD if np.isfinite(typical) and last > 4 * typical else TEXT
        text = "one-step error: —" if not np.isfinite(last) else f"one-step error: {last:.4f}"
        self.error_label.setText(text)
        self.error_label.setStyleSheet(f"font-size: {self.error_px}px; font-weight: bold; color: {colour};")
