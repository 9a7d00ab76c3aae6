"""`jepa-explorer train world-tiny`: the action-conditioned world model (recipe kind "world").

One run trains, end to end, the encoder (ViT + projector), the causal AdaLN predictor (teacher-forced
next-latent MSE), SIGReg on the latents (LeWorldModel: no target encoder, no stop-gradient) and, when the
recipe sets `inverse_weight`, a linear inverse-dynamics term (the action read from the latent's change; with
keypoints, `sigreg_on` and `inverse_on` give each term one part of the latent), plus, beside them, the
latent-to-frame decoder on detached latents (its gradient never reaches the encoder).
Batches are functions of (seed, step), so `--resume` continues with the same data order; `last.pt` is
written every `checkpoint_every_s`. Export writes two bundles: OUT (the world model) and OUT-decoder.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.world import WorldConfig, WorldDecoder, WorldEncoder, WorldPredictor, effective_rank, sigreg
from jepa_explorer.train.loop import RunState, cosine_ramp, load_run, lr_at, run_steps, save_run


class WorldBatches:
    """Batch k of the recipe: (frames uint8 [B, T+1, S, S, 3], actions [B, T, 2], centres [B, T+1, 4])."""

    def __init__(self, batch_size: int, length: int, seed: int, worlds: int = 1):
        self.batch_size, self.length, self.seed, self.worlds = batch_size, length, seed, worlds

    def batch(self, k: int):
        from jepa_explorer.world.data import batch

        return batch(self.batch_size, self.length, self.seed, k, worlds=self.worlds)


def world_config(recipe: dict) -> WorldConfig:
    model = recipe["model"]
    return WorldConfig(encoder=ViTConfig(**model["encoder"]), **{k: v for k, v in model.items() if k != "encoder"})


# why the model is built the way it is; the card carries these beside the numbers
DESIGN_CHOICES = {
    "input size": "32 px instead of the default 64: the frames hold a 4 px agent and object on a textured floor, which "
    "32 px shows whole, and a quarter of the pixels makes the 8 px-patch encoder a 4x4 token grid (16 tokens instead of "
    "64), which is what let a ~40-minute run on a shared 2-core CPU see ~300k frames; it also keeps encoding a frame "
    "and planning within the latency targets",
    "one latent per frame": "the 4x4 token grid flattened and projected (a learned, position-aware pooling, as "
    "LeWorldModel's CLS + projector): planning and surprise compare whole states, and one vector per frame keeps the "
    "predictor's sequence as short as the history",
    "anti-collapse": "SIGReg (LeWorldModel) rather than an EMA target encoder: one term with one weight, trained end to "
    "end with no stop-gradient and no second encoder pass (half the encoder cost on a CPU), and it rules collapse out by "
    "construction instead of relying on the predictor/EMA asymmetry. The weight 0.03 (not 0.1) keeps the prediction "
    "term in charge: at 0.1 on this 4-degree-of-freedom world the latents were pushed to fill every dimension, which "
    "made them curl up (agent position linear R^2 0.2 and a 10% one-step gain at step 330 of a first run)",
    "one world per batch": "all 32 trajectories of a batch come from one world: SIGReg asks a batch's latents to "
    "look like N(0, I), and with one floor and one layout in the batch that spread can only come from where the agent "
    "and the object are. With 4 worlds per batch a run spread its latents over which world it was (static, so free to "
    "predict) and left the agent out (agent position linear R^2 about 0 at step 138)",
    "action injection": "AdaLN-zero in every predictor block (scale, shift and gate from the action), so the action "
    "cannot be ignored by attention; the predictor outputs the change of the latent",
    "history window": "8 latents, the length of the training trajectories: a longer window's later position "
    "embeddings are never trained (the first bundle's 16 left 8 of them at their random start, and rollouts and "
    "plans ran into them); longer imaginations slide the window instead",
}


# what a grown run's stage trains (the card's training stages)
GROWN_TRAINS = (
    "the keypoint (pose) part's heads, the predictor's output rows for it and the decoder; the first stage's "
    "encoder and predictor frozen, so the state part, its predictions and its plans are unchanged"
)


class WorldTrainer:
    """The world recipe's run: same surface as `loop.Trainer` (run, save, resume, export)."""

    def __init__(self, recipe: dict, run_dir: Path, device=None, max_steps=None, max_minutes=None):
        from jepa_explorer.device import pick_device

        self.recipe, self.run_dir = recipe, Path(run_dir)
        self.device = pick_device(device)
        self.max_minutes = max_minutes
        self.command_args = ""
        self.optim_cfg = recipe["optim"]
        self.total_steps = self.optim_cfg["total_steps"]
        self.stop_at = min(self.total_steps, max_steps) if max_steps else self.total_steps
        self.state = RunState()
        self.history: list[dict] = []
        torch.manual_seed(recipe["seed"])
        self.cfg = world_config(recipe)
        self.modules = {
            "encoder": WorldEncoder(self.cfg).to(self.device),
            "predictor": WorldPredictor(self.cfg).to(self.device),
            "decoder": WorldDecoder(self.cfg.latent_dim, self.cfg.encoder.img_size).to(self.device),
        }
        trained = ["encoder", "predictor"]
        self._pinned: list[tuple[torch.Tensor, torch.Tensor]] = []  # (rows of a trained tensor, their kept values)
        self._frozen: list[torch.nn.Module] = []  # kept in eval mode (the projector's BatchNorm keeps its statistics)
        self.grown_from: tuple[dict, str] | None = None
        if recipe.get("grow"):
            self._grow_from(recipe["grow"])
        # the latent dims each training term sees, read once (a bad recipe fails here, not mid-run)
        self._dims = {key: self._part_dims(key) for key in ("sigreg_on", "inverse_on")}
        if recipe.get("inverse_weight", 0.0):
            # training-only head: the action read from the latent's change by one linear map
            width = len(range(self.cfg.latent_dim)[self._dims["inverse_on"]])
            self.modules["inverse"] = torch.nn.Linear(width, self.cfg.action_dim).to(self.device)
            trained.append("inverse")
        params = [p for n in trained for p in self.modules[n].parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(
            [
                {"params": [p for p in params if p.ndim > 1]},
                {"params": [p for p in params if p.ndim <= 1], "weight_decay": 0.0, "no_wd": True},
            ],
            lr=self.optim_cfg["lr"],
        )
        self.dec_opt = torch.optim.AdamW(self.modules["decoder"].parameters(), lr=self.optim_cfg["lr"], weight_decay=0.0)
        data = recipe["data"]
        self.batches = WorldBatches(data["batch_size"], data["length"], recipe["seed"], data.get("worlds_per_batch", 1))
        mean = torch.tensor(self.cfg.mean, device=self.device).view(1, 3, 1, 1)
        std = torch.tensor(self.cfg.std, device=self.device).view(1, 3, 1, 1)
        self._norm = (mean, std)

    def _grow_from(self, source: str) -> None:
        """Add the keypoint (pose) part to a trained one-part world bundle, keeping what it had exactly.

        The bundle's encoder and predictor are copied and frozen. The predictor's input weights for the new
        part are zero and stay zero, so its state-part predictions, and every plan scored on them, are the
        bundle's. Training fits the keypoint heads (on detached tokens), the predictor's output rows for the
        new part, and the decoder (its input widened by zero columns)."""
        from dataclasses import replace

        from jepa_explorer.checkpoints.world import load_world_model
        from jepa_explorer.errors import JepaError
        from jepa_explorer.train.loop import stage_bundle

        where = f"recipe {self.recipe['name']}: grow {source}"
        k = 2 * self.cfg.keypoints
        if not k or not self.cfg.keypoint_detach:
            raise JepaError(f"{where}: growing adds keypoints that read detached tokens; set model.keypoints > 0 "
                            "and model.keypoint_detach = true.")  # fmt: skip
        remedy = (f"export the first stage to it (jepa-explorer train world-tiny --export {source}) or set grow to a "
                  "one-part world bundle")  # fmt: skip
        old = load_world_model(stage_bundle(source, where, "world bundle", remedy), "cpu", decoder=True)
        if old.config.keypoints:
            raise JepaError(f"{where}: that bundle has a keypoint part already (it was grown); grow from the "
                            "one-part bundle its card's first training stage exports.")  # fmt: skip
        kept = replace(self.cfg, latent_dim=self.cfg.latent_dim - k, keypoints=0, keypoint_detach=False)
        if old.config != kept:
            raise JepaError(f"{where}: its architecture differs from the recipe's beyond the added keypoints; "
                            "grow from the bundle the recipe's base describes.")  # fmt: skip
        enc, pred, dec = self.modules["encoder"], self.modules["predictor"], self.modules["decoder"]
        state = {name: v.float() for name, v in old.encoder.state_dict().items()}
        missing = enc.load_state_dict(state, strict=False).missing_keys
        assert all(name.startswith(("attend.", "offset.")) for name in missing), missing
        state = {name: v.float() for name, v in old.predictor.state_dict().items()}
        width = state["embed.weight"].shape[0]
        state["embed.weight"] = torch.cat([torch.zeros(width, k), state["embed.weight"]], 1)
        state["head.weight"] = torch.cat([torch.zeros(k, width), state["head.weight"]], 0)
        state["head.bias"] = torch.cat([torch.zeros(k), state["head.bias"]], 0)
        pred.load_state_dict(state)
        if old.decoder is not None:
            state = {name: v.float() for name, v in old.decoder.state_dict().items()}
            state["fc.0.weight"] = torch.cat([torch.zeros(state["fc.0.weight"].shape[0], k), state["fc.0.weight"]], 1)
            dec.load_state_dict(state)
        for module in (enc.vit, enc.projector, pred):
            module.requires_grad_(False)
        pred.head.requires_grad_(True)
        with torch.no_grad():  # views of the kept rows: the optimiser and resuming write the parameters in place
            self._pinned = [(rows, rows.clone()) for rows in (pred.head.weight[k:], pred.head.bias[k:])]
        self._frozen = [enc.vit, enc.projector, pred]
        # the card's first stage exports where this run reads it, so the chained commands reproduce the model
        card = dict(old.card)
        first = dict(card.get("training", {}))
        first["command"] = re.sub(r" --export \S+", "", str(first.get("command", "")))
        self.grown_from = ({**card, "training": first}, Path(source).as_posix())

    def _part_dims(self, key: str) -> slice:
        """The latent dims a training term sees (recipe `sigreg_on` / `inverse_on`): "latent" (all),
        "projector" (the MLP part) or "keypoints" (the keypoint part, first in the latent)."""
        where, k = self.recipe.get(key, "latent"), 2 * self.cfg.keypoints
        if where not in ("latent", "projector", "keypoints"):
            raise ValueError(f"recipe {key} = {where!r}: use 'latent', 'projector' or 'keypoints'")
        if where != "latent" and not self.cfg.keypoints:
            raise ValueError(f"recipe {key} = {where!r} needs model.keypoints > 0 (the latent has one part)")
        return {"latent": slice(None), "projector": slice(k, None), "keypoints": slice(0, k)}[where]

    def _select(self, z: torch.Tensor, key: str) -> torch.Tensor:
        return z[..., self._dims[key]]

    @property
    def last_path(self) -> Path:
        return self.run_dir / "last.pt"

    def save(self) -> None:
        save_run(self.last_path, self.modules, {"opt": self.opt, "dec_opt": self.dec_opt}, self.state, self.history)

    def resume(self) -> bool:
        if not self.last_path.exists():
            return False
        optimizers = {"opt": self.opt, "dec_opt": self.dec_opt}
        self.state, self.history = load_run(self.last_path, self.device, self.modules, optimizers)
        return True

    # ------------------------------------------------------------ one step

    def _frames(self, frames: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(frames).to(self.device).flatten(0, 1).permute(0, 3, 1, 2).float() / 255.0
        mean, std = self._norm
        return (x - mean) / std

    def step(self, frames: np.ndarray, actions: np.ndarray, step: int) -> dict:
        enc, pred, dec = self.modules["encoder"], self.modules["predictor"], self.modules["decoder"]
        B, T1 = frames.shape[:2]
        x = self._frames(frames)
        z = enc(x).reshape(B, T1, -1)
        a = torch.from_numpy(actions).to(self.device)
        p = pred(z[:, :-1], a)
        pred_loss = F.mse_loss(p, z[:, 1:])
        gen = torch.Generator().manual_seed(int(self.recipe["seed"]) * 1_000_003 + step)
        reg_z = self._select(z, "sigreg_on")
        reg = sigreg(
            reg_z.transpose(0, 1).reshape(-1, reg_z.shape[-1]),
            gen,
            slices=self.recipe.get("sigreg_slices", 256),
            t_max=self.recipe.get("sigreg_t_max", 3.0),
        )
        loss = pred_loss + self.recipe.get("sigreg_weight", 0.1) * reg
        logs = {}
        if "inverse" in self.modules:
            zi = self._select(z, "inverse_on")
            inverse = F.mse_loss(self.modules["inverse"](zi[:, 1:] - zi[:, :-1]), a)
            loss = loss + self.recipe["inverse_weight"] * inverse
            logs["inverse"] = inverse.item()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in self.opt.param_groups for p in g["params"]], 1.0)
        self.opt.step()
        with torch.no_grad():  # a grown run's kept output rows stay as they were
            for rows, kept in self._pinned:
                rows.copy_(kept)
        # the decoder learns from the latents as they are now, without pulling on them
        # (every third frame: the decoder's convolutions would otherwise cost more than the encoder)
        every = self.recipe.get("decoder_every", 3)
        recon = F.mse_loss(dec(z.detach()[:, ::every].flatten(0, 1)), x.reshape(B, T1, *x.shape[1:])[:, ::every].flatten(0, 1))
        self.dec_opt.zero_grad(set_to_none=True)
        recon.backward()
        self.dec_opt.step()
        return {"loss": loss.item(), "pred": pred_loss.item(), "sigreg": reg.item(), "recon": recon.item(), **logs}

    def _schedules(self, step: int) -> None:
        lr = lr_at(step, self.optim_cfg)
        wd = cosine_ramp(step, self.total_steps, *self.optim_cfg.get("weight_decay", (0.04, 0.04)))
        for group in self.opt.param_groups:
            group["lr"] = lr
            if not group.get("no_wd"):
                group["weight_decay"] = wd
        for group in self.dec_opt.param_groups:
            group["lr"] = lr

    def run(self, log=print) -> RunState:
        from jepa_explorer.train.prefetch import Prefetcher

        for m in self.modules.values():
            m.train()
        for m in self._frozen:
            m.eval()
        return run_steps(
            self, Prefetcher(self.batches, self.state.step, self.stop_at, 0),
            lambda batch, step: self.step(batch[0], batch[1], step),
            lambda batch: batch[0].shape[0] * batch[0].shape[1],
            lambda e: f"loss {e['loss']:.4f} (pred {e['pred']:.4f}, sigreg {e['sigreg']:.3f}, decoder {e['recon']:.4f})",
            "frames", "frames_per_s", log, self.recipe.get("checkpoint_every_s", 300),
        )  # fmt: skip

    # ------------------------------------------------------------ export

    @torch.inference_mode()
    def latent_health(self, n_batches: int = 4) -> dict:
        """Per-dimension std and effective rank of held-out latents: the card's evidence of no collapse."""
        from jepa_explorer.world.data import batch

        enc = self.modules["encoder"].eval()
        zs = []
        for k in range(n_batches):
            frames, _, _ = batch(32, 8, 12345, k, split="held_out")
            zs.append(enc(self._frames(frames)))
        z = torch.cat(zs)
        return {
            "mean_dim_std": float(z.std(0).mean()),
            "min_dim_std": float(z.std(0).min()),
            "effective_rank": effective_rank(z),
            "latent_dim": z.shape[1],
        }

    def export(self, out_dir: Path) -> Path:
        import os
        import platform

        from jepa_explorer.checkpoints.bundle import save_bundle

        hardware = (
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} "
            f"cores, {torch.get_num_threads()} threads, {self.device}"
        )
        training = {
            "steps": self.state.step,
            "frames_seen": self.state.images,
            "compute_seconds": round(self.state.seconds, 1),
            "hardware": hardware,
            "torch": torch.__version__,
            "command": f"jepa-explorer train {self.recipe['name']}{self.command_args}"
            + (f" --steps {self.state.step}" if self.state.step < self.total_steps else "")
            + f" --export {Path(out_dir).as_posix()}",
            "final_losses": self.history[-1] if self.history else {},
        }
        if self.grown_from is not None:  # the kept part's own training is the first stage
            from jepa_explorer.train.cards import staged_training

            stage = {"recipe": self.recipe["name"], **training, "trains": GROWN_TRAINS}
            training = staged_training(*self.grown_from, stage, seen="frames_seen")
        # a further stage of the same model keeps its name (the app opens the bundle by it)
        name = self.grown_from[0].get("name", self.recipe["name"]) if self.grown_from else self.recipe["name"]
        data = {
            "world": "jepa_explorer.world: two rooms joined by a door (layout, door and floor randomised per seed), "
            f"an agent moved by a clipped 2-D velocity, a pushable object with friction; {self.cfg.encoder.img_size} px frames",
            "trajectories": f"{self.recipe['data']['length']} actions from a random state, policies: smooth random walk 40%, "
            "goal-directed through the door 30%, push the object 30%",
            "seeds": "training worlds 0..19999; evaluation worlds 1000000 and up (never trained on)",
            "batches": f"{self.recipe['data']['batch_size']} trajectories from "
            f"{self.recipe['data'].get('worlds_per_batch', 1)} world(s)",
        }
        card = {
            "name": name,
            "kind": "world",
            "family": "world",
            "recipe": self.recipe,
            "seed": self.recipe["seed"],
            "training": training,
            "training_data": data,
            "input": {"size": self.cfg.encoder.img_size, "mean": list(self.cfg.mean), "std": list(self.cfg.std)},
            "architecture": self.cfg.to_dict(),
            "latent_health": self.latent_health(),
            "choices": {**DESIGN_CHOICES, **self.recipe.get("choices", {})},  # a recipe states its own departures
        }
        card.update(self.recipe.get("card", {}))
        dtype = getattr(torch, self.recipe.get("bundle_dtype", "float16"))
        out = save_bundle(
            out_dir, {"encoder": self.modules["encoder"], "predictor": self.modules["predictor"]}, card, dtype=dtype
        )
        dec_dir = Path(str(out_dir) + "-decoder")
        dec_card = {
            "name": name + "-decoder",
            "kind": "world-decoder",
            "world": Path(out_dir).as_posix(),
            "training": training,
            "description": "latent -> frame decoder trained beside the world model on its detached latents (MSE in "
            "normalised pixels); it shows what an imagined latent means, it does not shape the latents",
            "architecture": {"latent_dim": self.cfg.latent_dim, "size": self.cfg.encoder.img_size},
        }
        save_bundle(dec_dir, {"decoder": self.modules["decoder"]}, dec_card, dtype=dtype)
        return out


def world_train_main(recipe: dict, run_dir: Path, resume: bool, device, max_steps, export, overrides, max_minutes) -> int:
    from jepa_explorer.train.loop import drive

    trainer = WorldTrainer(recipe, run_dir, device, max_steps, max_minutes)
    data = recipe["data"]
    batch = f"batch {data['batch_size']} x {data['length'] + 1} frames"
    return drive(trainer, run_dir, resume, export, overrides, f"{recipe['name']} (world)", batch)
