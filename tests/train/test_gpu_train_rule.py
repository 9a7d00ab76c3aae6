"""scripts/gpu_train.py keeps a new video stage only by its rule, on validation numbers."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gpu_train.py"
spec = importlib.util.spec_from_file_location("gpu_train", SCRIPT)
gpu_train = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gpu_train)


def _report(procedural, photo=None, footage=None):
    def pred(g):
        return {gpu_train.FUTURE: {"gain": {"loss": {"gain": g}}}}

    report = {"prediction": pred(procedural), "domains": {}}
    for name, g in (("photo_motion", photo), ("real_footage", footage)):
        report["domains"][name] = {"prediction": pred(g)} if g is not None else {"skipped": "not gathered"}
    return report


def test_keeps_a_stage_better_on_the_worse_real_domain_and_no_worse_on_procedural():
    bundle = _report(0.26, photo=0.18, footage=0.10)
    assert gpu_train.video_gains(bundle) == {"procedural": 0.26, "photo_motion": 0.18, "real_footage": 0.10}
    keep, why = gpu_train.keep_video(_report(0.255, photo=0.30, footage=0.20), bundle)
    assert keep and why.startswith("kept")
    assert not gpu_train.keep_video(_report(0.24, photo=0.30, footage=0.20), bundle)[0]  # procedural lost 2 points
    assert not gpu_train.keep_video(_report(0.27, photo=0.30, footage=0.09), bundle)[0]  # footage, the worse, got worse


def test_decides_on_the_domains_measured_and_refuses_without_any():
    bundle = _report(0.26, photo=0.18)
    assert gpu_train.keep_video(_report(0.26, photo=0.20), bundle)[0]  # footage not gathered: photo-motion decides
    keep, why = gpu_train.keep_video(_report(0.30), _report(0.26))
    assert not keep and "not enough measured domains" in why


def test_evaluations_run_side_by_side_and_a_failed_one_gives_none(tmp_path):
    import sys

    ok, bad = tmp_path / "ok.json", tmp_path / "bad.json"
    reports = gpu_train.eval_json_all(
        {ok: [sys.executable, "-c", 'print(\'{"split": "validation"}\')'], bad: [sys.executable, "-c", "raise SystemExit(3)"]}
    )
    assert reports == {ok: {"split": "validation"}, bad: None}
