"""`eval` on a video JEPA: per-mask-kind gains against leak-free copy baselines, and the motion probe."""

import json

from jepa_explorer.cli import main
from jepa_explorer.train.eval_video import MASK_KINDS, evaluate_video


def test_video_report(vjepa_fixture_path):
    report = evaluate_video(vjepa_fixture_path, n_clips=2, probe=(40, 24))
    assert set(report["prediction"]) == set(MASK_KINDS)
    for pred in report["prediction"].values():
        assert set(pred["mean"]) == {"predictor", "nearest_context", "mean_context", "last_context_step"}
        assert pred["gain"]["loss"]["best_baseline"] != "predictor"
    scores = report["motion_probe"]["scores"]
    assert set(scores) == {"video_trained", "video_random_init", "middle_frame_pixels"}
    assert all(0.0 <= s["linear"] <= 1.0 for s in scores.values())


def test_eval_cli_dispatches_video(vjepa_fixture_path, capsys):
    assert main(["eval", str(vjepa_fixture_path), "--n", "2", "--no-probe", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["command"].startswith("jepa-explorer eval") and "future (first half -> second half)" in report["prediction"]


def test_video_report_with_a_decoder_measures_future_frame_pixels(vjepa_fixture_path, tmp_path):
    import numpy as np

    from jepa_explorer.checkpoints.bundle import save_bundle
    from jepa_explorer.checkpoints.load import load_model
    from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder

    enc = load_model(vjepa_fixture_path, "cpu").config.encoder
    cfg = DecoderConfig(embed_dim=enc.embed_dim, hidden_dim=32, depth=1, patch_size=enc.patch_size, tubelet_size=enc.tubelet_size)
    path = save_bundle(
        tmp_path / "decoder",
        {"decoder": PatchDecoder(cfg)},
        {"name": "d", "kind": "decoder", "architecture": {"decoder": cfg.to_dict()}, "jepa": str(vjepa_fixture_path)},
    )
    report = evaluate_video(vjepa_fixture_path, n_clips=2, probe=None, decoder=str(path))
    psnr = report["future_pixels_psnr_db"]
    assert set(psnr) == {"decoded_actual", "decoded_prediction", "copy_last_context_frame"}
    assert all(np.isfinite(v) and v > 0 for v in psnr.values())
    assert "--decoder" in report["command"]
