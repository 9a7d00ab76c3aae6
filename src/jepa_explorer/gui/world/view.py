"""World-model mode's view: a standalone widget over `app.world_mode.WorldModeController`.

Drive the agent with the arrow keys or WASD, or by dragging on the world (the agent heads for the
pointer), and watch the one-step prediction error; inject implausible events and see the surprise spike;
draw a path on the world and the model imagines it (decoded imagined frames beside the real ones, error
over the horizon, latent trajectory in PCA: actual solid, imagined dashed); click a goal (Mouse: Goal, or
the right button in any mode) and plan with CEM
(sampled trajectories drawn live, energy per iteration), then execute step by step or play; hide the
object from the model's context (C-JEPA's object masking).

Plans and imaginations run in `gui.world.worker.WorldWorker` (latest request wins, results tagged with
their request id), so the window keeps painting and driving while CEM runs.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from jepa_explorer.app.world_mode import (
    MAX_IMAGINED,
    WorldModeController,
    path_to_actions,
    run_imagine,
    run_plan,
)
from jepa_explorer.gui.style import BAD, GOOD, MUTED, PANEL, TEXT, WARN
from jepa_explorer.gui.world.worker import WorldWorker
from jepa_explorer.world.env import SPEED

KEYS = {
    Qt.Key_Left: (-1.0, 0.0), Qt.Key_A: (-1.0, 0.0),
    Qt.Key_Right: (1.0, 0.0), Qt.Key_D: (1.0, 0.0),
    Qt.Key_Up: (0.0, -1.0), Qt.Key_W: (0.0, -1.0),
    Qt.Key_Down: (0.0, 1.0), Qt.Key_S: (0.0, 1.0),
}  # fmt: skip
IMAGINE_STEPS = 12  # the Imagine button's horizon when no path is drawn (it holds the last direction)
STRIP_FRAMES = 6  # frames shown per row of the real / imagined strip (evenly spaced over the horizon)
SURPRISE_WINDOW = 80  # steps shown in the strip chart
DRAG_STEP_MS = 90  # one driving step per tick while the pointer is held down in Drive
PLAY_STEP_MS = 120  # at least this long between executed plan steps while playing
PLAN_MAX_STEPS = 60  # playing stops after this many steps (the card's success budget)
PATHS_DRAWN = 40  # sampled plans drawn per iteration (the best ones)
MOUSE_MODES = (("drive", "Drive"), ("path", "Draw path"), ("goal", "Goal"))
SHORT_EVENT_NAMES = {"teleport": "Teleport", "through_wall": "Through wall", "vanish": "Vanish", "colour": "Recolour"}
EVENT_COLOURS = {"teleport": BAD, "through_wall": WARN, "vanish": "#b48cff", "colour": "#4fc3f7"}


def _image_item() -> tuple[pg.ViewBox, pg.ImageItem]:
    box = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False)
    box.setMenuEnabled(False)
    item = pg.ImageItem(axisOrder="row-major")
    box.addItem(item)
    return box, item


def strip_of(frames: np.ndarray, count: int = STRIP_FRAMES) -> tuple[np.ndarray, np.ndarray]:
    """Up to `count` frames evenly spaced over the horizon (the last one always), side by side with a dark
    1 px gap; returns the image and the steps shown (1-based)."""
    steps = np.unique(np.linspace(0, len(frames) - 1, min(count, len(frames))).round().astype(int))
    size = frames.shape[1]
    out = np.full((size, len(steps) * (size + 1) - 1, 3), 20, np.uint8)
    for i, t in enumerate(steps):
        out[:, i * (size + 1) : i * (size + 1) + size] = frames[t]
    return out, steps + 1


class WorldView(QWidget):
    """The world mode as one widget; `controller` holds the state, this only shows it."""

    stepped = Signal(float)  # the one-step error after each drive / plan step (NaN without a model)
    planned = Signal(object)  # the PlanState once a plan is adopted
    imagined = Signal(object)  # the Imagined once shown

    def __init__(self, model=None, seed: int = 1_000_000, parent=None):
        super().__init__(parent)
        self.controller = WorldModeController(model, seed)
        self.heading = np.array([1.0, 0.0], np.float32)  # the direction the Imagine button holds
        self.goal_move = "agent"
        self.goal_task = "reach"
        self.goal = None  # the WorldState to plan towards
        self.mouse_mode = "drive"
        self.path: list[tuple[float, float]] = []  # the drawn path (world px)
        self.error_px = 20  # the one-step error's type size (the window's presentation mode makes it larger)
        self.drive_ms: list[float] = []  # how long each drive held the UI thread (the status bar shows the last)
        self.plan_ms: float | None = None  # the last adopted plan's time from asking to its answer
        self._plan_started = 0.0
        self.playing = False
        self.plan_settings: dict = {}  # overrides of the card's planner for the task (tests make CEM small)
        self.last_imagined = None
        self._execute_next = False  # take the next plan's first action when it arrives (Step without a fresh plan)
        self._plan_request = None  # the PlanRequest the worker is on
        self._live_energies: list[float] = []
        self._gesture: str | None = None  # what the held mouse button does: "drive", "path" or "goal"
        self._pointer = None  # the held pointer in world px (Drive)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setStyleSheet(f"background: {PANEL}; color: {TEXT};")
        self.worker = WorldWorker(self)
        self.worker.progress.connect(self._on_progress)
        self.worker.done.connect(self._on_done)
        self.worker.failed.connect(self._on_failed)
        self._build()
        self._drag_timer = QTimer(self, interval=DRAG_STEP_MS, timeout=self._drag_tick)
        self._play_timer = QTimer(self, singleShot=True, interval=PLAY_STEP_MS, timeout=self._play_tick)
        self.refresh()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(PANEL)
        self.world_box, self.world_image = _image_item()
        self.canvas.addItem(self.world_box, row=0, col=0)
        self.goal_marker = pg.ScatterPlotItem(size=18, symbol="x", pen=pg.mkPen(GOOD, width=3), brush=None)
        self.plan_paths = pg.PlotDataItem(pen=pg.mkPen(255, 255, 255, 50))
        self.best_path = pg.PlotDataItem(pen=pg.mkPen(GOOD, width=2))
        self.path_curve = pg.PlotDataItem(pen=pg.mkPen(WARN, width=2, style=Qt.DashLine))
        for item in (self.plan_paths, self.best_path, self.path_curve, self.goal_marker):
            self.world_box.addItem(item)
        self.canvas.viewport().installEventFilter(self)
        self.canvas.setMinimumSize(260, 260)
        self.canvas.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

        self.strip = pg.GraphicsLayoutWidget()
        self.strip.setBackground(PANEL)
        self.real_box, self.real_image = _image_item()
        self.imag_box, self.imag_image = _image_item()
        # labels above the rows, not beside them: the frames get the column's whole width
        self.strip_title = self.strip.addLabel("draw a path or press Imagine", row=0, col=0, color=MUTED)
        self.strip_labels = [self.strip_title, self.strip.addLabel("what really happens", row=1, col=0, color=MUTED)]
        self.strip.addItem(self.real_box, row=2, col=0)
        self.strip_labels.append(self.strip.addLabel("what the model imagines (decoded)", row=3, col=0, color=MUTED))
        self.strip.addItem(self.imag_box, row=4, col=0)
        self.strip.setMinimumHeight(120)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(PANEL)
        self.surprise_plot = self.plots.addPlot(row=0, col=0, colspan=3, title="surprise: one-step prediction error")
        self.surprise_curve = self.surprise_plot.plot(pen=pg.mkPen(TEXT, width=3))
        self.surprise_events = pg.ScatterPlotItem(size=16, pen=None)
        self.surprise_plot.addItem(self.surprise_events)
        self.surprise_plot.setLabel("bottom", "step")
        self.horizon_plot = self.plots.addPlot(row=1, col=0, title="imagined error by step")
        self.horizon_curve = self.horizon_plot.plot(pen=pg.mkPen(WARN, width=2), symbol="o", symbolSize=5)
        self.pca_plot = self.plots.addPlot(row=1, col=1, title="latent path (PCA)")
        self.pca_actual = self.pca_plot.plot(pen=pg.mkPen(TEXT, width=2), symbol="o", symbolSize=5, name="actual")
        self.pca_imagined = self.pca_plot.plot(pen=pg.mkPen(WARN, width=2, style=Qt.DashLine), symbol="t", symbolSize=5)
        self.energy_plot = self.plots.addPlot(row=1, col=2, title="plan energy")
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
            ("imagine", "Imagine", "I", "imagine the drawn path (or the last direction) beside reality", self.imagine),
            ("plan", "Plan", "P", "plan towards the goal (click the world in Goal to set it) with CEM", self.plan),
            ("step", "Step plan", "N", "execute the plan's first action, then plan again (receding horizon)", self.step_plan),
            ("play", "Play plan", "Space", "execute the plan step by step until the goal is reached", self.toggle_play),
            ("reset", "New world", "R", "a new held-out world", self.new_world),
        ]
        for i, (name, text, key, tip, slot) in enumerate(row):
            buttons.addWidget(self._button(name, text, key, tip, slot), 0, i)
        for i, (kind, label) in enumerate(self.controller.event_labels().items()):
            tip = f"inject: {label} in the next step; watch the surprise spike"
            text = SHORT_EVENT_NAMES.get(kind, label)
            buttons.addWidget(
                self._button(f"inject_{kind}", text, f"{i + 1}", tip, lambda _checked=False, k=kind: self.inject(k)), 1, i
            )
        self.mouse_buttons = QButtonGroup(self)
        mouse_row = QHBoxLayout()
        mouse_row.addWidget(QLabel("Mouse:"), 0)
        tips = {"drive": "drag on the world: the agent heads for the pointer",
                "path": "drag a path from the agent: the model imagines it, beside what really happens",
                "goal": "click (or drag) the goal for planning; the right button does this in every mode"}  # fmt: skip
        for name, text in MOUSE_MODES:
            button = QPushButton(text)
            button.setCheckable(True)
            button.setChecked(name == self.mouse_mode)
            button.setToolTip(tips[name])
            button.setFocusPolicy(Qt.NoFocus)
            button.setObjectName(f"mouse_{name}")
            button.toggled.connect(lambda on, n=name: on and self.set_mouse_mode(n))
            self.mouse_buttons.addButton(button)
            mouse_row.addWidget(button, 1)
        buttons.addLayout(mouse_row, 2, 0, 1, 5)
        self.mask_box = QCheckBox("Hide object from model (C-JEPA)")
        self.mask_box.setToolTip("The model sees frames without the object; does its decoded prediction still put it there?")
        self.mask_box.toggled.connect(self.set_mask)
        self.push_box = QCheckBox("Goal moves object")
        self.push_box.toggled.connect(lambda on: setattr(self, "goal_move", "object" if on else "agent"))
        buttons.addWidget(self.mask_box, 3, 0, 1, 3)
        buttons.addWidget(self.push_box, 3, 3, 1, 2)

        left = QVBoxLayout()
        left.addWidget(self.canvas, 3)
        left.addWidget(self.error_label)
        left.addWidget(self.strip, 2)
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

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def pause(self) -> None:
        """Stop playing and driving by the pointer (the window leaves world mode)."""
        self.playing = False
        self._execute_next = False
        self._play_timer.stop()
        self._drag_timer.stop()
        self._gesture = None
        self._pointer = None

    def shutdown(self) -> None:
        """Pause, and end the worker thread (the view closes)."""
        self.pause()
        self.worker.shutdown()

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

    def set_mouse_mode(self, name: str) -> None:
        """What a drag on the world does: "drive", "path" (draw a path to imagine) or "goal"."""
        self.mouse_mode = name
        for button in self.mouse_buttons.buttons():
            if button.objectName() == f"mouse_{name}" and not button.isChecked():
                button.setChecked(True)

    def world_point(self, widget_pos) -> tuple[float, float]:
        """A position on the canvas's viewport in world pixels."""
        point = self.world_box.mapSceneToView(self.canvas.mapToScene(widget_pos.toPoint()))
        return float(point.x()), float(point.y())

    def widget_point(self, x: float, y: float):
        """The viewport position of world pixel (x, y) (tests drag with it)."""
        return self.canvas.mapFromScene(self.world_box.mapViewToScene(QPointF(x, y)))

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if watched is not self.canvas.viewport() or kind not in (
            QEvent.MouseButtonPress, QEvent.MouseMove, QEvent.MouseButtonRelease
        ):  # fmt: skip
            return super().eventFilter(watched, event)
        if kind == QEvent.MouseButtonPress and event.button() in (Qt.LeftButton, Qt.RightButton):
            # the left button does what the Mouse row says; the right one always sets (or drags) the goal
            self._gesture = "goal" if event.button() == Qt.RightButton else self.mouse_mode
            self.setFocus()
            self._press(self.world_point(event.position()))
            return True
        if kind == QEvent.MouseMove and self._gesture is not None:
            self._move(self.world_point(event.position()))
            return True
        if kind == QEvent.MouseButtonRelease and self._gesture is not None:
            self._release(self.world_point(event.position()))
            self._gesture = None
            return True
        return False

    def _inside(self, point) -> tuple[float, float]:
        size = self.controller.world.size
        return float(np.clip(point[0], 0, size - 1e-3)), float(np.clip(point[1], 0, size - 1e-3))

    def _press(self, point) -> None:
        point = self._inside(point)
        if self._gesture == "drive":
            self._pointer = point
            self._drag_tick()
            self._drag_timer.start()
        elif self._gesture == "path":
            self.path = [point]
            self._show_path()
        else:
            self.set_goal(point)

    def _move(self, point) -> None:
        point = self._inside(point)
        if self._gesture == "drive":
            self._pointer = point
        elif self._gesture == "path":
            if not self.path or np.hypot(point[0] - self.path[-1][0], point[1] - self.path[-1][1]) >= 0.5:
                self.path.append(point)
                self._show_path()
        else:
            self.set_goal(point)  # dragging the goal

    def _release(self, point) -> None:
        self._move(point)
        if self._gesture == "drive":
            self._drag_timer.stop()
            self._pointer = None
        elif self._gesture == "path":
            self.imagine_path(self.path)

    def _drag_tick(self) -> None:
        """Drive one step towards the held pointer, at most full speed."""
        if self._pointer is None:
            self._drag_timer.stop()
            return
        agent = self.controller.world.state.agent + 2
        move = (np.asarray(self._pointer) - agent) / SPEED
        if np.linalg.norm(move) < 0.3:
            return  # there: no step, no error point
        self.drive(move / max(1.0, float(np.linalg.norm(move))))

    # ------------------------------------------------------------ driving and events

    def drive(self, action) -> float:
        start = time.perf_counter()
        action = np.asarray(action, np.float32)
        if np.any(action):
            self.heading = action
        if self.path:  # a drawn path starts at the agent: driving away leaves it behind
            self.path = []
        error = self.controller.drive(action)
        self.refresh()
        self.drive_ms.append((time.perf_counter() - start) * 1e3)
        self.stepped.emit(error)
        return error

    def inject(self, kind: str) -> float:
        error = self.controller.inject(kind, (0.0, 0.0))
        self.refresh()
        self.stepped.emit(error)
        name = self.controller.event_labels()[kind]
        self.status.setText(f"Injected: {name}. " + ("" if not np.isfinite(error) else f"One-step error {error:.4f}."))
        return error

    def set_mask(self, on: bool) -> None:
        self.controller.set_mask_object(on)
        self.refresh()
        decoded = self.controller.decoded_prediction()
        if decoded is not None:
            self.imag_image.setImage(decoded, levels=(0, 255))
            self.real_image.setImage(self.controller.frame, levels=(0, 255))
            self.strip_title.setText("now, and the model's decoded guess of the next frame")
            self.status.setText("Masked: the model sees no object. Its decoded prediction "
                                "shows whether it still knows where the object is."
                                if on else "The model sees the object again.")  # fmt: skip

    # ------------------------------------------------------------ imagination

    def _show_path(self) -> None:
        if not self.path:
            self.path_curve.setData([], [])
            return
        agent = self.controller.world.state.agent + 2
        xs, ys = zip(*([tuple(agent)] + self.path))
        self.path_curve.setData(list(xs), list(ys))

    def imagine(self) -> int | None:
        """Imagine the drawn path, or IMAGINE_STEPS steps holding the last direction when none is drawn."""
        if self.path:
            return self.imagine_path(self.path)
        return self.imagine_actions(np.tile(self.heading, (IMAGINE_STEPS, 1)))

    def imagine_path(self, points) -> int | None:
        self.path = [tuple(map(float, p)) for p in points]
        self._show_path()
        actions = path_to_actions(points, self.controller.world.state.agent + 2, MAX_IMAGINED)
        if not len(actions):
            self.status.setText("Draw a longer path from the agent (Mouse: Draw path).")
            return None
        return self.imagine_actions(actions)

    def imagine_actions(self, actions) -> int | None:
        """Ask the worker to imagine `actions` [H, 2] from now; returns the request id."""
        if self.controller.model is None:
            self.status.setText("Imagination needs a world model (open checkpoints/world-tiny).")
            return None
        request = self.controller.imagine_request(actions)
        model = self.controller.model
        self.status.setText(f"Imagining {len(request.actions)} steps…")
        return self.worker.submit("imagine", lambda report: run_imagine(model, request))

    def _show_imagined(self, result) -> None:
        real, steps = strip_of(result.frames)
        self.real_image.setImage(real, levels=(0, 255))
        if result.decoded is not None:
            self.imag_image.setImage(strip_of(result.decoded)[0], levels=(0, 255))
        shown = ", ".join(str(t) for t in steps)
        self.strip_title.setText(f"steps {shown} of {len(result.errors)}")
        self.horizon_curve.setData(np.arange(1, len(result.errors) + 1), result.errors)
        self.pca_actual.setData(result.pca_actual[:, 0], result.pca_actual[:, 1])
        self.pca_imagined.setData(result.pca_imagined[:, 0], result.pca_imagined[:, 1])
        self.last_imagined = result
        how = "along the drawn path" if self.path else f"holding ({self.heading[0]:+.1f}, {self.heading[1]:+.1f})"
        self.status.setText(f"Imagined {len(result.errors)} steps {how}: error {result.errors[0]:.3f} at step 1, "
                            f"{result.errors[-1]:.3f} at step {len(result.errors)}.")  # fmt: skip
        self.imagined.emit(result)

    # ------------------------------------------------------------ planning

    def set_goal(self, position) -> None:
        self.goal = self.controller.goal_at(position, self.goal_move)
        self.goal_task = "push" if self.goal_move == "object" else "reach"  # the planner it was set for
        centre = (self.goal.agent if self.goal_move == "agent" else self.goal.obj) + 2
        spots = [{"pos": centre, "symbol": "x", "size": 18}]
        where = ""
        if self.goal_task == "push" and not np.allclose(self.goal.agent, self.controller.world.state.agent):
            spots.append({"pos": self.goal.agent + 2, "symbol": "o", "size": 10})  # the goal frame shows it there
            where = " (the ring: where the agent ends the push)"
        self.goal_marker.setData(spots)
        self.status.setText(f"Goal for the {self.goal_move} at ({position[0]:.0f}, {position[1]:.0f}){where}: press Plan.")

    def plan(self) -> int | None:
        """Ask the worker for a plan from now towards the goal; returns the request id."""
        if self.controller.model is None or self.goal is None:
            self.status.setText("Right-click the world (or click it in Mouse: Goal) to set a goal first; "
                                "planning needs a world model.")  # fmt: skip
            return None
        request = self.controller.plan_request(self.goal, self.goal_task, **self.plan_settings)
        model = self.controller.model
        self._plan_request = request
        self._live_energies = []
        self.energy_curve.setData([], [])

        def job(report, request=request):
            return run_plan(model, request, on_iteration=lambda i, samples, energies: report((i, samples, energies)))

        self.status.setText("Planning…" if not self.playing else self.status.text())
        self._plan_started = time.perf_counter()
        return self.worker.submit("plan", job)

    def _draw_samples(self, iteration: int, samples: np.ndarray, energies: np.ndarray, start=None) -> None:
        """The sampled action sequences as agent paths (integrated velocities), the best one bright."""
        start = self.controller.world.state.agent + 2 if start is None else np.asarray(start)
        order = np.argsort(energies)[:PATHS_DRAWN]
        size = self.controller.world.size  # walls are not simulated here: at least the paths stay in the world
        paths = np.clip(start + np.cumsum(samples[order] * SPEED, axis=1), 0, size)
        xs = np.concatenate([np.r_[start[0], p[:, 0], np.nan] for p in paths])
        ys = np.concatenate([np.r_[start[1], p[:, 1], np.nan] for p in paths])
        self.plan_paths.setData(xs, ys, connect="finite")
        self.best_path.setData(np.r_[start[0], paths[0][:, 0]], np.r_[start[1], paths[0][:, 1]])

    def _show_plan(self, state) -> None:
        self.energy_curve.setData(np.arange(1, len(state.energies) + 1), state.energies)
        self.status.setText(f"Plan: {len(state.actions)} actions, energy {state.energies[0]:.2f} -> {state.energies[-1]:.2f} "
                            f"over {len(state.energies)} iterations; first action "
                            f"({state.actions[0][0]:+.2f}, {state.actions[0][1]:+.2f}).")  # fmt: skip

    def _plan_fresh(self) -> bool:
        """A plan for this goal with an action due before the next plan (receding horizon: EXECUTE steps)."""
        state = self.controller.plan_state
        return state is not None and state.goal is self.goal and not self.controller.plan_due()

    def step_plan(self) -> None:
        """Receding horizon: take the plan's next action (planning again after EXECUTE of them); without a
        plan, plan first."""
        if self.goal is None or self.controller.model is None:
            self.plan()
            return
        if not self._plan_fresh():
            self._execute_next = True
            asked = self._plan_request
            if asked is None or asked.goal is not self.goal or asked.step != len(self.controller.actions):
                self.plan()  # else the plan on its way is for now: it is taken when it comes
            return
        self._take_planned_step()

    def _take_planned_step(self) -> None:
        state = self.controller.plan_state
        self.drive(state.take())
        if self.controller.goal_reached():
            self.playing = False
            self.status.setText(f"Goal reached in {state.steps_taken} steps.")
            return
        if self.playing and state.steps_taken >= PLAN_MAX_STEPS:
            self.playing = False
            self.status.setText(f"Stopped after {PLAN_MAX_STEPS} steps without reaching the goal.")
            return
        if self.controller.plan_due():
            self.plan()  # the next plan, warm-started from what is left of this one
        elif self.playing:
            self._play_timer.start()

    def toggle_play(self) -> None:
        self.playing = not self.playing
        if self.playing:
            self.step_plan()
        else:
            self._play_timer.stop()
            self._execute_next = False

    def _play_tick(self) -> None:
        if self.playing:
            self.step_plan()

    # ------------------------------------------------------------ the worker's answers

    def _on_progress(self, kind: str, request_id: int, payload) -> None:
        if kind != "plan" or not self.worker.is_latest(kind, request_id) or self._plan_request is None:
            return
        iteration, samples, energies = payload
        self._draw_samples(iteration, samples, energies, start=self._plan_request.start)
        self._live_energies.append(float(np.min(energies)))
        self.energy_curve.setData(np.arange(1, len(self._live_energies) + 1), self._live_energies)

    def _on_done(self, kind: str, request_id: int, result) -> None:
        if not self.worker.is_latest(kind, request_id):
            return  # a newer request of this kind is on its way
        if kind == "imagine":
            self._show_imagined(result)
            return
        request = self._plan_request
        state = self.controller.accept_plan(request, result)
        if state is None:  # the world moved while it ran
            if self.playing or self._execute_next:
                self.plan()
            else:
                self.status.setText("The world moved while planning: press Plan again.")
            return
        self.plan_ms = (time.perf_counter() - self._plan_started) * 1e3
        self._show_plan(state)
        self.planned.emit(state)
        if self.playing:
            self._execute_next = False
            self._play_timer.start()
        elif self._execute_next:
            self._execute_next = False
            self._take_planned_step()

    def _on_failed(self, kind: str, request_id: int, message: str) -> None:
        if self.worker.is_latest(kind, request_id):
            self.playing = False
            self._execute_next = False
            if kind == "plan":
                self._plan_request = None
            self.status.setText(f"{'Planning' if kind == 'plan' else 'Imagining'} stopped: {message}")

    def new_world(self) -> None:
        self.playing = False
        self._execute_next = False
        self._play_timer.stop()
        self.worker.cancel("plan")
        self.worker.cancel("imagine")
        self.controller.reset(self.controller.seed + 1)
        self.goal = None
        self.path = []
        self._plan_request = None
        for item in (self.goal_marker, self.plan_paths, self.best_path, self.path_curve, self.energy_curve):
            item.setData([], [])
        self.refresh()

    # ------------------------------------------------------------ display

    def refresh(self) -> None:
        c = self.controller
        self.world_image.setImage(c.frame, levels=(0, 255))
        self.world_box.setRange(xRange=(0, c.world.size), yRange=(0, c.world.size), padding=0)
        self._show_path()
        errors = np.asarray(c.errors, float)
        first = max(0, len(errors) - SURPRISE_WINDOW)
        steps = np.arange(1, len(errors) + 1)
        self.surprise_curve.setData(steps[first:], np.nan_to_num(errors[first:]))
        spots = [{"pos": (s, np.nan_to_num(errors[s - 1])), "brush": pg.mkBrush(EVENT_COLOURS[k]), "symbol": "star"}
                 for s, k in c.events if s - 1 >= first]  # fmt: skip
        self.surprise_events.setData(spots)
        last = errors[-1] if len(errors) else float("nan")
        earlier = errors[:-1][np.isfinite(errors[:-1])]  # none without a model: driving alone has no error
        typical = np.median(earlier) if len(earlier) > 2 else float("nan")
        colour = BAD if np.isfinite(typical) and last > 4 * typical else TEXT
        text = "one-step error: —" if not np.isfinite(last) else f"one-step error: {last:.4f}"
        self.error_label.setText(text)
        self.error_label.setStyleSheet(f"font-size: {self.error_px}px; font-weight: bold; color: {colour};")
