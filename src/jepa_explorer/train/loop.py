"""`jepa-explorer train RECIPE`: I-JEPA, MAE and decoder training with resume.

Ingredients of the official I-JEPA recipe: multiblock masks, layer-normed targets from an EMA target
encoder, smooth-L1, AdamW with linear warm-up then cosine decay, a cosine weight-decay ramp and an
EMA momentum ramp towards 1. Every `checkpoint_every_s` seconds the run writes `last.pt` (official
layout plus optimiser and step), so an interrupted run resumes where it stopped with the same data
order (batches and masks are functions of the seed and the step).
"""

from __future__ import annotations

import copy
import json
import math
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from jepa_explorer.errors import JepaError
from jepa_explorer.fileio import write_with
from jepa_explorer.models.config import PredictorConfig, ViTConfig
from jepa_explorer.models.tensors import apply_masks, repeat_interleave_batch

RECIPE_PACKAGE = "jepa_explorer.train.recipes"


# ---------------------------------------------------------------- recipes


def list_recipes() -> list[str]:
    return sorted(p.name.removesuffix(".json") for p in resources.files(RECIPE_PACKAGE).iterdir() if p.name.endswith(".json"))


def _merged(base: dict, changes: dict) -> dict:
    """`base` with `changes` applied: nested sections merge key by key; any other value replaces."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_recipe(name_or_path: str, _loading: tuple = ()) -> dict:
    """`_loading`: the recipes whose bases are being loaded (a loop among them is refused)."""
    path = Path(name_or_path)
    if path.suffix == ".json" and path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        entry = resources.files(RECIPE_PACKAGE) / f"{name_or_path}.json"
        if not entry.is_file():
            raise JepaError(f"unknown recipe '{name_or_path}': use one of {', '.join(list_recipes())} or a recipe .json file.")
        text = entry.read_text(encoding="utf-8")
    try:
        recipe = json.loads(text)
    except json.JSONDecodeError as e:
        raise JepaError(f"recipe {name_or_path}: not valid JSON ({e}).") from None
    if "base" in recipe:  # a stage that differs from a bundled recipe in a few entries names it
        base = recipe.pop("base")
        if base in (*_loading, name_or_path):
            raise JepaError(f"recipe {name_or_path}: its bases form a loop through '{base}'.")
        recipe = _merged(load_recipe(base, (*_loading, name_or_path)), recipe)
    for key in ("name", "kind", "seed", "data", "optim"):
        if key not in recipe:
            raise JepaError(f"recipe {name_or_path}: missing '{key}'.")
    return recipe


# ---------------------------------------------------------------- schedules


def lr_at(step: int, optim: dict) -> float:
    warmup, total = optim["warmup_steps"], optim["total_steps"]
    if step < warmup:
        return optim["start_lr"] + (optim["lr"] - optim["start_lr"]) * step / max(1, warmup)
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return optim["final_lr"] + 0.5 * (optim["lr"] - optim["final_lr"]) * (1 + math.cos(math.pi * progress))


def cosine_ramp(step: int, total: int, start: float, end: float) -> float:
    progress = min(1.0, step / max(1, total))
    return end + 0.5 * (start - end) * (1 + math.cos(math.pi * progress))


def linear_ramp(step: int, total: int, start: float, end: float) -> float:
    return start + (end - start) * min(1.0, step / max(1, total))


# ---------------------------------------------------------------- the run


@dataclass
class RunState:
    step: int = 0
    seconds: float = 0.0
    images: int = 0


def save_run(path: Path, modules: dict, optimizers: dict, state: RunState, history: list, **extra) -> None:
    """A run's resumable checkpoint: every module's and optimizer's state, the step, time, images and
    history (plus `extra` strings). Atomic: an interruption never leaves a half-written checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = {name: m.state_dict() for name, m in modules.items()}
    blob.update({name: o.state_dict() for name, o in optimizers.items()})
    blob.update(step=state.step, seconds=state.seconds, images=state.images, history=json.dumps(history), **extra)
    write_with(path, lambda tmp: torch.save(blob, tmp))


def load_run(path: Path, device, modules: dict, optimizers: dict) -> tuple[RunState, list]:
    """Load what `save_run` wrote into `modules` and `optimizers`; returns the run's state and history."""
    blob = torch.load(path, map_location=device, weights_only=True)
    for name, m in modules.items():
        m.load_state_dict(blob[name])
    for name, o in optimizers.items():
        o.load_state_dict(blob[name])
    return RunState(int(blob["step"]), float(blob["seconds"]), int(blob["images"])), json.loads(blob["history"])


def ema_step(trainer, default: tuple[float, float]) -> None:
    """Move `trainer`'s target encoder towards its encoder by the recipe's momentum ramp (`default` when the
    recipe names none). In a predictor-only stage (freeze_encoder) the targets stay fixed: no step."""
    if "encoder" not in trainer.trainable:
        return
    momentum = linear_ramp(trainer.state.step, trainer.total_steps, *trainer.recipe.get("ema", default))
    with torch.no_grad():
        for p_target, p_online in zip(trainer.modules["target_encoder"].parameters(), trainer.modules["encoder"].parameters()):
            p_target.mul_(momentum).add_(p_online.detach(), alpha=1.0 - momentum)


# ---------------------------------------------------------------- V-JEPA (the I-JEPA step is Trainer._step_ijepa)


def vjepa_loss(predictions: list[torch.Tensor], targets: list[torch.Tensor], loss_exp: float = 1.0) -> torch.Tensor:
    """The official V-JEPA loss: mean over mask sets of mean(|pred − target|^p) / p."""
    per_set = [torch.mean(torch.abs(p - t) ** loss_exp) / loss_exp for p, t in zip(predictions, targets)]
    return sum(per_set) / len(per_set)


def vjepa_step(trainer, x: torch.Tensor, rng: np.random.Generator) -> float:
    """One V-JEPA step for ``Trainer``: x [B, 3, T, S, S]; modules encoder / predictor / target_encoder.

    Per mask set i (the official MultiMaskWrapper / PredictorMultiMaskWrapper calls, unrolled): the
    context encoder sees the set's context, the predictor fills the set's targets with mask token i;
    targets are the layer-normed EMA target encoder's output on the whole clip; L1 (``loss_exp``);
    AdamW step with optional gradient clipping; EMA update of the target encoder."""
    from jepa_explorer.train.masking import DEFAULT_SETS, collate_multiblock3d

    recipe = trainer.recipe
    enc, pred, target = trainer.modules["encoder"], trainer.modules["predictor"], trainer.modules["target_encoder"]
    sets = recipe.get("masks", {}).get("sets", DEFAULT_SETS)
    tokens = list(range(len(sets)))  # set i is predicted with mask token i
    weights = recipe.get("masks", {}).get("set_weights")
    if weights:
        # one set per step, drawn by weight: a step costs one predictor pass instead of one per set, so a
        # stage can spend its compute on the task it is for (e.g. future frames) and still train the others
        i = int(rng.choice(len(sets), p=np.asarray(weights, dtype=np.float64) / sum(weights)))
        sets, tokens = [sets[i]], [i]
    masks_enc, masks_pred = collate_multiblock3d(len(x), trainer.enc_cfg.grid_shape, rng, sets)
    masks_enc = [m.to(x.device) for m in masks_enc]
    masks_pred = [m.to(x.device) for m in masks_pred]
    with torch.no_grad():
        h = target(x)
        h = F.layer_norm(h, (h.size(-1),))  # [B, N, D]
        targets = [apply_masks(h, [m]) for m in masks_pred]  # per set [B, M_i, D]
    predictions = []
    for i, m_enc, m_pred, tgt in zip(tokens, masks_enc, masks_pred, targets):
        z = enc(x, [m_enc])  # [B, K_i, D]
        predictions.append(pred(z, tgt, [m_enc], [m_pred], mask_index=i))  # [B, M_i, D]
    loss = vjepa_loss(predictions, targets, recipe.get("loss_exp", 1.0))
    trainer.opt.zero_grad(set_to_none=True)
    loss.backward()
    clip = trainer.optim_cfg.get("clip_grad")
    if clip:
        params = [p for name in trainer.trainable for p in trainer.modules[name].parameters() if p.grad is not None]
        torch.nn.utils.clip_grad_norm_(params, clip)
    trainer.opt.step()
    ema_step(trainer, default=(0.998, 1.0))
    return loss.item()


def build_vjepa(recipe: dict, device) -> tuple[dict, object, object]:
    """(modules {encoder, predictor, target_encoder}, encoder config, predictor config) of a vjepa recipe."""
    from jepa_explorer.models.vit import VisionTransformer, build_predictor
    from jepa_explorer.train.masking import DEFAULT_SETS

    model = recipe["model"]
    enc_cfg = ViTConfig(video=True, **model["encoder"])
    sets = recipe.get("masks", {}).get("sets", DEFAULT_SETS)
    weights = recipe.get("masks", {}).get("set_weights")
    if weights is not None and (len(weights) != len(sets) or min(weights) < 0 or sum(weights) <= 0):
        raise JepaError(
            f"recipe {recipe['name']}: masks.set_weights must give one non-negative weight per mask set "
            f"({len(sets)} sets), not all zero; got {weights}."
        )
    pred_cfg = PredictorConfig(
        style="vjepa",
        embed_dim=enc_cfg.embed_dim,
        num_patches=enc_cfg.num_patches,
        use_mask_tokens=True,
        num_mask_tokens=len(sets),
        **model["predictor"],
    )
    encoder = VisionTransformer(enc_cfg)
    target = copy.deepcopy(encoder).requires_grad_(False)
    modules = {
        "encoder": encoder.to(device),
        "predictor": build_predictor(pred_cfg, enc_cfg).to(device),
        "target_encoder": target.to(device),
    }
    return modules, enc_cfg, pred_cfg


def _future_references(pixels: torch.Tensor, grid_shape, decoder, t0: torch.Tensor, keep: torch.Tensor) -> tuple:
    """A reference decoder's training inputs, as a future-frame mask gives them: clip i's context is its
    first t0[i] time steps, every later patch gets the last context frame at its place, and the context
    patches none; clips with keep[i] False get no reference at all, so the decoder still decodes an
    embedding alone (masks whose targets no context step shows)."""
    b, n, _ = pixels.shape
    steps = grid_shape[0]
    tokens = pixels.view(b, steps, n // steps, -1)
    last = tokens[torch.arange(b), t0 - 1][..., -decoder.frame_pixels :]  # [B, rows·cols, p·p·C]
    present = (torch.arange(steps)[None, :] >= t0[:, None]) & keep[:, None]  # [B, steps]
    reference = last[:, None].expand(b, steps, *last.shape[1:]).reshape(b, n, -1)
    return reference, present[:, :, None].expand(b, steps, n // steps).reshape(b, n).to(pixels.device)


def resolve_path(path: str) -> Path:
    """A recipe's path: as given when it exists (or is absolute), else under the project's home."""
    from jepa_explorer.resources import home

    p = Path(path)
    return p if p.is_absolute() or p.exists() else home() / p


def stage_bundle(source: str, where: str, what: str, remedy: str) -> Path:
    """The folder of the bundle an earlier stage exported to `source` (a recipe's "init" or "grow"), or one
    line: `where` it was looked for, that no `what` is there, and the `remedy`."""
    from jepa_explorer.checkpoints.load import CARD_NAME

    folder = resolve_path(source)
    if not (folder / CARD_NAME).is_file():
        raise JepaError(f"{where}: no {what} there; {remedy}.")
    return folder


class Trainer:
    """One recipe, one run directory. `run()` trains until total_steps, writing checkpoints on the way."""

    def __init__(
        self,
        recipe: dict,
        run_dir: Path,
        device: str | None = None,
        max_steps: int | None = None,
        workers: int = 0,
        max_minutes: float | None = None,
    ):
        from jepa_explorer.device import pick_device

        self.recipe, self.run_dir = recipe, Path(run_dir)
        self.device = pick_device(device)
        self.workers, self.max_minutes = workers, max_minutes
        self.command_args = ""  # the --set overrides, so the card's command reproduces the run
        if self.device.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = True  # tiny matrices: TF32 is plenty and faster
        self.optim_cfg = recipe["optim"]
        self.total_steps = self.optim_cfg["total_steps"]
        self.stop_at = min(self.total_steps, max_steps) if max_steps else self.total_steps
        self.state = RunState()
        self.history: list[dict] = []
        self._init_card: tuple[dict, str] | None = None
        self._grown: tuple[int, int] | None = None  # (init's, recipe's) predictor depth, when grow_predictor grew it
        torch.manual_seed(recipe["seed"])
        self.modules = self._build()
        if recipe.get("init"):
            self._init_from(recipe["init"])
        if recipe.get("freeze_encoder"):
            self._freeze_encoder()
        params = [p for name, m in self.modules.items() if name in self.trainable for p in m.parameters() if p.requires_grad]
        decay = [p for p in params if p.ndim > 1]
        no_decay = [p for p in params if p.ndim <= 1]
        self.opt = torch.optim.AdamW(
            [{"params": decay}, {"params": no_decay, "weight_decay": 0.0, "no_wd": True}],
            lr=self.optim_cfg["lr"],
            betas=tuple(self.optim_cfg.get("betas", (0.9, 0.999))),
        )
        data = recipe["data"]
        if recipe["kind"] == "vjepa" or data.get("source") == "clips":
            from jepa_explorer.train.clips import ClipBatches

            self.batches = ClipBatches(
                split="train",
                size=data["size"],
                num_frames=data["num_frames"],
                batch_size=data["batch_size"],
                seed=recipe["seed"],
                photo_fraction=data.get("photo_fraction", 0.0),  # photo-motion clips (photo_motion.py)
                photo_slow=data.get("photo_slow", 0.0),
            )
        else:
            from jepa_explorer.train.data import ImageBatches

            self.batches = ImageBatches(
                split="train",
                size=data["size"],
                batch_size=data["batch_size"],
                photo_fraction=data.get("photo_fraction", 0.5),
                seed=recipe["seed"],
            )

    # -------------------------------------------------------------- models

    def _build(self) -> dict:
        kind = self.recipe["kind"]
        model = self.recipe["model"]
        if kind == "ijepa":
            enc_cfg = ViTConfig(**model["encoder"])
            from jepa_explorer.models.vit import VisionTransformer, build_predictor

            pred_cfg = PredictorConfig(
                style="ijepa", embed_dim=enc_cfg.embed_dim, num_patches=enc_cfg.num_patches, **model["predictor"]
            )
            encoder = VisionTransformer(enc_cfg)
            target = copy.deepcopy(encoder).requires_grad_(False)
            self.trainable = ("encoder", "predictor")
            self.enc_cfg, self.pred_cfg = enc_cfg, pred_cfg
            return {
                "encoder": encoder.to(self.device),
                "predictor": build_predictor(pred_cfg, enc_cfg).to(self.device),
                "target_encoder": target.to(self.device),
            }
        if kind == "vjepa":
            modules, self.enc_cfg, self.pred_cfg = build_vjepa(self.recipe, self.device)
            self.trainable = ("encoder", "predictor")
            return modules
        if kind == "mae":
            from jepa_explorer.models.mae import MaeDecoderConfig, MaskedAutoencoder

            self.enc_cfg = ViTConfig(**model["encoder"])
            self.trainable = ("mae",)
            return {"mae": MaskedAutoencoder(self.enc_cfg, MaeDecoderConfig(**model["decoder"])).to(self.device)}
        if kind == "decoder":
            from jepa_explorer.checkpoints.load import load_model
            from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder

            jepa = load_model(resolve_path(self.recipe["jepa"]), self.device)
            self.jepa_target = jepa.target_encoder.eval().requires_grad_(False)
            if self.recipe.get("predicted_fraction", 0.0):
                if not jepa.config.encoder.video or jepa.predictor is None:
                    raise JepaError(
                        f"recipe {self.recipe['name']}: predicted_fraction needs a video JEPA with a predictor "
                        f"(it decodes future-frame predictions); {self.recipe['jepa']} has none. Drop predicted_fraction."
                    )
                self.jepa_encoder = jepa.encoder.eval().requires_grad_(False)
                self.jepa_predictor = jepa.predictor.eval().requires_grad_(False)
            self.enc_cfg = jepa.config.encoder
            cfg = DecoderConfig(
                embed_dim=self.enc_cfg.embed_dim,
                patch_size=self.enc_cfg.patch_size,
                tubelet_size=self.enc_cfg.tubelet_size if self.enc_cfg.video else 1,
                **model["decoder"],
            )
            if cfg.reference and not self.enc_cfg.video:
                raise JepaError(
                    f"recipe {self.recipe['name']}: a reference decoder needs a video JEPA (its reference is the "
                    f"last context frame); {self.recipe['jepa']} is an image model. Drop model.decoder.reference."
                )
            self.trainable = ("decoder",)
            return {"decoder": PatchDecoder(cfg).to(self.device)}
        raise JepaError(f"recipe {self.recipe['name']}: unknown kind '{kind}' (ijepa, vjepa, mae or decoder).")

    def _init_from(self, source: str) -> None:
        """Start from a bundled JEPA's weights (a second schedule on top of a first; the card names both)."""
        kind = self.recipe["kind"]
        if kind not in ("ijepa", "vjepa"):
            raise JepaError(f"recipe {self.recipe['name']}: 'init' continues an I-JEPA or a V-JEPA; this recipe is '{kind}'.")
        from jepa_explorer.checkpoints.load import load_model

        remedy = ("export the stage before to it (the commands are on the bundled model's card, under Training "
                  "stages) or set init to a bundle")  # fmt: skip
        jepa = load_model(stage_bundle(source, f"recipe {self.recipe['name']}: init {source}", "bundle", remedy), "cpu")
        self._init_card = (dict(jepa.card or {}), source)  # the export's card continues its training history
        if jepa.config.family != kind:
            family = jepa.config.family
            raise JepaError(f"recipe {self.recipe['name']}: init {source} is a {family} model; the recipe trains a {kind}.")
        for name in ("encoder", "predictor", "target_encoder"):
            state = {k: v.float() for k, v in getattr(jepa, name).state_dict().items()}
            try:
                if name == "predictor" and self.recipe.get("grow_predictor"):
                    self._grown = grow_predictor(self.modules[name], state)
                else:
                    self.modules[name].load_state_dict(state)
            except RuntimeError as e:
                where = f"recipe {self.recipe['name']}: init {source}"
                raise JepaError(f"{where}: its {name} does not fit the recipe's model ({e}).") from e

    def _freeze_encoder(self) -> None:
        """A predictor-only stage: the encoders stay as they are (no gradient, no EMA step), so the targets stop
        moving and the predictor alone learns to reach them."""
        if not self.recipe.get("init"):
            name = self.recipe["name"]
            raise JepaError(f"recipe {name}: 'freeze_encoder' needs 'init' (a trained JEPA whose encoders to keep).")
        self.modules["encoder"].requires_grad_(False)
        self.trainable = ("predictor",)

    # -------------------------------------------------------------- checkpoints

    @property
    def last_path(self) -> Path:
        return self.run_dir / "last.pt"

    def save(self) -> None:
        save_run(self.last_path, self.modules, {"opt": self.opt}, self.state, self.history, recipe=json.dumps(self.recipe))

    def resume(self) -> bool:
        if not self.last_path.exists():
            return False
        self.state, self.history = load_run(self.last_path, self.device, self.modules, {"opt": self.opt})
        return True

    # -------------------------------------------------------------- steps

    def _schedules(self, step: int) -> None:
        lr = lr_at(step, self.optim_cfg)
        wd = cosine_ramp(step, self.total_steps, *self.optim_cfg.get("weight_decay", (0.04, 0.4)))
        for group in self.opt.param_groups:
            group["lr"] = lr
            if not group.get("no_wd"):
                group["weight_decay"] = wd

    def _step_ijepa(self, x: torch.Tensor, rng: np.random.Generator) -> float:
        from jepa_explorer.train.masking import collate_multiblock

        enc, pred, target = self.modules["encoder"], self.modules["predictor"], self.modules["target_encoder"]
        masks_enc, masks_pred = collate_multiblock(len(x), self.enc_cfg.grid_shape, rng, **self.recipe.get("masks", {}))
        masks_enc = [m.to(self.device) for m in masks_enc]
        masks_pred = [m.to(self.device) for m in masks_pred]
        with torch.no_grad():
            h = target(x)
            h = F.layer_norm(h, (h.size(-1),))
            targets = repeat_interleave_batch(apply_masks(h, masks_pred), len(x), repeat=len(masks_enc))
        z = enc(x, masks_enc)  # a frozen encoder (freeze_encoder) has no parameter that asks for a gradient
        loss = F.smooth_l1_loss(pred(z, masks_enc, masks_pred), targets)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        ema_step(self, default=(0.996, 1.0))
        return loss.item()

    def _step_mae(self, x: torch.Tensor, rng: np.random.Generator) -> float:
        from jepa_explorer.train.masking import collate_mae

        visible, hidden = collate_mae(len(x), self.enc_cfg.grid_shape, rng, **self.recipe.get("masks", {}))
        loss = self.modules["mae"].loss(x, visible.to(self.device), hidden.to(self.device))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.item()

    def _step_decoder(self, x: torch.Tensor, rng: np.random.Generator) -> float:
        from jepa_explorer.models.mae import patchify, patchify_video

        with torch.no_grad():
            h = self.jepa_target(x)
            h = F.layer_norm(h, (h.size(-1),))
        cfg = self.enc_cfg
        pixels = patchify_video(x, cfg.patch_size, cfg.tubelet_size) if cfg.video else patchify(x, cfg.patch_size)
        decoder = self.modules["decoder"]
        predicted = self.recipe.get("predicted_fraction", 0.0)
        if decoder.cfg.reference or predicted:
            b, steps = len(x), cfg.grid_shape[0]
            # predictions need one context for the whole batch (one predictor call); references alone may vary per clip
            t0 = torch.full((b,), int(rng.integers(1, steps))) if predicted else torch.from_numpy(rng.integers(1, steps, size=b))
            keep = torch.from_numpy(rng.random(b) >= self.recipe.get("reference_dropout", 0.2))
        if predicted:
            h = self._with_predictions(x, h, int(t0[0]), torch.from_numpy(rng.random(b) < predicted))
        reference = _future_references(pixels, cfg.grid_shape, decoder, t0, keep) if decoder.cfg.reference else ()
        loss = F.mse_loss(decoder(h, *reference), pixels)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.item()

    @torch.no_grad()
    def _with_predictions(self, x: torch.Tensor, h: torch.Tensor, t0: int, chosen: torch.Tensor) -> torch.Tensor:
        """`h` with the chosen clips' patches after time step t0 replaced by the frozen JEPA's predictions
        from the steps before it (the future-frame mask's token): the decoder learns to read what a
        predictor gives it, not only the actual embeddings."""
        from jepa_explorer.masks.generators import FUTURE_TOKEN

        if not chosen.any():
            return h
        per_step = h.size(1) // self.enc_cfg.grid_shape[0]
        rows = chosen.nonzero().flatten().to(h.device)
        count = len(rows)
        ctx = torch.arange(t0 * per_step, device=h.device)[None].expand(count, -1)
        tgt = torch.arange(t0 * per_step, h.size(1), device=h.device)[None].expand(count, -1)
        z = self.jepa_encoder(x[rows], [ctx])
        pred = self.jepa_predictor(z, h[rows][:, t0 * per_step :], [ctx], [tgt], mask_index=FUTURE_TOKEN)
        h = h.clone()
        h[rows, t0 * per_step :] = pred.to(h.dtype)
        return h

    def run(self, log=print, checkpoint_every_s: float | None = None) -> RunState:
        step_fn = {
            "ijepa": self._step_ijepa,
            "vjepa": lambda x, rng: vjepa_step(self, x, rng),
            "mae": self._step_mae,
            "decoder": self._step_decoder,
        }[self.recipe["kind"]]
        for m in self.modules.values():
            m.train()
        if self.recipe["kind"] in ("ijepa", "vjepa"):
            self.modules["target_encoder"].eval()
        from jepa_explorer.train.prefetch import Prefetcher

        def one_step(x, step):
            rng = np.random.default_rng([self.recipe["seed"], step])  # masks depend on (seed, step) only
            return {"loss": step_fn(x.to(self.device, non_blocking=True), rng)}

        unit = "clips" if self.recipe["kind"] == "vjepa" else "img"
        return run_steps(
            self, Prefetcher(self.batches, self.state.step, self.stop_at, self.workers), one_step, len,
            lambda entry: f"loss {entry['loss']:.4f} lr {entry['lr']:.2e}", unit, "images_per_s", log,
            checkpoint_every_s or self.recipe.get("checkpoint_every_s", 300),
        )  # fmt: skip

    # -------------------------------------------------------------- export

    def _hardware(self, platform) -> str:
        import os

        cpu = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
        if self.device.type == "cuda":
            return f"{torch.cuda.get_device_name(self.device)} (CUDA), {cpu}, {self.workers} batch workers"
        return f"{cpu}, {torch.get_num_threads()} threads, {self.device}"

    def export(self, out_dir: Path, extra_card: dict | None = None) -> Path:
        """Write the bundle (safetensors + card) for the app."""
        import platform

        from jepa_explorer.checkpoints.bundle import save_bundle

        kind = self.recipe["kind"]
        card = {
            "name": self.recipe["name"],
            "kind": "jepa" if kind in ("ijepa", "vjepa") else kind,
            "recipe": self.recipe,
            "seed": self.recipe["seed"],
            "training": {
                "steps": self.state.step,
                "images_seen": self.state.images,
                "compute_seconds": round(self.state.seconds, 1),
                "hardware": self._hardware(platform),
                "torch": torch.__version__,
                "command": f"jepa-explorer train {self.recipe['name']}{self.command_args}"
                + (f" --steps {self.state.step}" if self.state.step < self.total_steps else ""),
            },
        }
        if self._init_card is not None:
            from jepa_explorer.train.cards import PREDICTOR_ONLY, staged_training

            stage = {"recipe": self.recipe["name"], **card["training"]}
            if self.recipe.get("freeze_encoder"):
                stage["trains"] = f"{PREDICTOR_ONLY} (encoder and EMA target encoder frozen: the representation is unchanged)"
            if self._grown and self._grown[0] < self._grown[1]:
                before, after = self._grown
                grown = f"the predictor grown from {before} to {after} blocks (the new ones starting as the identity)"
                stage["trains"] = f"{stage.get('trains', 'the encoder and the predictor')}; {grown}"
            card["training"] = staged_training(*self._init_card, stage)
            card["name"] = self._init_card[0].get("name") or card["name"]  # a further stage of the same model keeps its name
        data = self.recipe["data"]
        from jepa_explorer.train.cards import training_data_summary

        clips = kind == "vjepa" or data.get("source") == "clips"
        if clips:
            card["training_data"] = {
                "clips": "procedural sprite clips: bouncing, colliding and occluding sprites at constant velocity over "
                "procedural textures (jepa_explorer.train.clips; training seed tag 10, held-out evaluation tag 11)",
                "augmentation": "flips, colour jitter shared by the frames of a clip",
            }
            if data.get("photo_fraction"):
                card["training_data"]["photo_motion_clips"] = (
                    f"{data['photo_fraction']:.0%} of each batch: clips made from the training photographs "
                    "(jepa_explorer.train.photo_motion; camera pans, zooms and small rotations, photo-textured objects "
                    "with the sprite physics, lighting drift, ripples and squash-and-stretch; seed tag 16; the held-out "
                    "photographs of data/photos_manifest.json never appear)"
                )
                if data.get("photo_slow"):
                    card["training_data"]["photo_motion_clips"] += (
                        f"; {data['photo_slow']:.0%} of them slowed to a pace of 0.1-0.5 (seed tag 21)"
                    )
        else:
            card["training_data"] = training_data_summary(data.get("photo_fraction", 0.5))
        card["input"] = {"size": data["size"], "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
        if clips:
            card["input"]["num_frames"] = data["num_frames"]
        if kind in ("ijepa", "vjepa"):
            card["family"] = kind
            card["architecture"] = {"encoder": self.enc_cfg.to_dict(), "predictor": self.pred_cfg.to_dict()}
            modules = {k: self.modules[k] for k in ("encoder", "target_encoder", "predictor")}
        elif kind == "mae":
            mae = self.modules["mae"]
            card["architecture"] = {"encoder": self.enc_cfg.to_dict(), "decoder": mae.decoder_cfg.to_dict()}
            modules = {"mae": mae}
        else:
            dec = self.modules["decoder"]
            card["architecture"] = {"decoder": dec.cfg.to_dict()}
            card["jepa"] = self.recipe["jepa"]
            modules = {"decoder": dec}
        card.update(extra_card or {})
        # half-precision storage keeps each bundle well under 25 MB; eval measures the saved weights
        return save_bundle(out_dir, modules, card, dtype=getattr(torch, self.recipe.get("bundle_dtype", "float16")))


def grow_predictor(predictor: torch.nn.Module, state: dict) -> tuple[int, int]:
    """Load a shallower predictor's weights into a deeper one (recipe ``"grow_predictor": true``).

    The blocks the state has are loaded; each further block starts as the identity (its attention and MLP
    output projections zeroed), so the grown predictor first computes exactly what the init one did and
    the stage only adds capacity to it. Returns (blocks before, blocks now)."""
    blocks = predictor.predictor_blocks
    have = len({k.split(".")[1] for k in state if k.startswith("predictor_blocks.")})
    if have > len(blocks):
        raise RuntimeError(f"the init has {have} predictor blocks, more than the recipe's {len(blocks)}")
    missing, unexpected = predictor.load_state_dict(state, strict=False)
    new_keys = {k for k in predictor.state_dict() if k.startswith("predictor_blocks.") and int(k.split(".")[1]) >= have}
    if unexpected or set(missing) != new_keys:
        raise RuntimeError(f"keys that do not match: missing {sorted(set(missing) - new_keys)}, unexpected {sorted(unexpected)}")
    with torch.no_grad():
        for block in list(blocks)[have:]:
            for out in (block.attn.proj, block.mlp.fc2):
                out.weight.zero_()
                out.bias.zero_()
    return have, len(blocks)


def run_steps(trainer, prefetch, step_fn, size, describe, unit: str, rate_key: str, log, every_s: float) -> RunState:
    """The loop every trainer shares: `step_fn(batch, step) -> {"loss": ..., ...}` until `trainer.stop_at` or the
    --max-minutes deadline; a non-finite loss stops the run with advice; every `log_every` steps a progress line
    (`describe(history entry)`) and a history entry (the mean of each step output, the rate as `rate_key`);
    a checkpoint every `every_s` seconds and at the end. `size(batch)`: the images or frames it holds."""
    log_every = trainer.recipe.get("log_every", 20)
    state = trainer.state
    last_save = time.perf_counter()
    deadline = last_save + 60 * trainer.max_minutes if trainer.max_minutes else math.inf
    window_start, window_n, parts = time.perf_counter(), 0, []
    try:
        while state.step < trainer.stop_at:
            if time.perf_counter() > deadline:
                log(f"stopping at step {state.step}: the {trainer.max_minutes:g}-minute limit is reached (--resume continues)")
                break
            step = state.step
            batch = prefetch.next()
            trainer._schedules(step)
            started = time.perf_counter()
            out = step_fn(batch, step)
            if not math.isfinite(out["loss"]):
                raise JepaError(f"training diverged at step {step} (loss {out['loss']}); lower the learning rate in the recipe.")
            state.seconds += time.perf_counter() - started
            state.step += 1
            n = size(batch)
            state.images += n
            window_n += n
            parts.append(out)
            if state.step % log_every == 0 or state.step == trainer.stop_at:
                rate = window_n / max(time.perf_counter() - window_start, 1e-9)
                eta = (trainer.stop_at - state.step) * n / max(rate, 1e-9)
                entry = {"step": state.step, **{k: float(np.mean([p[k] for p in parts])) for k in parts[0]}}
                entry.update({"lr": trainer.opt.param_groups[0]["lr"], rate_key: rate, "seconds": state.seconds})
                trainer.history.append(entry)
                done = int(30 * state.step / trainer.stop_at)
                log(
                    f"[{'#' * done}{'-' * (30 - done)}] step {state.step}/{trainer.stop_at} {describe(entry)} "
                    f"{rate:.0f} {unit}/s eta {eta / 60:.1f} min"
                )
                window_start, window_n, parts = time.perf_counter(), 0, []
            if time.perf_counter() - last_save > every_s:
                trainer.save()
                last_save = time.perf_counter()
    finally:  # worker processes end with the run, also when it diverges or is interrupted
        prefetch.close()
    trainer.save()
    for m in trainer.modules.values():
        m.eval()
    return state


def apply_overrides(recipe: dict, overrides: list[str]) -> dict:
    """A copy of ``recipe`` with each ``dotted.key=JSON`` set (e.g. ``model.predictor.depth=6``)."""
    recipe = copy.deepcopy(recipe)
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise JepaError(f"--set {item!r}: write it as KEY=VALUE, e.g. --set optim.total_steps=5000.")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text  # a bare word is a string (name=my-run)
        *parents, leaf = key.split(".")
        node = recipe
        for part in parents:
            if not isinstance(node.get(part), dict):
                raise JepaError(f"--set {item!r}: the recipe has no section '{part}' on the way to '{key}'.")
            node = node[part]
        node[leaf] = value
    return recipe


def train_main(
    recipe_name: str,
    out: str | None,
    resume: bool,
    device: str | None,
    max_steps: int | None,
    export: str | None,
    overrides: list[str] = (),
    workers: int = 0,
    max_minutes: float | None = None,
) -> int:
    recipe = apply_overrides(load_recipe(recipe_name), list(overrides))
    run_dir = Path(out or Path("runs") / recipe["name"])
    if recipe["kind"] == "world":  # the action-conditioned world model has its own trainer
        from jepa_explorer.train.world import world_train_main

        return world_train_main(recipe, run_dir, resume, device, max_steps, export, list(overrides), max_minutes)
    trainer = Trainer(recipe, run_dir, device, max_steps, workers, max_minutes)
    batch = f"batch {recipe['data']['batch_size']}"
    return drive(trainer, run_dir, resume, export, overrides, f"{recipe['name']} ({recipe['kind']})", batch)


def drive(trainer, run_dir: Path, resume: bool, export, overrides, what: str, batch: str) -> int:
    """Start or resume `trainer` in `run_dir`, run it with its progress on stderr, export the bundle if asked:
    every kind's trainer (this module's, train/world.py's) is driven the same way."""
    trainer.command_args = "".join(f" --set {item}" for item in overrides)
    if resume and trainer.resume():
        print(f"resumed {run_dir} at step {trainer.state.step}", file=sys.stderr)
    elif trainer.last_path.exists() and not resume:
        raise JepaError(f"{trainer.last_path} exists: pass --resume to continue it, or --out another folder.")
    print(f"training {what} on {trainer.device}: {trainer.stop_at} steps, {batch}, run folder {run_dir}", file=sys.stderr)
    trainer.run(log=lambda line: print(line, file=sys.stderr, flush=True))
    if export:
        print(f"exported {trainer.export(Path(export))}", file=sys.stderr)
    return 0
