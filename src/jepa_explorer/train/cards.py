"""Putting `eval` results into model cards, and printing them as a table."""

from __future__ import annotations

import json
from pathlib import Path

from jepa_explorer.errors import JepaError
from jepa_explorer.fileio import write_text


def training_data_summary(photo_fraction: float) -> dict:
    """What a run trained on and what it held out, read from the photo manifest and the files on disk."""
    from collections import Counter

    from jepa_explorer.train.photos import load_photos

    def sources(split: str, committed_only: bool = False) -> list[dict]:
        _, records = load_photos(split, committed_only=committed_only)
        counts = Counter((r["source"], r["licence"]) for r in records)
        return [{"source": s, "licence": lic, "photos": n} for (s, lic), n in sorted(counts.items())]

    train = sources("train")
    return {
        "photographs_train": train,
        "photographs_train_total": sum(s["photos"] for s in train),
        "photographs_heldout_for_eval": [r["file"] for r in load_photos("test", committed_only=True)[1]],
        "procedural": "dead leaves (power-law sizes), 1/f textures, shaded occluding shapes; lighting, blur, noise "
        "(jepa_explorer.train.procedural, training seed tag 0; held-out evaluation seeds tag 1)",
        "photo_fraction": photo_fraction,
        "augmentation": "random resized crop (scale 0.2-1), flips, blur, colour jitter, greyscale",
        "reproduce": "apt-get install lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 xplanet-images mate-backgrounds "
        "plasma-workspace-wallpapers gimp-data; pip install scikit-image matplotlib PyWavelets; "
        "python -m jepa_explorer.train.photos (GPL photographs are used locally, not committed)",
    }


# how a predictor-only stage's `trains` begins: export writes it, the card's opening counts such stages
PREDICTOR_ONLY = "the predictor only"


def staged_training(previous: dict, previous_source: str, stage: dict, seen: str = "images_seen") -> dict:
    """The card's training block for a model trained in stages: the `init` bundle's card (`previous`, read
    from `previous_source`) lists the stages so far, `stage` is the one just run. Totals add up; each stage
    keeps its own command, hardware and torch, and the commands chain (each earlier stage exports to the
    folder the next one starts from), so the card says how to reproduce the whole model. `seen`: the count
    of samples a stage saw ("frames_seen" for a world model)."""
    before = previous.get("training", {})
    stages = [dict(s) for s in before.get("stages", [])]
    if not stages:
        fields = ("steps", seen, "compute_seconds", "hardware", "torch", "command")
        stages = [{"recipe": previous.get("recipe", {}).get("name", previous.get("name")), **{k: before.get(k) for k in fields}}]
        if before.get("note"):  # e.g. how a run was cut short: still true of that stage
            stages[0]["note"] = before["note"]
    _keep_selection_with_last_stage(before, stages)
    if "--export" not in (stages[-1].get("command") or ""):
        stages[-1]["command"] = f"{stages[-1].get('command')} --export {previous_source}"
    stages.append(dict(stage))
    return {
        "steps": sum(int(s.get("steps") or 0) for s in stages),
        seen: sum(int(s.get(seen) or 0) for s in stages),
        "compute_seconds": round(sum(float(s.get("compute_seconds") or 0) for s in stages), 1),
        "hardware": _per_stage([s.get("hardware") for s in stages]),
        "torch": _per_stage([s.get("torch") for s in stages]),
        "command": " && ".join(str(s.get("command")) for s in stages),
        "stages": stages,
    }


def _keep_selection_with_last_stage(training: dict, stages: list[dict]) -> list[dict]:
    """Why the last stage was kept (`training["selection"]`, written by hand beside the totals) belongs to that
    stage: moved into it when a stage follows, shown with it on the card."""
    if training.get("selection"):
        stages[-1].setdefault("selection", training["selection"])
    return stages


def _per_stage(values: list) -> str:
    """'x' when every stage agrees, else 'stage 1: x; stages 2 and 3: y'."""
    groups: dict[str, list[int]] = {}
    for number, value in enumerate(values, 1):
        groups.setdefault(str(value), []).append(number)
    if len(groups) == 1:
        return next(iter(groups))
    parts = []
    for value, numbers in groups.items():
        names = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
        parts.append(f"stage{'s' if len(numbers) > 1 else ''} {names}: {value}")
    return "; ".join(parts)


def write_metrics(checkpoint: str | Path, report: dict) -> Path:
    card_path = Path(checkpoint) / "card.json" if Path(checkpoint).is_dir() else Path(checkpoint).parent / "card.json"
    if not card_path.exists():
        raise JepaError(f"{card_path}: no card to write metrics into (only bundles carry cards).")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["metrics"] = {k: v for k, v in report.items() if k not in ("checkpoint",)}
    card["metrics"]["command"] = report.get("command") or f"jepa-explorer eval {Path(report['checkpoint']).as_posix()}"
    write_text(card_path, json.dumps(card, indent=1) + "\n")
    write_text(card_path.parent / "README.md", model_card_markdown(card))
    return card_path


def _prediction_lines(pred: dict) -> list[str]:
    """The loss / cosine table of a predictor and its baselines, then the gains."""
    lines = [f"  {'':18}{'loss':>10}{'cosine':>10}"]
    lines += [f"  {name:18}{m['loss']:10.4f}{m['cosine']:10.4f}" for name, m in pred["mean"].items()]
    lines += [f"  gain ({metric}) vs {g['best_baseline']}: {g['gain']:+.1%}" for metric, g in pred["gain"].items()]
    return lines


def format_report(report: dict) -> str:
    lines = [f"{report['checkpoint']}"]
    for domain, pred in report["prediction"].items():
        lines.append(f"\n{domain} (held out: {pred['images']} images × {pred['masks_per_image']} multiblock masks)")
        lines += _prediction_lines(pred)
    lines.append("\ncollapse (held-out patch embeddings)")
    for name, c in report["collapse"].items():
        lines.append(
            f"  {name:14} mean per-dim std {c['mean_dim_std']:.3f}, effective rank {c['effective_rank']:.1f} / {c['dims']}"
        )
    if "probe" in report:
        p = report["probe"]
        lines.append(
            f"\nprobe: {p['task']} ({p['classes']} classes, chance {p['chance']:.0%}, {p['n_train']} train / {p['n_test']} test)"
        )
        for name, s in p["scores"].items():
            lines.append(f"  {name:14} kNN-20 {s['knn20']:.1%}   linear {s['linear']:.1%}")
    if "pixels_psnr_db" in report:
        lines.append("\npixels: PSNR on the target region (dB)")
        for domain, scores in report["pixels_psnr_db"].items():
            lines.append(f"  {domain:12} " + "  ".join(f"{k} {v:.2f}" for k, v in scores.items()))
    return "\n".join(lines)


def markdown_metrics(report: dict) -> str:
    """The README's metrics table, from an `eval --json` report."""
    rows = [
        "| held-out domain | images × masks | predictor loss | nearest context | mean context | gain (loss) | gain (cosine) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for domain, pred in report["prediction"].items():
        m = pred["mean"]
        rows.append(
            f"| {domain} | {pred['images']} × {pred['masks_per_image']} | {m['predictor']['loss']:.4f} | "
            f"{m['nearest_context']['loss']:.4f} | {m['mean_context']['loss']:.4f} | "
            f"{pred['gain']['loss']['gain']:+.1%} | {pred['gain']['cosine']['gain']:+.1%} |"
        )
    lines = ["\n".join(rows), ""]
    c = report["collapse"]
    lines.append(
        f"Collapse check (held-out patch embeddings): mean per-dimension std {c['trained']['mean_dim_std']:.3f} "
        f"(random init {c['random_init']['mean_dim_std']:.3f}), effective rank {c['trained']['effective_rank']:.1f} "
        f"(random init {c['random_init']['effective_rank']:.1f}) of {c['trained']['dims']}."
    )
    if "probe" in report:
        p = report["probe"]
        s = p["scores"]
        lines += [
            "",
            f"Probe ({p['task']}; {p['n_train']} train / {p['n_test']} test, chance {p['chance']:.0%}): "
            + "; ".join(f"{name.replace('_', ' ')} kNN-20 {v['knn20']:.1%}, linear {v['linear']:.1%}" for name, v in s.items())
            + ".",
        ]
    if "pixels_psnr_db" in report:
        lines += [
            "",
            "| PSNR on the target region (dB) | MAE reconstruction | decoder on actual | decoder on predicted |",
            "| --- | --- | --- | --- |",
        ]
        for domain, v in report["pixels_psnr_db"].items():
            lines.append(
                f"| {domain} | {v.get('mae', float('nan')):.2f} | {v.get('decoded_actual', float('nan')):.2f} | "
                f"{v.get('decoded_prediction', float('nan')):.2f} |"
            )
    return "\n".join(lines)


def model_card_markdown(card: dict) -> str:
    """A human-readable model card (checkpoints/NAME/README.md) from card.json."""
    if card.get("kind") in ("world", "world-decoder"):
        from jepa_explorer.train.world_card import world_card_markdown

        return world_card_markdown(card)
    training = card.get("training", {})
    data = card.get("training_data", {})
    lines = [f"# {card.get('name', 'model')}", "", *_opening(card), ""]
    recipe_name = card.get("recipe", {}).get("name", card.get("name"))  # the last stage's, for a continued model
    lines += [
        f"- kind: {card.get('kind', 'jepa')}" + (f" ({card['family']})" if card.get("family") else ""),
        f"- input: {card.get('input', {}).get('size')} px, ImageNet mean/std normalisation",
        f"- weights: `model.safetensors` ({card.get('weights_dtype', 'float32')}), sha256 `{card.get('weights_sha256', '?')}`",
        f"- trained: {training.get('steps')} steps, {training.get('images_seen')} samples, "
        f"{training.get('compute_seconds', 0) / 60:.0f} min on {training.get('hardware')}, torch {training.get('torch')}, "
        f"seed {card.get('seed')}",
        f"- reproduce: `{training.get('command')}` (recipe `src/jepa_explorer/train/recipes/{recipe_name}.json`)",
    ]
    if card.get("jepa"):
        lines.append(f"- decodes the embeddings of: `{card['jepa']}`")
    if training.get("stages"):
        stages = _keep_selection_with_last_stage(training, [dict(stage) for stage in training["stages"]])
        lines += ["", "## Training stages", "", *stage_lines(stages)]
    if data.get("photographs_train"):
        lines += ["", "## Training data", ""]
        lines += [f"- {s['source']}: {s['photos']} photographs ({s['licence']})" for s in data["photographs_train"]]
        lines += [f"- procedural: {data.get('procedural')}", f"- augmentation: {data.get('augmentation')}"]
        lines += [
            "",
            "Held out for evaluation (never trained on): "
            + ", ".join(f"`{f}`" for f in data.get("photographs_heldout_for_eval", [])),
        ]
        lines += ["", f"Reproducing the photo set: {data.get('reproduce')}"]
    elif data:
        lines += ["", "## Training data", ""] + [f"- {k}: {v}" for k, v in data.items()]
    if card.get("metrics", {}).get("prediction") and "photos" in card["metrics"]["prediction"]:
        lines += ["", "## Metrics (held-out sources, `jepa-explorer eval`)", "", markdown_metrics(card["metrics"])]
        lines += ["", f"Command: `{card['metrics'].get('command')}`"]
    elif card.get("metrics", {}).get("prediction"):  # a video model's report
        report = {"checkpoint": card.get("name"), **card["metrics"]}
        lines += ["", "## Metrics (held-out clips, `jepa-explorer eval`)", "", "```", format_video_report(report), "```"]
        lines += ["", f"Command: `{card['metrics'].get('command')}`"]
    return "\n".join(lines) + "\n"


def _opening(card: dict) -> list[str]:
    """What the model is. One recipe's description says it for a model trained once; a model trained in
    stages is described from its card (the last stage may have changed the architecture), then its last stage."""
    description = card.get("recipe", {}).get("description", "")
    stages = card.get("training", {}).get("stages")
    if not stages:
        return [description]
    summary = architecture_summary(card)
    frozen = [n for n, s in enumerate(stages, 1) if s.get("trains", "").startswith(PREDICTOR_ONLY)]
    how = f"Trained in {len(stages)} stages (listed below)"
    if frozen and frozen == list(range(len(stages) - len(frozen) + 1, len(stages) + 1)):
        whole = len(stages) - len(frozen)
        first = "the first trains" if whole == 1 else f"the first {whole} train"
        how += f": {first} the whole model, the later ones the predictor only."
    else:
        how += "."
    return [f"{summary} {how}".strip(), "", f"Its last stage, `{card['recipe'].get('name')}`: {description}"]


def architecture_summary(card: dict) -> str:
    """One sentence from the card's architecture, e.g. 'V-JEPA: encoder ViT 192 wide x 5 deep on 16-frame 48 px
    clips (8 px patches, tubelet 2: 8x6x6 tokens); predictor 192 wide x 6 deep, 3 mask tokens.'"""
    arch = card.get("architecture", {})
    enc, pred = arch.get("encoder"), arch.get("predictor")
    if not enc:
        return ""
    from jepa_explorer.models.config import ViTConfig

    name = {"vjepa": "V-JEPA", "ijepa": "I-JEPA"}.get(card.get("family"), card.get("kind", "model"))
    cfg = ViTConfig.from_dict(enc)
    steps, side, _ = cfg.grid_shape
    if cfg.video:
        where = (
            f"{cfg.num_frames}-frame {cfg.img_size} px clips ({cfg.patch_size} px patches, "
            f"tubelet {cfg.tubelet_size}: {steps}x{side}x{side} tokens)"
        )
    else:
        where = f"{cfg.img_size} px images ({cfg.patch_size} px patches: {side}x{side} tokens)"
    text = f"{name}: encoder ViT {cfg.embed_dim} wide x {cfg.depth} deep on {where}"
    if pred:
        text += f"; predictor {pred['predictor_embed_dim']} wide x {pred['depth']} deep"
        if pred.get("use_mask_tokens") and pred.get("style") == "vjepa":
            text += f", {pred['num_mask_tokens']} mask tokens"
    return text + "."


def stage_lines(stages: list[dict]) -> list[str]:
    """One line per stage: what it trained, on what, and (where the card says) why it was kept."""
    lines = []
    for number, stage in enumerate(stages, 1):
        minutes = float(stage.get("compute_seconds") or 0) / 60
        line = (
            f"{number}. `{stage.get('recipe')}`: {stage.get('steps')} steps, {minutes:.0f} min on {stage.get('hardware')}"
            f" (torch {stage.get('torch')}); trains {stage.get('trains') or 'the encoder and the predictor'}."
            f" Command: `{stage.get('command')}`."
        )
        for key in ("selection", "note"):
            if stage.get(key):
                line += f" {key.capitalize()}: {stage[key]}."
        lines.append(line)
    return lines


def video_domain_summary(report: dict) -> list[str]:
    """One line per held-out domain: the gain (loss) of each mask kind over its best baseline, and the
    decoded future frames' PSNR beside copying the last context frame when measured."""
    rows = [("procedural", {"prediction": report["prediction"], **report})] if "prediction" in report else []
    rows += list(report.get("domains", {}).items())
    lines = []
    for name, d in rows:
        if "skipped" in d:
            lines.append(f"  {name:14} skipped: {d['skipped']}")
            continue
        gains = "  ".join(f"{kind.split(' (')[0]} {p['gain']['loss']['gain']:+.1%}" for kind, p in d["prediction"].items())
        px = d.get("future_pixels_psnr_db")
        if px:
            gains += f"  | PSNR decoded {px['decoded_prediction']:.2f} dB vs copy {px['copy_last_context_frame']:.2f} dB"
        lines.append(f"  {name:14} {gains}")
    return lines


def format_video_report(report: dict) -> str:
    lines = [f"{report['checkpoint']}: {report.get('domain', 'no procedural clips')}"]
    for kind, pred in report.get("prediction", {}).items():
        lines.append(f"\n{kind} ({pred['clips']} clips)")
        lines += _prediction_lines(pred)
    if "motion_probe" in report:
        p = report["motion_probe"]
        lines.append(f"\nmotion probe: {p['task']} (chance {p['chance']:.0%}, {p['n_train']} train / {p['n_test']} test)")
        lines.append(f"  pooling: {p.get('pooling', 'mean over all tokens')}")
        for name, sc in p["scores"].items():
            lines.append(f"  {name:24} kNN-20 {sc['knn20']:.1%}   linear {sc['linear']:.1%}")
        if p.get("scores_mean_pooled"):
            lines.append("  the same encoders, plain mean pooling (blind to the order of events):")
            for name, sc in p["scores_mean_pooled"].items():
                lines.append(f"  {name:24} kNN-20 {sc['knn20']:.1%}   linear {sc['linear']:.1%}")
    if "future_pixels_psnr_db" in report:
        lines.append("\npixels: PSNR on the future frames' target region (dB)")
        lines += [f"  {name:24} {value:.2f}" for name, value in report["future_pixels_psnr_db"].items()]
    for name, d in report.get("domains", {}).items():
        if "skipped" in d:
            continue
        for kind, pred in d["prediction"].items():
            lines.append(f"\n{name}: {kind} ({pred['clips']} clips; {d['source']})")
            lines += _prediction_lines(pred)
        if "future_pixels_psnr_db" in d:
            psnr = "  ".join(f"{k} {v:.2f}" for k, v in d["future_pixels_psnr_db"].items())
            lines.append(f"  pixels, PSNR on the future frames' target region (dB): {psnr}")
    if report.get("domains"):  # a report from before the per-domain eval renders as it always did
        split = report.get("split", "test")
        lines += ["", f"per domain ({split} split): gain (loss) over the best leak-free baseline", *video_domain_summary(report)]
    return "\n".join(lines)
