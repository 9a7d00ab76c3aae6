"""How the predictor compares with the baselines, as the panels read it: identical baselines merged into one
row, the gain of each target group, and a plot range that fits the curves that matter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASELINE_LABELS = {
    "nearest_context": "Copy nearest context",
    "mean_context": "Mean of context",
    "last_context_step": "Last context step",
}


def baseline_label(name: str) -> str:
    return BASELINE_LABELS.get(name, name.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Row:
    """One row of the comparison: the predictor or one baseline (or several that give the same numbers)."""

    keys: tuple[str, ...]  # "predictor", or the baselines merged into this row
    label: str
    mean: float
    median: float

    @property
    def key(self) -> str:
        return self.keys[0]

    @property
    def merged(self) -> bool:
        return len(self.keys) > 1


def _per_patch(prediction, name: str, metric: str) -> np.ndarray:
    parts = [g.distances[metric] if name == "predictor" else g.baselines[name][metric] for g in prediction.groups]
    return np.concatenate(parts) if parts else np.zeros(0)


def comparison_rows(prediction, metric: str) -> list[Row]:
    """The predictor first, then each baseline; baselines with the same per-patch values (e.g. in a clip whose
    targets are the future, the nearest context patch *is* the last context step) share one row."""
    summary = prediction.summary
    rows = [Row(("predictor",), "Predictor", summary["predictor"][metric]["mean"], summary["predictor"][metric]["median"])]
    groups: list[list[str]] = []
    values: list[np.ndarray] = []
    for name in summary:
        if name == "predictor":
            continue
        mine = _per_patch(prediction, name, metric) if prediction.groups else None
        for group, theirs in zip(groups, values):
            if mine is not None and theirs is not None and mine.shape == theirs.shape and np.array_equal(mine, theirs):
                group.append(name)
                break
        else:
            groups.append([name])
            values.append(mine)
    for group in groups:
        first = summary[group[0]][metric]
        rows.append(Row(tuple(group), " = ".join(baseline_label(n) for n in group), first["mean"], first["median"]))
    return rows


def merge_note(rows: list[Row]) -> str:
    """A sentence for each merged row ('' when none): why two baselines show as one."""
    notes = [f"{' = '.join(f'“{baseline_label(k)}”' for k in row.keys)} here (identical numbers): one row."
             for row in rows if row.merged]  # fmt: skip
    return " ".join(notes)


def group_gains(prediction, metric: str) -> list[float]:
    """Per target group: 1 - predictor mean / best baseline mean over that group's patches (positive: the
    predictor beats copying the context there); NaN where the best baseline is exact."""
    gains = []
    for group in prediction.groups:
        predictor = float(np.mean(group.distances[metric])) if len(group.target_indices) else float("nan")
        baselines = [float(np.mean(b[metric])) for b in group.baselines.values() if len(b[metric])]
        best = min(baselines) if baselines else float("nan")
        gains.append(1.0 - predictor / best if best > 0 else float("nan"))
    return gains


def fit_range(curves: list[np.ndarray], pad: float = 0.08) -> tuple[float, float] | None:
    """(low, high) covering every finite value of `curves`, padded by `pad` of the span on each side (a flat
    curve gets ±10% of its value); None when there is nothing to fit."""
    finite = [np.asarray(c, dtype=np.float64)[np.isfinite(c)] for c in curves]
    finite = [c for c in finite if c.size]
    if not finite:
        return None
    low, high = float(min(c.min() for c in finite)), float(max(c.max() for c in finite))
    span = high - low
    margin = span * pad if span > 0 else max(abs(high) * 0.1, 1e-3)
    return low - margin, high + margin
