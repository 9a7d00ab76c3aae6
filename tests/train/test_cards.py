"""Eval reports become card metrics and the README table."""

import json

from jepa_explorer.train.cards import format_report, markdown_metrics, write_metrics


def _report():
    pred = {
        "images": 10,
        "masks_per_image": 2,
        "mean": {
            "predictor": {"loss": 0.03, "cosine": 0.04},
            "nearest_context": {"loss": 0.05, "cosine": 0.06},
            "mean_context": {"loss": 0.04, "cosine": 0.05},
        },
        "gain": {
            "loss": {"best_baseline": "mean_context", "gain": 0.25},
            "cosine": {"best_baseline": "mean_context", "gain": 0.2},
        },
    }
    collapse = {"mean_dim_std": 0.4, "effective_rank": 30.0, "dims": 192}
    return {
        "checkpoint": "x",
        "split": "test",
        "seed": 0,
        "prediction": {"photos": pred, "procedural": pred},
        "collapse": {"trained": collapse, "random_init": collapse},
        "pixels_psnr_db": {"photos": {"mae": 20.0, "decoded_actual": 22.0, "decoded_prediction": 18.0}},
    }


def test_table_and_text():
    table = markdown_metrics(_report())
    assert "| photos | 10 × 2 | 0.0300 | 0.0500 | 0.0400 | +25.0% | +20.0% |" in table
    assert "| photos | 20.00 | 22.00 | 18.00 |" in table
    assert "gain (loss) vs mean_context: +25.0%" in format_report(_report())


def test_write_metrics(tmp_path):
    (tmp_path / "card.json").write_text(json.dumps({"name": "m"}))
    write_metrics(tmp_path, _report())
    card = json.loads((tmp_path / "card.json").read_text())
    assert card["name"] == "m" and card["metrics"]["prediction"]["photos"]["gain"]["loss"]["gain"] == 0.25
    assert card["metrics"]["command"].startswith("jepa-explorer eval")


def test_staged_training_names_each_stage_where_they_differ():
    from jepa_explorer.train.cards import staged_training

    first = {"name": "m", "recipe": {"name": "m"}, "training": {"steps": 10, "images_seen": 40, "compute_seconds": 5.0,
             "hardware": "gpu", "torch": "2.11", "command": "jepa-explorer train m"}}  # fmt: skip
    second = {"recipe": "m-more", "steps": 4, "images_seen": 16, "compute_seconds": 7.5, "hardware": "cpu", "torch": "2.13",
              "command": "jepa-explorer train m-more"}  # fmt: skip
    two = staged_training(first, "runs/m1", second)
    assert "note" not in two["stages"][0]
    noted = staged_training({**first, "training": {**first["training"], "note": "stopped at step 10"}}, "runs/m1", second)
    assert noted["stages"][0]["note"] == "stopped at step 10" and "note" not in noted["stages"][1]
    assert two["hardware"] == "stage 1: gpu; stage 2: cpu" and two["compute_seconds"] == 12.5 and two["steps"] == 14
    three = staged_training({"training": two}, "runs/m2", {**second, "recipe": "m-again"})
    assert three["hardware"] == "stage 1: gpu; stages 2 and 3: cpu" and three["torch"] == "stage 1: 2.11; stages 2 and 3: 2.13"
    assert (
        three["command"]
        == "jepa-explorer train m --export runs/m1 && jepa-explorer train m-more --export runs/m2 && jepa-explorer train m-more"
    )


def test_a_staged_model_card_lists_its_stages_with_why_each_was_kept():
    from jepa_explorer.train.cards import model_card_markdown, staged_training

    first = {"name": "m", "recipe": {"name": "m"}, "training": {"steps": 10, "images_seen": 40, "compute_seconds": 120.0,
             "hardware": "gpu", "torch": "2.11", "command": "jepa-explorer train m", "note": "cut at step 10"}}  # fmt: skip
    second = {"recipe": "m-more", "steps": 4, "images_seen": 16, "compute_seconds": 600.0, "hardware": "cpu", "torch": "2.13",
              "command": "jepa-explorer train m-more", "trains": "the predictor only"}  # fmt: skip
    training = {**staged_training(first, "runs/m1", second), "selection": "better on validation"}  # the last stage's, by hand
    card = {"name": "m", "recipe": {"name": "m-more", "description": "stage two"}, "training": training}
    text = model_card_markdown(card)
    stages = text.split("## Training stages")[1].strip().splitlines()
    assert stages[0].startswith("1. `m`: 10 steps, 2 min on gpu (torch 2.11); trains the encoder and the predictor.")
    assert "Command: `jepa-explorer train m --export runs/m1`." in stages[0] and "Note: cut at step 10." in stages[0]
    assert stages[1].startswith("2. `m-more`: 4 steps, 10 min on cpu (torch 2.13); trains the predictor only.")
    assert "Selection: better on validation." in stages[1] and "Selection" not in stages[0]
    assert "## Training stages" not in model_card_markdown({"name": "m", "training": first["training"]})


def test_a_staged_model_card_opens_with_the_whole_model_then_its_last_stage():
    from jepa_explorer.train.cards import model_card_markdown, staged_training

    first = {"name": "v", "recipe": {"name": "v"}, "training": {"steps": 10, "command": "jepa-explorer train v"}}
    later = {"recipe": "v-more", "steps": 4, "command": "jepa-explorer train v-more", "trains": "the predictor only (frozen)"}
    encoder = dict(img_size=48, patch_size=8, embed_dim=192, depth=5, num_heads=3, num_frames=16, tubelet_size=2, video=True)
    predictor = {"style": "vjepa", "predictor_embed_dim": 192, "depth": 6, "use_mask_tokens": True, "num_mask_tokens": 3}
    card = {
        "name": "v",
        "family": "vjepa",
        "recipe": {"name": "v-more", "description": "grows the predictor"},
        "architecture": {"encoder": encoder, "predictor": predictor},
        "training": staged_training(first, "runs/v1", later),
    }
    lines = model_card_markdown(card).splitlines()
    assert lines[2] == (
        "V-JEPA: encoder ViT 192 wide x 5 deep on 16-frame 48 px clips (8 px patches, tubelet 2: 8x6x6 tokens); "
        "predictor 192 wide x 6 deep, 3 mask tokens. Trained in 2 stages (listed below): "
        "the first trains the whole model, the later ones the predictor only."
    )
    assert lines[4] == "Its last stage, `v-more`: grows the predictor"
    # a model trained once opens with its recipe's description, as before
    assert model_card_markdown({**card, "training": first["training"]}).splitlines()[2] == "grows the predictor"


def test_every_bundled_model_card_readme_is_rendered_from_its_card():
    # a card edited by hand (a selection, new metrics) must have its README regenerated, or the two disagree
    from jepa_explorer.resources import checkpoints_dir
    from jepa_explorer.train.cards import model_card_markdown

    cards = sorted(checkpoints_dir().glob("*/card.json"))
    assert cards
    for path in cards:
        card = json.loads(path.read_text(encoding="utf-8"))
        assert (path.parent / "README.md").read_text(encoding="utf-8") == model_card_markdown(card), path.parent.name
