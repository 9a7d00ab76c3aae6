"""The model card as prose: sentences from the loaded model's facts and its card, no raw JSON."""

import json

from jepa_explorer.app.messages import ModelInfo
from jepa_explorer.app.model_prose import model_sections
from jepa_explorer.resources import default_checkpoint


def _info(card, video=False, grid=(1, 8, 8)):
    return ModelInfo("ijepa-tiny", "/x/ijepa-tiny", "vjepa" if video else "ijepa", grid, 64, 8, card, ["a note"], "cpu",
                     ["cpu"], False, True, video, {"encoder": 2_700_000, "predictor": 2_800_000})  # fmt: skip


def test_bundled_card_reads_as_sections_of_sentences():
    card = json.loads((default_checkpoint() / "card.json").read_text())
    sections = dict(model_sections(_info(card)))
    about = " ".join(sections["About this model"])
    assert "I-JEPA image model" in about and "8×8 = 64 patches" in about and "2.70 M in the encoder" in about
    assert "ViT encoder 192 wide" in about
    gain = card["metrics"]["prediction"]["photos"]["gain"]["loss"]["gain"]
    assert any(f"{gain:+.0%}" in line for line in sections["How well it predicts"])
    assert sections["How it was trained"][0].startswith("Trained for") and "stages" in sections["How it was trained"][0]
    assert "photographs from" in sections["What it was trained on"][0]
    assert sections["Notes"] == ["a note"]
    text = " ".join(p for ps in sections.values() for p in ps)
    assert "{" not in text and "}" not in text  # no JSON dumps


def test_an_empty_card_still_says_what_the_model_is():
    sections = model_sections(_info({}, video=True, grid=(8, 6, 6)))
    headings = [h for h, _ in sections]
    assert headings[0] == "About this model" and "How well it predicts" not in headings
    assert "V-JEPA video model" in sections[0][1][0] and "8 time steps of 6×6 = 288 patches" in sections[0][1][0]
