"""World-model mode's state, Qt-free: drive the agent, watch the one-step prediction error, inject
implausible events, imagine under an action path, plan towards a goal, hide the object from the context.

The Qt view (`gui/world/`) only shows what this controller holds and calls its methods; tests and
notebooks drive it the same way. Everything it returns is numpy or plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jepa_explorer.world.env import AGENT, OBJECT, SPEED, World, WorldState, free_position, pusher_spot
from jepa_explorer.world.events import EVENT_LABELS, EVENTS, _break
from jepa_explorer.world.planning import PLANNER_SETTINGS, search_settings

HISTORY = 3  # real frames the predictor sees (as in training's evaluation and planning)
MAX_IMAGINED = 16  # steps: the horizon the card's rollout error is measured over
# the card's planners (`planner_settings(task)`, chosen on validation worlds): the view plans as `eval` measured
EXECUTE = PLANNER_SETTINGS["execute"]  # steps of a plan taken before the next plan (receding horizon), both tasks


@dataclass
class Imagined:
    """An imagination from the current state under `actions` [H, 2]."""

    actions: np.ndarray
    imagined: np.ndarray  # [H, L] latents
    actual: np.ndarray  # [H, L] latents of what really happens
    frames: np.ndarray  # [H, S, S, 3] real frames
    decoded: np.ndarray | None  # [H, S, S, 3] decoded imagined latents (None without a decoder)
    errors: np.ndarray  # [H] squared latent error per step
    pca_actual: np.ndarray  # [H+1, 2]: the current latent, then the real future, in 2-D PCA
    pca_imagined: np.ndarray  # [H+1, 2]: the current latent, then the imagined future


@dataclass(frozen=True)
class ImagineRequest:
    """What an imagination needs, copied from the controller so a worker thread can run it (`run_imagine`)
    while the live world moves on."""

    seed: int
    state: WorldState  # now: the imagination and the real copy both start here
    history: np.ndarray  # [K, L] the model's last real latents
    past: np.ndarray  # [K-1, 2] the actions between them
    actions: np.ndarray  # [H, 2]
    mask_object: bool


@dataclass(frozen=True)
class PlanRequest:
    """What a plan needs (see `run_plan`); `step` is the number of steps taken when it was asked: a plan
    for an older step is stale (the world moved while it ran)."""

    goal: WorldState
    goal_frame: np.ndarray
    frames: np.ndarray  # [K, S, S, 3] the last frames as the model sees them
    actions: np.ndarray | None  # [K-1, 2] between them
    step: int
    start: np.ndarray  # the agent's centre when asked (where the view draws the sampled paths from)
    horizon: int
    samples: int
    iterations: int
    seed: int
    init_mean: np.ndarray | None  # the previous plan's decisions, shifted (receding horizon warm start)
    repeat: int = 1  # steps each searched decision is held
    final_weight: float = 1.0
    energy_mode: str = "mean"
    task: str = "reach"  # "push" when the goal moves the object
    pose_weight: float = 1.0  # the energy's weight on the latent's keypoint part


@dataclass
class PlanState:
    goal: WorldState
    goal_frame: np.ndarray
    actions: np.ndarray  # [horizon * repeat, 2] the current plan, one action per step
    energies: list[float]
    samples: list[np.ndarray] = field(default_factory=list)
    steps_taken: int = 0  # towards this goal
    step: int = 0  # the world's step the plan was made at
    decisions: np.ndarray | None = None  # [horizon, 2] what the search chose, each held `repeat` steps
    repeat: int = 1
    executed: int = 0  # of this plan's actions
    task: str = "reach"

    def current(self, steps_now: int) -> bool:
        """True while every step since the plan was made is one of its own (a key press or an event since
        makes it a plan for a state that is gone)."""
        return steps_now == self.step + self.executed

    def take(self) -> np.ndarray:
        """The plan's next action, counted as carried out (the caller drives it now)."""
        action = self.actions[self.executed]
        self.executed += 1
        self.steps_taken += 1
        return action


class WorldModeController:
    """One live world plus the model's view of it."""

    def __init__(self, model=None, seed: int = 1_000_000):
        self.model = model
        self.mask_object = False  # C-JEPA: the object is hidden from the frames the model sees
        self.plan_state: PlanState | None = None
        self.reset(seed)

    # ------------------------------------------------------------ world

    def reset(self, seed: int | None = None) -> np.ndarray:
        self.seed = self.seed if seed is None else int(seed)
        self.world = World(self.seed)
        self.frames = [self.world.render()]
        self.states = [self.world.state.copy()]
        self.actions: list[np.ndarray] = []
        self.errors: list[float] = []  # one-step surprise per step (NaN before the model has history)
        self.events: list[tuple[int, str]] = []  # (step, kind) of injected events, for the strip chart
        self.predicted: np.ndarray | None = None  # the model's guess of the next latent, given the next action
        self.plan_state = None
        self._latents = [self._encode_state(self.world.state)] if self.model is not None else []
        return self.frame

    @property
    def frame(self) -> np.ndarray:
        return self.frames[-1]

    def model_frame(self, state: WorldState) -> np.ndarray:
        """The frame the model sees: with the object hidden when masking is on."""
        if self.mask_object:
            state = state.copy()
            state.obj_visible = False
        return self.world.render(state)

    def _encode_state(self, state: WorldState) -> np.ndarray:
        return self.model.encode(self.model_frame(state)[None])[0]

    def set_mask_object(self, on: bool) -> None:
        self.mask_object = bool(on)
        if self.model is not None:  # the context is re-seen with (or without) the object
            self._latents = [self._encode_state(s) for s in self.states[-HISTORY:]]

    # ------------------------------------------------------------ driving

    def drive(self, action, inject: str | None = None) -> float:
        """One step with `action` (clipped to [-1, 1]²); `inject` breaks physics in this step. Returns the
        model's one-step error on the new frame (NaN without a model)."""
        action = np.clip(np.asarray(action, np.float32).reshape(2), -1, 1)
        self.world.step(action)
        if inject is not None:
            if inject not in EVENTS:
                raise ValueError(f"unknown event '{inject}': use one of {', '.join(EVENTS)}")
            _break(inject, self.world, np.random.default_rng([self.seed, len(self.actions)]), self._wall_action(action))
            self.events.append((len(self.actions) + 1, inject))
        self.actions.append(action)
        self.states.append(self.world.state.copy())
        self.frames.append(self.world.render())
        error = float("nan")
        if self.model is not None:
            guess = self.next_latent_guess(action, before_step=True)
            latent = self._encode_state(self.world.state)
            error = float(((guess - latent) ** 2).mean())
            self._latents = (self._latents + [latent])[-HISTORY:]
        self.errors.append(error)
        return error

    def _wall_action(self, action: np.ndarray) -> np.ndarray:
        """For a pass-through-wall injection: the direction across the inner wall the agent is heading."""
        layout = self.world.layout
        across = 0 if layout.axis == "vertical" else 1
        out = np.zeros(2)
        side = layout.room_of(self.world.state.agent + AGENT / 2)
        out[across] = 1.0 if side == 0 else -1.0
        return out

    def next_latent_guess(self, action, before_step: bool = False) -> np.ndarray:
        """The predictor's guess of the latent after `action` from the last HISTORY latents. With
        before_step, the guess is made from the history as it was before the latest world step."""
        hist = np.stack(self._latents[-HISTORY:])
        past = self.actions[-len(hist) :] if before_step else self.actions[-(len(hist) - 1) :] + [np.asarray(action, np.float32)]
        past = np.asarray(past[-len(hist) :], np.float32).reshape(-1, 2)
        if len(past) < len(hist):  # at the start: no action before the first frame
            past = np.concatenate([np.zeros((len(hist) - len(past), 2), np.float32), past])
        return self.model.predict(hist, past)[-1]

    def inject(self, kind: str, action=(0.0, 0.0)) -> float:
        """Inject an implausible event in the next step (see `jepa_explorer.world.events`)."""
        return self.drive(action, inject=kind)

    # ------------------------------------------------------------ imagination

    def imagine_request(self, actions) -> ImagineRequest:
        """Freeze the world: what `run_imagine` needs to roll the model forward under `actions` [H, 2]."""
        if self.model is None:
            raise ValueError("imagination needs a world model")
        actions = np.clip(np.asarray(actions, np.float32).reshape(-1, 2), -1, 1)
        hist = np.stack(self._latents[-HISTORY:])
        past = np.asarray(self.actions[-(len(hist) - 1) :] if len(hist) > 1 else [], np.float32).reshape(-1, 2)
        past = np.concatenate([np.zeros((len(hist) - 1 - len(past), 2), np.float32), past])
        return ImagineRequest(self.seed, self.world.state.copy(), hist, past, actions, self.mask_object)

    def imagine(self, actions) -> Imagined:
        """Freeze the world, roll the model forward under `actions` [H, 2], and compare with what really
        happens (a copy of the world is stepped; the live world is unchanged)."""
        return run_imagine(self.model, self.imagine_request(actions))

    def decoded_prediction(self, action=(0.0, 0.0)) -> np.ndarray | None:
        """The decoded one-step prediction for `action`: with masking on, does the object reappear where it
        should be?"""
        if self.model is None or self.model.decoder is None:
            return None
        return self.model.decode(self.next_latent_guess(action)[None])[0]

    # ------------------------------------------------------------ planning

    def goal_at(self, position, move: str = "agent") -> WorldState:
        """A goal state with the agent (or the object) at `position` (a sprite centre in px). An object's goal
        has the agent where a push ends, touching the object from behind (as `eval` sets its pushes), so
        the goal frame shows the push done; where that spot is in a wall the agent stays where it is."""
        goal = self.world.state.copy()
        side = AGENT if move == "agent" else OBJECT
        pos = np.clip(np.asarray(position, float) - side / 2, 1, self.world.size - 1 - side)
        if move == "agent":
            goal.agent = pos
        else:
            goal.obj = pos
            spot = pusher_spot(self.world.layout, pos, pos - self.world.state.obj)
            if spot is not None:
                goal.agent = spot
        return goal

    def plan_request(self, goal: WorldState, task: str = "reach", seed: int | None = None, **overrides) -> PlanRequest:
        """What `run_plan` needs to plan from now towards `goal` with the card's planner for `task` ("reach":
        the goal moves the agent, "push": the object); `overrides` replace its settings (horizon, samples,
        iterations, repeat, final_weight, energy_mode, pose_weight). Re-planning towards the same goal starts from the
        previous plan's decisions, less those already carried out (receding horizon); `seed` None: the step."""
        settings = search_settings(task)
        unknown = set(overrides) - set(settings)
        if unknown:
            raise ValueError(f"unknown planner settings {sorted(unknown)}: use {', '.join(settings)}")
        settings.update(overrides)
        horizon, repeat = settings["horizon"], settings["repeat"]
        if self.model is None:
            raise ValueError("planning needs a world model")
        frames = np.stack([self.model_frame(s) for s in self.states[-HISTORY:]])
        actions = np.asarray(self.actions[-(len(frames) - 1) :], np.float32) if len(frames) > 1 else None
        init = None
        prev = self.plan_state
        same_search = prev is not None and prev.decisions is not None and (len(prev.decisions), prev.repeat) == (horizon, repeat)
        if same_search and prev.goal is goal and prev.current(len(self.actions)):
            done = min(prev.executed // repeat, horizon)  # decisions carried out completely
            init = np.concatenate([prev.decisions[done:], np.zeros((done, 2), np.float32)])
        return PlanRequest(
            goal, self.model_frame(goal), frames, actions, len(self.actions), self.world.state.agent + AGENT / 2,
            horizon, settings["samples"], settings["iterations"], len(self.actions) if seed is None else int(seed), init,
            repeat, settings["final_weight"], settings["energy_mode"], task, settings["pose_weight"],
        )  # fmt: skip

    def accept_plan(self, request: PlanRequest, result) -> PlanState | None:
        """Adopt a finished plan (a `world.planning.Plan`); None when it is stale (made for an older step)."""
        if request.step != len(self.actions):
            return None
        steps = self.plan_state.steps_taken if self.plan_state is not None and self.plan_state.goal is request.goal else 0
        decisions = getattr(result, "decisions", None)
        self.plan_state = PlanState(request.goal, request.goal_frame, result.actions, result.energies, result.samples, steps,
                                    request.step, result.actions if decisions is None else decisions, request.repeat,
                                    task=request.task)  # fmt: skip
        return self.plan_state

    def plan(self, goal: WorldState, task: str = "reach", seed: int | None = None, on_iteration=None, **settings) -> PlanState:
        """Plan from now towards `goal` here (the view runs `run_plan` in its worker); `task` and `settings`
        as `plan_request` (the card's planner for the task by default)."""
        request = self.plan_request(goal, task, seed=seed, **settings)
        return self.accept_plan(request, run_plan(self.model, request, on_iteration))

    def plan_due(self) -> bool:
        """True when the current plan has no action left to take before the next plan (EXECUTE steps)."""
        state = self.plan_state
        return state is None or not state.current(len(self.actions)) or state.executed >= min(EXECUTE, len(state.actions))

    def execute_plan_step(self, replan: bool = True, **plan_kwargs) -> float:
        """Receding horizon: take the plan's next action; after EXECUTE of them (or at its end), plan again
        from the new state."""
        if self.plan_state is None:
            raise ValueError("no plan: call plan(goal) first")
        if self.plan_due():
            self.plan(self.plan_state.goal, self.plan_state.task, **plan_kwargs)
        state = self.plan_state
        error = self.drive(state.take())
        if replan and self.plan_due():
            self.plan(state.goal, state.task, **plan_kwargs)
        return error

    def goal_reached(self, tolerance: float = 2.5) -> bool:
        """Within `tolerance` px of the goal: the object for a push (where the agent ends is the plan's
        business, as in `eval`), else the agent, with the object left about where the goal has it."""
        if self.plan_state is None:
            return False
        s, g = self.world.state, self.plan_state.goal
        if self.plan_state.task == "push":
            return bool(np.linalg.norm(s.obj - g.obj) <= tolerance)
        return bool(np.linalg.norm(s.agent - g.agent) <= tolerance and np.linalg.norm(s.obj - g.obj) <= tolerance * 1.6)

    # ------------------------------------------------------------ helpers for the view

    def random_free_goal(self, rng: np.random.Generator) -> np.ndarray:
        return free_position(self.world.layout, rng, AGENT) + AGENT / 2

    @staticmethod
    def event_labels() -> dict[str, str]:
        return dict(EVENT_LABELS)


def run_imagine(model, request: ImagineRequest) -> Imagined:
    """The imagination of `request` beside what really happens (a shadow world from the same state); pure,
    so the view runs it in its worker thread."""
    imagined = model.rollout(request.history, request.actions, request.past)
    shadow = World(request.seed)
    shadow.reset(request.state)
    states = []
    for a in request.actions:
        shadow.step(a)
        states.append(shadow.state.copy())
    frames = np.stack([shadow.render(s) for s in states])
    seen = frames
    if request.mask_object:  # the model compares against what it would see: frames without the object
        hidden = [s.copy() for s in states]
        for s in hidden:
            s.obj_visible = False
        seen = np.stack([shadow.render(s) for s in hidden])
    actual = model.encode(seen)
    decoded = model.decode(imagined) if model.decoder is not None else None
    pca_actual, pca_imagined = _pca_pair(request.history[-1], actual, imagined)
    errors = ((imagined - actual) ** 2).mean(-1)
    return Imagined(request.actions, imagined, actual, frames, decoded, errors, pca_actual, pca_imagined)


def run_plan(model, request: PlanRequest, on_iteration=None):
    """CEM for `request` (`jepa_explorer.world.plan`); pure, so the view runs it in its worker thread.
    `on_iteration(i, samples [K, H, 2], energies [K])` as there."""
    from jepa_explorer.world.planning import plan

    return plan(model, request.frames, request.actions, request.goal_frame, horizon=request.horizon, samples=request.samples,
                iterations=request.iterations, seed=request.seed, keep_samples=True, init_mean=request.init_mean,
                on_iteration=on_iteration, repeat=request.repeat, final_weight=request.final_weight,
                energy_mode=request.energy_mode, pose_weight=request.pose_weight)  # fmt: skip


def path_to_actions(points, start, max_steps: int = MAX_IMAGINED) -> np.ndarray:
    """A drawn path (points [N, 2] in world px, from near `start`, the agent's centre) as per-step actions of
    speed <= 1: the path from `start` resampled every SPEED px of its length (what one step at full speed
    covers), each step the move to the next sample over SPEED. At most `max_steps`; [0, 2] for no path."""
    pts = np.vstack([np.asarray(start, float).reshape(1, 2), np.asarray(points, float).reshape(-1, 2)])
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    keep = np.r_[True, seg > 1e-6]  # repeated points add nothing
    pts = pts[keep]
    if len(pts) < 2:
        return np.zeros((0, 2), np.float32)
    along = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))]
    steps = min(max_steps, int(np.ceil(along[-1] / SPEED - 1e-9)))
    marks = np.minimum(np.arange(1, steps + 1) * SPEED, along[-1])
    samples = np.stack([np.interp(marks, along, pts[:, 0]), np.interp(marks, along, pts[:, 1])], 1)
    moves = np.diff(np.vstack([pts[:1], samples]), axis=0) / SPEED
    norm = np.linalg.norm(moves, axis=1, keepdims=True)
    return (moves / np.maximum(norm, 1.0)).astype(np.float32)


def _pca_pair(now: np.ndarray, actual: np.ndarray, imagined: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both trajectories (each starting at `now`) in the 2-D PCA of their union, so they share axes."""
    a = np.vstack([now[None], actual])
    b = np.vstack([now[None], imagined])
    both = np.vstack([a, b]).astype(np.float64)
    mean = both.mean(0)
    _, _, vt = np.linalg.svd(both - mean, full_matrices=False)
    return ((a - mean) @ vt[:2].T).astype(np.float32), ((b - mean) @ vt[:2].T).astype(np.float32)
