"""`jepa-explorer doctor`: checkpoint integrity (hash mismatch flagged), the timed prediction, exit codes, CLI wiring."""

import argparse
import json

import pytest

from jepa_explorer import doctor
from jepa_explorer.checkpoints.bundle import save_bundle
from jepa_explorer.models.config import ViTConfig
from jepa_explorer.models.factory import new_jepa, predictor_config_for

SMALL = ViTConfig(img_size=32, patch_size=8, embed_dim=48, depth=1, num_heads=3)


def _bundle(folder, seed=0):
    model = new_jepa(SMALL, predictor_config_for(SMALL, width=24, depth=1), seed=seed)
    return save_bundle(
        folder,
        {"encoder": model.encoder, "target_encoder": model.target_encoder, "predictor": model.predictor},
        {
            "name": folder.name,
            "family": "ijepa",
            "input": {"size": 32, "mean": [0.5] * 3, "std": [0.25] * 3},
            "architecture": {"encoder": {"num_heads": 3}},
        },
    )


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("JEPA_EXPLORER_HOME", str(tmp_path))
    (tmp_path / "checkpoints").mkdir()
    return tmp_path


def _corrupt(weights):
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # one bit pattern in the last tensor's bytes: the file still parses
    weights.write_bytes(bytes(data))


def _by_name(checks):
    return {c.name: c for c in checks}


def test_intact_bundles_pass(home):
    _bundle(home / "checkpoints" / "ijepa-tiny")
    _bundle(home / "checkpoints" / "other", seed=1)
    checks = _by_name(doctor.check_checkpoints())
    assert checks["ckpt ijepa-tiny"].status == doctor.OK and "(default)" in checks["ckpt ijepa-tiny"].summary
    assert checks["ckpt other"].status == doctor.OK
    assert checks["ckpt other"].details["actual"] == checks["ckpt other"].details["expected"]


def test_corrupt_weights_fail_with_hash_mismatch(home):
    _bundle(home / "checkpoints" / "good")
    bad = _bundle(home / "checkpoints" / "bad")
    _corrupt(bad / "model.safetensors")
    checks = _by_name(doctor.check_checkpoints())
    assert checks["ckpt good"].status == doctor.OK
    assert checks["ckpt bad"].status == doctor.FAIL
    assert "sha256 mismatch" in checks["ckpt bad"].summary and "re-copy" in checks["ckpt bad"].hint
    assert checks["ckpt bad"].details["actual"] != checks["ckpt bad"].details["expected"]


def test_missing_weights_and_missing_hash(home):
    gone = _bundle(home / "checkpoints" / "gone")
    (gone / "model.safetensors").unlink()
    unsigned = _bundle(home / "checkpoints" / "unsigned")
    card = json.loads((unsigned / "card.json").read_text())
    del card["weights_sha256"]
    (unsigned / "card.json").write_text(json.dumps(card))
    checks = _by_name(doctor.check_checkpoints())
    assert checks["ckpt gone"].status == doctor.FAIL and "missing" in checks["ckpt gone"].summary
    assert checks["ckpt unsigned"].status == doctor.WARN


def test_no_checkpoints_is_a_warning(home):
    (checks,) = doctor.check_checkpoints()
    assert checks.status == doctor.WARN and "no bundled checkpoints" in checks.summary


def test_prediction_on_the_default_checkpoint(home):
    _bundle(home / "checkpoints" / "ijepa-tiny")
    check = doctor.check_prediction("cpu")
    assert check.status == doctor.OK, check.summary
    assert check.details["checkpoint"].endswith("ijepa-tiny")
    assert check.details["predict_ms"] > 0 and check.details["load_ms"] > 0


def test_prediction_falls_back_to_random_init_with_a_note(home):
    check = doctor.check_prediction("cpu")
    assert check.status == doctor.WARN and check.details["checkpoint"] is None
    assert "random-init" in check.summary and "no default checkpoint" in check.hint


def test_exit_code_and_json_report_a_corrupt_bundle(home, capsys):
    bad = _bundle(home / "checkpoints" / "ijepa-tiny")
    _corrupt(bad / "model.safetensors")
    assert doctor.main(["--json", "--skip", "qt,prediction"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["home"] == str(home)
    statuses = {c["name"]: c["status"] for c in out["checks"]}
    assert statuses == {"python": "OK", "torch": "OK", "devices": "OK", "ckpt ijepa-tiny": "FAIL"}


def test_text_report_one_line_per_check(home, capsys):
    _bundle(home / "checkpoints" / "ijepa-tiny")
    assert doctor.main(["--skip", "qt"]) == 0
    lines = capsys.readouterr().out.splitlines()
    checks = [line for line in lines if line[:4].strip() in ("OK", "WARN", "FAIL")]
    assert [line.split()[1] for line in checks] == ["python", "torch", "devices", "ckpt", "prediction"]
    assert lines[-1] == "doctor: 5 ok, 0 warnings, 0 failed"


def test_unknown_skip_is_an_error(home, capsys):
    assert doctor.main(["--skip", "nope"]) == 2
    assert "unknown check" in capsys.readouterr().err


def test_qt_probe_offscreen(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    qt, fonts = doctor.check_qt()
    assert qt.status in (doctor.OK, doctor.WARN), qt.summary
    assert qt.details["platform"] == "offscreen" and "offscreen" in qt.details["platform_plugins"]
    assert fonts.name == "fonts" and fonts.status in (doctor.OK, doctor.FAIL)


def test_registers_as_a_subcommand():
    parser = argparse.ArgumentParser()
    doctor.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["doctor", "--json", "--skip", "qt"])
    assert args.func is doctor.cmd_doctor and args.json and args.skip == "qt"


def test_no_qt_at_module_level():
    import subprocess
    import sys

    code = "import sys, jepa_explorer.doctor; print(any(m.startswith('PySide6') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
