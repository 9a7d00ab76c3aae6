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
