"""The CLI: info, predict, bench, and one-line errors without tracebacks."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from jepa_explorer.cli import main


@pytest.fixture
def image_path(tmp_path, photo_like):
    path = tmp_path / "img.png"
    Image.fromarray(photo_like).save(path)
    return path


def test_info_text_and_json(ijepa_fixture_path, capsys):
    assert main(["info", "-c", str(ijepa_fixture_path)]) == 0
    out = capsys.readouterr().out
    assert "grid 1×8×8 = 64 patches" in out and "present (EMA)" in out
    assert main(["info", "-c", str(ijepa_fixture_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["present"] == {"encoder": True, "target_encoder": True, "predictor": True}
    assert info["architecture"]["encoder"]["depth"] == 2 and info["card"]["epoch"] == 1


def test_predict_writes_npz_and_json(ijepa_fixture_path, image_path, tmp_path, capsys):
    out = tmp_path / "r.npz"
    code = main(
        [
            "predict",
            "-c",
            str(ijepa_fixture_path),
            "-i",
            str(image_path),
            "--mask",
            "random:ratio=0.5,seed=1",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["masks"]["target_patches"] == 32 and summary["masks"]["context_patches"] == 32
    data = np.load(out)
    assert data["predicted_0"].shape == (32, 48) and data["target_indices_0"].shape == (32,)
    assert data["loss_0"].mean() == pytest.approx(summary["summary"]["predictor"]["loss"]["mean"])
    assert data["actual_all_pca"].shape == (64, 3) and data["heatmap_l2"].shape == (1, 8, 8)
    assert np.isnan(data["heatmap_l2"]).sum() == 32


def test_predict_with_mask_png(ijepa_fixture_path, image_path, tmp_path, capsys):
    mask = np.zeros((64, 64), dtype=np.uint8)
    mask[:16, :16] = 255
    Image.fromarray(mask).save(tmp_path / "m.png")
    assert (
        main(["predict", "-c", str(ijepa_fixture_path), "-i", str(image_path), "--mask", str(tmp_path / "m.png"), "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["masks"]["target_patches"] == 4


@pytest.mark.parametrize(
    "argv,message",
    [
        (["info", "-c", "/nonexistent/x.pth.tar"], "no such file"),
        (["predict", "-c", "{ckpt}", "-i", "/nonexistent.png"], "no such file"),
        (["predict", "-c", "{ckpt}", "-i", "{img}", "--mask", "random:ratio=2"], "between 0 and 1"),
        (["predict", "-c", "{ckpt}", "-i", "{img}", "--mask", "wobble"], "unknown mask spec"),
        (["info", "-c", "{ckpt}", "--device", "tpu"], "unknown device"),
    ],
)
def test_errors_are_one_line(argv, message, ijepa_fixture_path, image_path, capsys):
    argv = [a.format(ckpt=ijepa_fixture_path, img=image_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_debug_shows_traceback(capsys):
    from jepa_explorer.errors import CheckpointError

    with pytest.raises(CheckpointError):
        main(["--debug", "info", "-c", "/nonexistent/x.pth.tar"])


def test_bench_json(capsys):
    assert main(["bench", "--edits", "4", "--json", "--no-gui"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("edit_p50_ms", "edit_p95_ms", "full_recompute_p50_ms", "incremental_speedup", "model_load_ms", "peak_rss_mb"):
        assert report[key] > 0
    assert set(report["meets_targets"]) == {"edit_p50_ms", "incremental_speedup", "peak_rss_mb"}
    video = report["video"]  # the bundled video model on the first bundled clip
    assert video["grid"] == [8, 6, 6] and video["video_edit_p50_ms"] > 0 and video["encode_clip_ms"] > 0
    assert set(video["meets_targets"]) == {"video_edit_p50_ms"}
    world = report["world"]  # the bundled world model: the latency figures, each against its target
    assert set(world["met"]) == {"imagined_step_ms", "plan_300x5x10_s", "drive_step_ms"}
    figures = ("imagined_step_ms", "plan_300x5x10_s", "plan_eval_settings_s", "plan_eval_push_settings_s", "drive_step_ms",
               "encode_frame_ms")  # fmt: skip
    for key in (*figures, "decode_frame_ms"):
        assert world[key] > 0
    assert world["checkpoint"].endswith("world-tiny")


def test_bench_can_skip_the_world_figures(capsys):
    assert main(["bench", "--edits", "2", "--json", "--no-gui", "--no-video", "--no-world"]) == 0
    assert "world" not in json.loads(capsys.readouterr().out)


def test_the_cli_leaves_numpy_and_scipy_one_blas_thread():
    """An idle OpenBLAS thread spins after every call and takes a core from the UI thread on small machines."""
    probe = (
        "import jepa_explorer.cli, numpy, sklearn.decomposition\n"
        "from threadpoolctl import threadpool_info\n"
        "print(sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[1]"
    if (os.cpu_count() or 1) >= 2:  # a value the user set wins
        env["OPENBLAS_NUM_THREADS"] = "2"
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120, check=True)
        assert out.stdout.strip() == "[2]"
