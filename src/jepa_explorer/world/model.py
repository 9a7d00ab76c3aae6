"""`WorldModel`: what `load_model` returns for a world bundle (card kind "world").

model.encode(frames [T, H, W, 3] uint8) -> latents [T, L]
model.predict(latents [T, L], actions [T, 2]) -> [T, L]   row t: the latent after action t, from rows <= t
model.rollout(history [K, L], actions [H, 2], history_actions [K-1, 2]) -> [H, L]  (own predictions fed back)
model.decode(latents [T, L]) -> frames [T, S, S, 3] uint8 (when a decoder bundle is attached)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from jepa_explorer.models.world import WorldConfig, WorldDecoder, WorldEncoder, WorldPredictor, expanded_cache

WORLD_KIND, DECODER_KIND = "world", "world-decoder"


@dataclass
class WorldModel:
    encoder: WorldEncoder
    predictor: WorldPredictor
    config: WorldConfig
    card: dict
    path: Path
    decoder: WorldDecoder | None = None
    notes: list[str] = field(default_factory=list)
    device: torch.device = torch.device("cpu")

    kind = WORLD_KIND

    @property
    def has_predictor(self) -> bool:
        return True

    @property
    def size(self) -> int:
        return self.config.encoder.img_size

    def to(self, device) -> WorldModel:
        self.device = torch.device(device)
        for m in (self.encoder, self.predictor, self.decoder):
            if m is not None:
                m.to(self.device)
        return self

    def parameter_counts(self) -> dict:
        count = lambda m: sum(p.numel() for p in m.parameters()) if m is not None else 0  # noqa: E731
        return {"encoder": count(self.encoder), "predictor": count(self.predictor), "decoder": count(self.decoder)}

    # ------------------------------------------------------------ pixels

    def frames_tensor(self, frames: np.ndarray) -> torch.Tensor:
        """uint8 [T, S, S, 3] -> normalised float [T, 3, S, S] on the model's device."""
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[-1] != 3 or frames.shape[1:3] != (self.size, self.size):
            raise ValueError(f"frames must be [T, {self.size}, {self.size}, 3] uint8, got {frames.shape}")
        x = torch.from_numpy(np.ascontiguousarray(frames)).to(self.device).permute(0, 3, 1, 2).float() / 255.0
        mean = torch.tensor(self.config.mean, device=self.device).view(1, 3, 1, 1)
        std = torch.tensor(self.config.std, device=self.device).view(1, 3, 1, 1)
        return (x - mean) / std

    def pixels(self, x: torch.Tensor) -> np.ndarray:
        """Normalised float [T, 3, S, S] -> uint8 [T, S, S, 3]."""
        mean = torch.tensor(self.config.mean, device=x.device).view(1, 3, 1, 1)
        std = torch.tensor(self.config.std, device=x.device).view(1, 3, 1, 1)
        x = (x * std + mean).clamp(0, 1) * 255.0
        return x.round().byte().permute(0, 2, 3, 1).cpu().numpy()

    # ------------------------------------------------------------ public calls

    @torch.inference_mode()
    def encode(self, frames: np.ndarray, batch: int = 256) -> np.ndarray:
        x = self.frames_tensor(frames)
        return torch.cat([self.encoder(x[i : i + batch]) for i in range(0, len(x), batch)]).float().cpu().numpy()

    @torch.inference_mode()
    def predict(self, latents, actions) -> np.ndarray:
        """Teacher-forced, causal: [T, L] and [T, 2] (or batched [B, T, ...]) -> the same shape as latents.
        Histories longer than the predictor's window are predicted with a sliding window."""
        z = torch.as_tensor(np.asarray(latents), dtype=torch.float32, device=self.device)
        a = torch.as_tensor(np.asarray(actions), dtype=torch.float32, device=self.device)
        single = z.ndim == 2
        if single:
            z, a = z[None], a[None]
        window = self.config.max_history
        if z.shape[1] <= window:
            out = self.predictor(z, a)
        else:
            out = torch.cat(
                [
                    self.predictor(z[:, max(0, t - window + 1) : t + 1], a[:, max(0, t - window + 1) : t + 1])[:, -1:]
                    for t in range(z.shape[1])
                ],
                dim=1,
            )
        out = out.cpu().numpy()
        return out[0] if single else out

    def imagine(self, history: torch.Tensor, history_actions: torch.Tensor) -> Imagination:
        """An imagination that starts after `history` [B, K, L] (real latents; history_actions [B, K-1, 2]
        between them): `.step(action [B, 2])` returns the next imagined latent [B, L]."""
        return Imagination(self.predictor, history, history_actions)

    @torch.inference_mode()
    def rollout_tensor(self, history: torch.Tensor, history_actions: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """Autoregressive imagination, batched and on tensors: history [B, K, L], history_actions [B, K-1, 2],
        actions [B, H, 2] -> [B, H, L], the latent after each action, own predictions fed back."""
        imagination = self.imagine(history, history_actions)
        return torch.stack([imagination.step(actions[:, h]) for h in range(actions.shape[1])], 1)

    def rollout(self, history, actions, history_actions=None) -> np.ndarray:
        """history [K, L], actions [H, 2], history_actions [K-1, 2] (zeros if None) -> [H, L]."""
        h = torch.as_tensor(np.asarray(history), dtype=torch.float32, device=self.device)[None]
        a = torch.as_tensor(np.asarray(actions), dtype=torch.float32, device=self.device)[None]
        if history_actions is None:
            ha = torch.zeros(1, h.shape[1] - 1, 2, device=self.device)
        else:
            ha = torch.as_tensor(np.asarray(history_actions), dtype=torch.float32, device=self.device).reshape(1, -1, 2)
        return self.rollout_tensor(h, ha, a)[0].cpu().numpy()

    @torch.inference_mode()
    def decode(self, latents) -> np.ndarray:
        if self.decoder is None:
            raise ValueError(f"{self.path}: no decoder attached (load the world-tiny-decoder bundle with attach_decoder)")
        z = torch.as_tensor(np.asarray(latents), dtype=torch.float32, device=self.device).reshape(-1, self.config.latent_dim)
        return self.pixels(self.decoder(z))


class Imagination:
    """KV-cached autoregressive rollout of the predictor: each `step` runs one token through the blocks.

    The history's first K-1 rows are run once at construction; the last real latent waits for the first
    action. `expand(n)` shares that prefix between n candidate futures (CEM's samples) without recomputing
    it. Past the predictor's window the cache restarts from the most recent half window of latents."""

    def __init__(self, predictor: WorldPredictor, history: torch.Tensor, history_actions: torch.Tensor, _copy=None):
        self.predictor = predictor
        self.window = predictor.cfg.max_history
        if _copy is not None:
            return
        if history.shape[1] > self.window:
            history, history_actions = history[:, -self.window :], history_actions[:, -(self.window - 1) :]
        self.caches = [{"capacity": self.window} for _ in predictor.blocks]
        self.latents = list(history.unbind(1))
        self.actions = list(history_actions.unbind(1))
        self.pos = len(self.latents) - 1  # position of the pending latent (the last real one)
        if self.pos > 0:
            with torch.inference_mode():
                predictor(history[:, :-1], history_actions, 0, self.caches)

    def expand(self, n: int) -> Imagination:
        """n copies of a batch-1 imagination, sharing its cached prefix."""
        other = Imagination(self.predictor, None, None, _copy=True)
        other.caches = [expanded_cache(c, n, self.window) for c in self.caches]
        other.latents = [z.expand(n, *z.shape[1:]) for z in self.latents]
        other.actions = [a.expand(n, *a.shape[1:]) for a in self.actions]
        other.pos = self.pos
        return other

    @torch.inference_mode()
    def step(self, action: torch.Tensor) -> torch.Tensor:
        """action [B, 2] -> the latent after it [B, L] (and it becomes the pending latent)."""
        self.actions.append(action)
        if self.pos + 1 > self.window:
            keep = self.window // 2
            self.caches = [{"capacity": self.window} for _ in self.predictor.blocks]
            z = torch.stack(self.latents[-keep:], 1)
            a = torch.stack(self.actions[-keep:], 1)
            pred = self.predictor(z, a, 0, self.caches)[:, -1]
            self.pos = keep
        else:
            pred = self.predictor(self.latents[-1][:, None], action[:, None], self.pos, self.caches)[:, 0]
            self.pos += 1
        self.latents.append(pred)
        return pred
