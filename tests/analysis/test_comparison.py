"""How the predictor is compared with the baselines: merged identical rows, per-group gains, plot ranges."""

import numpy as np
import pytest

from jepa_explorer.analysis.comparison import comparison_rows, fit_range, group_gains, merge_note
from jepa_explorer.analysis.distances import summarise
from jepa_explorer.engine.session import GroupResult, Prediction
from jepa_explorer.masks.grid import PatchMasks


def _group(indices, predictor, baselines):
    n = len(indices)
    return GroupResult(
        np.array(indices), np.zeros((n, 4)), np.zeros((n, 4)), {"loss": np.array(predictor, float)},
        {name: {"loss": np.array(v, float)} for name, v in baselines.items()}, np.zeros((n, 2)), np.zeros(n, int),
    )  # fmt: skip


def _prediction(groups):
    names = ["predictor", *groups[0].baselines]
    pooled = {
        name: {"loss": summarise(np.concatenate([g.distances["loss"] if name == "predictor" else g.baselines[name]["loss"]
                                                 for g in groups]))}
        for name in names
    }  # fmt: skip
    return Prediction(1, "k", PatchMasks.empty((1, 4, 4)), np.arange(3), groups, pooled)


def test_identical_baselines_share_one_row_with_a_note():
    groups = [
        _group([5, 6], [0.1, 0.2], {"nearest_context": [0.3, 0.4], "last_context_step": [0.3, 0.4], "mean_context": [1, 1]})
    ]
    rows = comparison_rows(_prediction(groups), "loss")
    assert [r.keys for r in rows] == [("predictor",), ("nearest_context", "last_context_step"), ("mean_context",)]
    assert rows[1].label == "Copy nearest context = Last context step" and rows[1].merged
    assert rows[1].mean == pytest.approx(0.35) and rows[0].median == pytest.approx(0.15)
    assert "identical" in merge_note(rows) and "Last context step" in merge_note(rows)
    # different values stay apart
    groups[0].baselines["last_context_step"]["loss"] = np.array([0.3, 0.5])
    rows = comparison_rows(_prediction(groups), "loss")
    assert len(rows) == 4 and merge_note(rows) == ""


def test_each_target_group_has_its_own_gain():
    groups = [
        _group([1, 2], [0.1, 0.1], {"nearest_context": [0.2, 0.2], "mean_context": [0.4, 0.4]}),  # wins: +50%
        _group([9], [0.3], {"nearest_context": [0.2], "mean_context": [0.25]}),  # loses: -50%
    ]
    gains = group_gains(_prediction(groups), "loss")
    assert gains == pytest.approx([0.5, -0.5])
    groups[1].baselines["nearest_context"]["loss"] = np.array([0.0])
    assert np.isnan(group_gains(_prediction(groups), "loss")[1])


def test_fit_range_covers_only_the_curves_given():
    low, high = fit_range([np.array([0.03, 0.05, np.nan]), np.array([0.08, 0.04])])
    assert low < 0.03 and high > 0.08 and high < 0.1 and low > 0.0  # ~0.29 of another curve would not fit here
    assert fit_range([np.array([np.nan])]) is None
    low, high = fit_range([np.array([0.5, 0.5])])
    assert low < 0.5 < high
