"""scripts/world_validate.py: planner overrides reach every task's own settings; unknown ones are refused."""

import importlib.util
import json
from pathlib import Path

import pytest

from jepa_explorer.resources import checkpoints_dir

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "world_validate.py"
spec = importlib.util.spec_from_file_location("world_validate", SCRIPT)
world_validate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(world_validate)
BUNDLE = str(checkpoints_dir() / "world-tiny")


def test_plan_only_applies_the_overrides_to_each_tasks_planner(capsys):
    args = [BUNDLE, "--plan", "1", "--plan-only", "--set", "samples=4", "--set", "iterations=1"]
    assert world_validate.main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert "agent_r2" not in out  # --plan-only: no rollout or probe
    reach, push = out["planning"]["reach"]["settings"], out["planning"]["push"]["settings"]
    assert reach["samples"] == push["samples"] == 4 and reach["iterations"] == push["iterations"] == 1
    assert (reach["energy_mode"], push["energy_mode"]) == ("mean", "best")  # each task keeps the rest of its own


def test_an_unknown_planner_setting_is_refused_with_the_known_ones(capsys):
    with pytest.raises(SystemExit) as exit_info:
        world_validate.main([BUNDLE, "--plan", "1", "--set", "depth=3"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown planner setting 'depth'" in err and "energy_mode" in err


def test_a_planner_setting_of_the_wrong_type_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        world_validate.main([BUNDLE, "--plan", "1", "--set", "samples=many"])
    assert exit_info.value.code == 2 and "samples must be a whole number, e.g. 128" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        world_validate.main([BUNDLE, "--plan", "1", "--set", "energy_mode=worst"])
    assert exit_info.value.code == 2 and "energy_mode is one of mean, best" in capsys.readouterr().err
