"""The model card as prose for the Model panel (no Qt): a few short sections of sentences a learner can read,
made from ModelInfo and the bundle's card.json, instead of a table of raw fields."""

from __future__ import annotations

from pathlib import Path

from jepa_explorer.analysis.comparison import baseline_label
from jepa_explorer.analysis.distances import METRIC_LABELS

FAMILIES = {"ijepa": "I-JEPA", "vjepa": "V-JEPA"}


def _parameters(parameters: dict) -> str:
    parts = [f"{value / 1e6:.2f} M in the {name.replace('_', ' ')}" for name, value in parameters.items() if value]
    return f"It has {', '.join(parts)}." if parts else ""


def _architecture(card: dict) -> str:
    arch = card.get("architecture") or {}
    encoder, predictor = arch.get("encoder") or {}, arch.get("predictor") or {}
    parts = []
    if encoder.get("embed_dim") and encoder.get("depth"):
        parts.append(f"a ViT encoder {encoder['embed_dim']} wide and {encoder['depth']} blocks deep")
    if predictor.get("predictor_embed_dim") and predictor.get("depth"):
        parts.append(f"a predictor {predictor['predictor_embed_dim']} wide and {predictor['depth']} blocks deep")
    return f"It is made of {' and '.join(parts)}." if parts else ""


def _opening(info) -> str:
    t_len, height, width = info.grid_shape
    family = FAMILIES.get(info.family, info.family)
    kind = "video" if info.video else "image"
    grid = f"{height}×{width}" if t_len == 1 else f"{t_len} time steps of {height}×{width}"
    sees = "clips" if info.video else "pictures"
    return (
        f"{info.name} is an {family} {kind} model. It sees {sees} of {info.img_size} px, cut into patches of "
        f"{info.patch_size} px: {grid} = {t_len * height * width} patches. The encoder turns the context patches into "
        f"embeddings, and the predictor guesses the embeddings of the target patches from them."
    )


def _training(card: dict) -> list[str]:
    out = []
    recipe = card.get("recipe") or {}
    training = card.get("training") or {}
    stages = training.get("stages") or []
    if training.get("steps"):
        seen = training.get("images_seen")
        minutes = training.get("compute_seconds", 0) / 60
        line = f"Trained for {training['steps']} steps"
        if seen:
            line += f" on {seen:,} samples".replace(",", " ")
        if minutes:
            line += f", {minutes:.0f} min of compute"
        line += f" in {len(stages)} stages." if len(stages) > 1 else "."
        out.append(line)
    for i, stage in enumerate(stages, 1):
        what = stage.get("trains") or "trains the encoder and the predictor"
        out.append(f"Stage {i} ({stage.get('recipe', '?')}, {stage.get('steps', '?')} steps) {what.split(' (')[0]}.")
    if recipe.get("description") and not stages:
        out.append(recipe["description"])
    return out


def _results(card: dict) -> list[str]:
    metrics = card.get("metrics") or {}
    prediction = metrics.get("prediction") or {}
    out = []
    for domain, result in prediction.items():
        gain = (result.get("gain") or {}).get("loss")
        means = result.get("mean") or {}
        if not gain or "predictor" not in means or gain.get("best_baseline") not in means:
            continue
        best = gain["best_baseline"]
        count = result.get("images") or result.get("clips")
        what = f"{count} held-out {'clips' if 'clips' in result else 'pictures'}" if count else "held-out inputs"
        out.append(
            f"On {what} ({domain}), the predictor's {METRIC_LABELS['loss']} is {means['predictor']['loss']:.3f}, "
            f"against {means[best]['loss']:.3f} for the best baseline ({baseline_label(best).lower()}): "
            f"a gain of {gain['gain']:+.0%}.".replace("-", "−")
        )
    return out


def _data(card: dict) -> list[str]:
    data = card.get("training_data") or {}
    out = []
    photos = data.get("photographs_train") or []
    if photos:
        count = sum(int(p.get("photos", 0)) for p in photos)
        sources = sorted({p.get("source", "?") for p in photos})
        out.append(f"{count} photographs from {len(sources)} sources ({', '.join(sources)}).")
    for key in ("procedural", "clips"):
        if isinstance(data.get(key), str):
            out.append(data[key][0].upper() + data[key][1:] + ".")
    if isinstance(data.get("augmentation"), str):
        out.append(f"Augmented with {data['augmentation']}.")
    return out


def _files(info, card: dict) -> str:
    line = f"Loaded from {info.source} ({Path(str(info.source)).name}), running on {info.device}."
    if card.get("weights_sha256"):
        line += f" Weights {card.get('weights_dtype', '')}, sha256 {card['weights_sha256'][:12]}…"
    return line


def model_sections(info) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) for the Model panel, in reading order; empty sections are left out."""
    card = dict(info.card or {})
    about = [_opening(info), _architecture(card), _parameters(info.parameters or {})]
    if info.untrained:
        about.append("It is untrained: randomly initialised, so its predictions mean nothing.")
    if not info.has_predictor:
        about.append("This checkpoint has no predictor: features and PCA work, predictions do not.")
    sections = [
        ("About this model", [p for p in about if p]),
        ("How well it predicts", _results(card)),
        ("How it was trained", _training(card)),
        ("What it was trained on", _data(card)),
        ("Notes", list(info.notes)),
        ("Files", [_files(info, card)]),
    ]  # fmt: skip
    return [(heading, paragraphs) for heading, paragraphs in sections if paragraphs]
