"""World-model mode's state, Qt-free: drive the agent, watch the one-step prediction error, inject
implausible events, imagine under an action path, plan towards a goal, hide the object from the context.

The Qt view (`gui/world/`) only shows what this controller holds and calls its methods; tests and
notebooks drive it the same way. Everything it returns is numpy or plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jepa_explorer.world.env import AGENT, OBJECT, World, WorldState, free_position
from jepa_explorer.world.events import EVENT_LABELS, EVENTS, _break

HISTORY = 3  # real frames the predictor sees (as in training's evaluation and planning)


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


@dataclass
class PlanState:
    goal: WorldState
    goal_frame: np.ndarray
    actions: np.ndarray  # [horizon, 2] the current plan
    energies: list[float]
    samples: list[np.ndarray] = field(default_factory=list)
    steps_taken: int = 0


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

    def imagine(self, actions) -> Imagined:
        """Freeze the world, roll the model forward under `actions` [H, 2], and compare with what really
        happens (a copy of the world is stepped; the live world is unchanged)."""
        if self.model is None:
            raise ValueError("imagination needs a world model")
        actions = np.clip(np.asarray(actions, np.float32).reshape(-1, 2), -1, 1)
        hist = np.stack(self._latents[-HISTORY:])
        past = np.asarray(self.actions[-(len(hist) - 1) :] if len(hist) > 1 else [], np.float32).reshape(-1, 2)
        past = np.concatenate([np.zeros((len(hist) - 1 - len(past), 2), np.float32), past])
        imagined = self.model.rollout(hist, actions, past)
        shadow = World(self.seed)
        shadow.reset(self.world.state)
        frames, states = [], []
        for a in actions:
            shadow.step(a)
            states.append(shadow.state.copy())
            frames.append(shadow.render())
        actual = self.model.encode(np.stack([self.model_frame(s) for s in states]))
        decoded = self.model.decode(imagined) if self.model.decoder is not None else None
        pca_actual, pca_imagined = _pca_pair(hist[-1], actual, imagined)
        return Imagined(
            actions, imagined, actual, np.stack(frames), decoded, ((imagined - actual) ** 2).mean(-1), pca_actual, pca_imagined
        )

    def decoded_prediction(self, action=(0.0, 0.0)) -> np.ndarray | None:
        """The decoded one-step prediction for `action`: with masking on, does the object reappear where it
        should be?"""
        if self.model is None or self.model.decoder is None:
            return None
        return self.model.decode(self.next_latent_guess(action)[None])[0]

    # ------------------------------------------------------------ planning

    def goal_at(self, position, move: str = "agent") -> WorldState:
        """A goal state with the agent (or the object) at `position` (a sprite centre in px)."""
        goal = self.world.state.copy()
        side = AGENT if move == "agent" else OBJECT
        pos = np.clip(np.asarray(position, float) - side / 2, 1, self.world.size - 1 - side)
        if move == "agent":
            goal.agent = pos
        else:
            goal.obj = pos
        return goal

    def plan(self, goal: WorldState, horizon: int = 8, samples: int = 300, iterations: int = 10, seed: int = 0,
             on_iteration=None) -> PlanState:  # fmt: skip
        from jepa_explorer.world.planning import plan

        goal_frame = self.model_frame(goal)
        frames = np.stack([self.model_frame(s) for s in self.states[-HISTORY:]])
        actions = np.asarray(self.actions[-(len(frames) - 1) :], np.float32) if len(frames) > 1 else None
        result = plan(self.model, frames, actions, goal_frame, horizon=horizon, samples=samples, iterations=iterations,
                      seed=seed, keep_samples=True, on_iteration=on_iteration)  # fmt: skip
        steps = self.plan_state.steps_taken if self.plan_state is not None else 0
        self.plan_state = PlanState(goal, goal_frame, result.actions, result.energies, result.samples, steps)
        return self.plan_state

    def execute_plan_step(self, replan: bool = True, **plan_kwargs) -> float:
        """Receding horizon: take the plan's first action, then plan again from the new state."""
        if self.plan_state is None:
            raise ValueError("no plan: call plan(goal) first")
        error = self.drive(self.plan_state.actions[0])
        self.plan_state.steps_taken += 1
        if replan:
            self.plan(self.plan_state.goal, **plan_kwargs)
        return error

    def goal_reached(self, tolerance: float = 2.5) -> bool:
        if self.plan_state is None:
            return False
        s, g = self.world.state, self.plan_state.goal
        return bool(np.linalg.norm(s.agent - g.agent) <= tolerance and np.linalg.norm(s.obj - g.obj) <= tolerance * 1.6)

    # ------------------------------------------------------------ helpers for the view

    def random_free_goal(self, rng: np.random.Generator) -> np.ndarray:
        return free_position(self.world.layout, rng, AGENT) + AGENT / 2

    @staticmethod
    def event_labels() -> dict[str, str]:
        return dict(EVENT_LABELS)


def _pca_pair(now: np.ndarray, actual: np.ndarray, imagined: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both trajectories (each starting at `now`) in the 2-D PCA of their union, so they share axes."""
    a = np.vstack([now[None], actual])
    b = np.vstack([now[None], imagined])
    both = np.vstack([a, b]).astype(np.float64)
    mean = both.mean(0)
    _, _, vt = np.linalg.svd(both - mean, full_matrices=False)
    return ((a - mean) @ vt[:2].T).astype(np.float32), ((b - mean) @ vt[:2].T).astype(np.float32)
