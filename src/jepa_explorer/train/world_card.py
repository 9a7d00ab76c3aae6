"""The world model's README (checkpoints/world-tiny/README.md) from its card.json, and the eval report's
metrics written into the card."""

from __future__ import annotations

import json
from pathlib import Path

from jepa_explorer.errors import JepaError


def world_card_markdown(card: dict) -> str:
    training = card.get("training", {})
    lines = [f"# {card.get('name', 'world model')}", ""]
    if card.get("kind") == "world-decoder":
        lines += [
            card.get("description", ""),
            "",
            f"- kind: world-decoder (shows the latents of `{card.get('world')}` as frames)",
            f"- weights: `model.safetensors` ({card.get('weights_dtype', 'float32')}), "
            f"sha256 `{card.get('weights_sha256', '?')}`",
            f"- trained with the world model: `{training.get('command')}`",
        ]
        if card.get("metrics"):
            lines += ["", "## Metrics", "", "```", json.dumps(card["metrics"], indent=1), "```"]
        return "\n".join(lines) + "\n"
    recipe = card.get("recipe", {})
    lines += [recipe.get("description", ""), ""]
    lines += [
        "- kind: world (action-conditioned JEPA: `encode`, `predict`, `rollout`; plan with `jepa_explorer.world.plan`)",
        f"- input: {card.get('input', {}).get('size')} px frames of `jepa_explorer.world`, "
        f"mean/std {card.get('input', {}).get('mean')} / {card.get('input', {}).get('std')}",
        f"- weights: `model.safetensors` ({card.get('weights_dtype', 'float32')}), sha256 `{card.get('weights_sha256', '?')}`",
        f"- trained: {training.get('steps')} steps, {training.get('frames_seen')} "
        f"frames, {training.get('compute_seconds', 0) / 60:.0f} min "
        f"on {training.get('hardware')}, torch {training.get('torch')}, seed {card.get('seed')}",
        f"- reproduce: `{training.get('command')}` (recipe "
        f"`src/jepa_explorer/train/recipes/{recipe.get('name', card.get('name'))}.json`)",
    ]
    for key, text in card.get("choices", {}).items():
        lines.append(f"- {key}: {text}")
    if training.get("stages"):
        from jepa_explorer.train.cards import stage_lines

        lines += ["", "## Training stages", "", *stage_lines(training["stages"])]
    if card.get("training_data"):
        lines += ["", "## Training data", ""] + [f"- {k}: {v}" for k, v in card["training_data"].items()]
    health = card.get("latent_health")
    if health:
        lines += [
            "",
            "## Latents did not collapse",
            "",
            "Held-out latents after training: mean per-dimension std "
            f"{health['mean_dim_std']:.3f} (min {health['min_dim_std']:.3f}), "
            f"effective rank {health['effective_rank']:.1f} of {health['latent_dim']} dimensions.",
        ]
    if card.get("metrics"):
        from jepa_explorer.train.eval_world import format_world_report

        report = {"checkpoint": card.get("name"), **card["metrics"]}
        lines += ["", "## Metrics (held-out worlds, `jepa-explorer eval`)", "", "```", format_world_report(report), "```"]
        lines += ["", f"Command: `{card['metrics'].get('command')}`"]
    return "\n".join(lines) + "\n"


def write_world_metrics(checkpoint: str | Path, report: dict, decoder: str | Path | None = None) -> Path:
    folder = Path(checkpoint) if Path(checkpoint).is_dir() else Path(checkpoint).parent
    card_path = folder / "card.json"
    if not card_path.exists():
        raise JepaError(f"{card_path}: no card to write metrics into (only bundles carry cards).")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["metrics"] = {k: v for k, v in report.items() if k not in ("checkpoint", "decoder_path")}
    card_path.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(world_card_markdown(card), encoding="utf-8")
    if decoder and "decoder" in report:
        dec_path = Path(decoder) / "card.json"
        dec_card = json.loads(dec_path.read_text(encoding="utf-8"))
        dec_card["metrics"] = {**report["decoder"], "command": report.get("command")}
        dec_path.write_text(json.dumps(dec_card, indent=1) + "\n", encoding="utf-8")
        (Path(decoder) / "README.md").write_text(world_card_markdown(dec_card), encoding="utf-8")
    return card_path
