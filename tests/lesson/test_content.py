"""The bundled lesson: it loads, has every part the issue asks for, and its numbers match the bundled cards."""

from __future__ import annotations

import json

import pytest

from jepa_explorer.lesson.loader import bundled_content_dir, load_lesson
from jepa_explorer.lesson.model import ANSWERS, BIASES, INSIDE, MEASURED_FIELDS
from jepa_explorer.resources import assets_dir, checkpoints_dir


@pytest.fixture(scope="module")
def lesson():
    return load_lesson(bundled_content_dir())


def test_counts(lesson):
    counts = lesson.counts()
    assert counts["chapters"] == 5
    assert counts["classification_cards"] >= 16
    assert counts["scope_claims"] >= 8
    assert counts["flashcards"] >= 12
    assert counts == {"chapters": 5, "classification_cards": 20, "scope_claims": 10, "flashcards": 18}


def test_one_chapter_per_objective_in_order(lesson):
    assert [c.id for c in lesson.chapters] == ["surface-tax", "jepa-loop", "ijepa-vs-vjepa", "world-model", "scope-test"]
    assert all(c.setups and c.look_at and c.objective for c in lesson.chapters)
    assert {c.exercise for c in lesson.chapters} >= {"classification", "scope", "flashcards"}
    loop = lesson.chapter("jepa-loop")
    assert loop.setups[0].mode == "step-through" and len(loop.stages) == 5  # each stage named where it shows
    # I-JEPA vs V-JEPA: the image with 2-D blocks and the clip with tubes and future frames
    assert [(s.model, s.preset) for s in lesson.chapter("ijepa-vs-vjepa").setups] == [
        ("ijepa-tiny", "multiblock"),
        ("vjepa-tiny", "multiblock"),
        ("vjepa-tiny", "future"),
    ]
    assert "world-model mode" in lesson.chapter("world-model").next.lower()  # the pointer until it exists


def test_every_card_has_answers_and_explanation(lesson):
    for card in lesson.cards:
        assert card.answer in ANSWERS and card.bias in BIASES, card.id
        assert card.predicts and card.loss_compares and len(card.explanation) > 60, card.id
    answers = [c.answer for c in lesson.cards]
    assert answers.count("raw") >= 6 and answers.count("representations") >= 6  # not guessable by always one key


def test_cards_cover_the_named_methods(lesson):
    ids = {c.id for c in lesson.cards}
    named = {"next-token-lm", "mae", "beit", "pixel-diffusion", "video-generation", "vqvae-maskgit", "ijepa", "vjepa"}
    named |= {"vjepa2-ac", "leworldmodel", "data2vec", "byol", "dino", "clip", "simclr"}
    assert named <= ids


def test_mae_and_ijepa_cards_link_to_the_live_comparison(lesson):
    by_id = {c.id: c for c in lesson.cards}
    assert by_id["mae"].live == by_id["ijepa"].live == "surface-tax"
    assert lesson.chapter("surface-tax").setups[0].mode == "surface-tax"


def test_every_claim_has_measurement_verdict_and_model_answer(lesson):
    for claim in lesson.claims:
        assert set(claim.measured) == set(MEASURED_FIELDS), claim.id
        assert claim.inside in INSIDE and len(claim.model_answer) > 100, claim.id
    verdicts = {c.inside for c in lesson.claims}
    assert verdicts == {"yes", "partly", "no"}
    assert sum(1 for c in lesson.claims if c.live) >= 3  # claims the app itself can test


def test_flashcards_cover_the_lesson_terms(lesson):
    terms = " ".join(f.term.lower() for f in lesson.flashcards)
    for term in ("context encoder", "target encoder", "ema", "predictor", "mask tokens", "multiblock", "tubes"):
        assert term in terms
    for term in ("surface-reproduction tax", "world model", "latent planning", "collapse"):
        assert term in terms
    assert len({f.id for f in lesson.flashcards}) == len(lesson.flashcards)


def _card(name):
    path = checkpoints_dir() / name / "card.json"
    if not path.is_file():
        pytest.skip(f"{path} not bundled here")
    return json.loads(path.read_text())["metrics"]


def test_app_claims_quote_the_bundled_models_numbers(lesson):
    """The scope claims about this app cite its cards; re-measuring a model must update them."""
    claims = {c.id: c for c in lesson.claims}
    image = _card("ijepa-tiny")
    photos = image["prediction"]["photos"]
    assert f"{photos['gain']['loss']['gain']:+.1%}" in claims["predictor-beats-copying"].evidence
    assert f"{photos['mean']['predictor']['loss']:.4f}" in claims["predictor-beats-copying"].evidence
    assert f"{image['prediction']['procedural']['gain']['loss']['gain']:+.1%}" in claims["predictor-beats-copying"].evidence
    assert f"{image['probe']['scores']['trained']['linear']:.1%}" in claims["semantic-features"].evidence
    assert f"{image['collapse']['trained']['effective_rank']:.1f}" in claims["no-collapse"].evidence
    video = _card("vjepa-tiny")
    future = video["prediction"]["future (first half -> second half)"]
    assert f"{future['gain']['loss']['gain']:.1%}" in claims["understands-physics"].evidence
    psnr = video["future_pixels_psnr_db"]
    footage = video["domains"]["real_footage"]["future_pixels_psnr_db"]
    for value in (*(psnr[k] for k in ("decoded_prediction", "copy_last_context_frame", "decoded_last_context_step")),
                  footage["decoded_prediction"], footage["copy_last_context_frame"]):  # fmt: skip
        assert f"{value:.2f} dB" in claims["future-pixels"].evidence
    # the claim's verdict rests on this: on real footage the decoded prediction loses to a copy; and its
    # answer says the predictor, not the decoder, earns the procedural margin
    assert footage["decoded_prediction"] < footage["copy_last_context_frame"]
    assert psnr["decoded_prediction"] > max(psnr["copy_last_context_frame"], psnr["decoded_last_context_step"])
    assert claims["future-pixels"].inside == "no"
    probe = video["motion_probe"]
    for score in (probe["scores"]["video_trained"], probe["scores"]["video_random_init"],
                  probe["scores"]["single_frame_image_jepa"], probe["scores_mean_pooled"]["video_trained"]):  # fmt: skip
        assert f"{score['linear']:.1%}" in claims["knows-motion"].evidence


def test_every_set_up_names_bundled_models_and_samples(lesson):
    for chapter in lesson.chapters:
        for setup in chapter.setups:
            assert (checkpoints_dir() / setup.model / "card.json").is_file(), (chapter.id, setup.model)
            samples = [assets_dir() / "samples" / setup.sample, assets_dir() / "clips" / setup.sample]
            assert any(p.is_file() for p in samples), (chapter.id, setup.sample)
