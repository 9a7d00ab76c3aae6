"""Plain-data helpers over a Prediction for the panels and exports (no Qt, no torch): the numbers the GUI
shows come from the Prediction's own summary and distances, the same ones the CLI prints."""

from __future__ import annotations

import csv
import io

import numpy as np

from jepa_explorer.analysis.comparison import baseline_label
from jepa_explorer.analysis.distances import METRIC_LABELS, METRICS


def estimator_label(name: str) -> str:
    """The estimator's name as the panels, the CSV and the prose all write it (baselines: analysis.comparison)."""
    return "Predictor" if name == "predictor" else baseline_label(name)


def summary_rows(prediction, metric: str) -> list[tuple[str, str, float, float]]:
    """(key, label, mean, median) for the predictor first, then each baseline."""
    order = ["predictor"] + [k for k in prediction.summary if k != "predictor"]
    return [
        (k, estimator_label(k), prediction.summary[k][metric]["mean"], prediction.summary[k][metric]["median"])
        for k in order
        if k in prediction.summary
    ]


def best_baseline(prediction, metric: str) -> tuple[str, float] | None:
    rows = [(k, v[metric]["mean"]) for k, v in prediction.summary.items() if k != "predictor"]
    return min(rows, key=lambda kv: kv[1]) if rows else None


def verdict(prediction, metric: str) -> tuple[str, bool | None]:
    """A sentence that answers "does the predictor beat copying the context?" and whether it does."""
    best = best_baseline(prediction, metric)
    if best is None:
        return "No baseline to compare with.", None
    gain = prediction.gain(metric)
    if not np.isfinite(gain):
        return "The baselines are exact here; nothing to beat.", None
    name = estimator_label(best[0]).lower()
    if gain > 0:
        return f"Predictor beats the best baseline ({name}) by {gain:.0%}", True
    return f"Predictor is {-gain:.0%} worse than the best baseline ({name})", False


def patch_report(prediction, index: int, metric: str) -> dict | None:
    """Distances of one target patch (flat index) in every group that predicts it, or None off-target."""
    out = []
    for k, group in enumerate(prediction.groups):
        where = np.flatnonzero(group.target_indices == index)
        if where.size == 0:
            continue
        i = int(where[0])
        row = {"group": k, "predictor": float(group.distances[metric][i])}
        for name, metrics in group.baselines.items():
            row[name] = float(metrics[metric][i])
        row["nearest_actual"] = int(group.nearest_actual[i])
        out.append(row)
    return {"index": index, "metric": metric, "groups": out} if out else None


SHORT_ESTIMATOR_LABELS = {"nearest_context": "nearest ctx", "mean_context": "mean ctx", "last_context_step": "last step"}
HOVER_TEMPLATE = "row 63, col 63, step 16 · target 6: training loss 0.000 · nearest ctx 0.000 · mean ctx 0.000 · last step 0.000"


def describe_patch(prediction, index: int, metric: str, grid_shape) -> str:
    """One line on the hovered patch: where it is, and for a target its distance beside the baselines'."""
    _, height, width = grid_shape
    t, rest = divmod(index, height * width)
    row, col = divmod(rest, width)
    where = f"row {row}, col {col}" + (f", step {t + 1}" if grid_shape[0] > 1 else "")  # steps count from 1
    if prediction is None:
        return where
    report = patch_report(prediction, index, metric)
    if report is None:
        return f"{where}: {'context' if prediction.masks.context.reshape(-1)[index] else 'not used'}"
    g = report["groups"][0]
    baselines = " · ".join(
        f"{SHORT_ESTIMATOR_LABELS.get(k, estimator_label(k).lower())} {v:.3f}"
        for k, v in g.items()
        if k not in ("group", "predictor", "nearest_actual")
    )
    return f"{where} · target {g['group'] + 1}: {METRIC_LABELS[metric]} {g['predictor']:.3f} · {baselines}"


def prediction_csv(prediction, grid_shape) -> str:
    """One row per (group, target patch): position, every metric for the predictor and each baseline."""
    _, height, width = grid_shape
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    names = ["predictor"] + sorted({n for g in prediction.groups for n in g.baselines})
    writer.writerow(["group", "patch", "t", "row", "col", *[f"{n}_{m}" for n in names for m in METRICS]])
    for k, group in enumerate(prediction.groups):
        for i, index in enumerate(group.target_indices):
            t, rest = divmod(int(index), height * width)
            row, col = divmod(rest, width)
            values = []
            for n in names:
                source = group.distances if n == "predictor" else group.baselines.get(n, {})
                values += [f"{source[m][i]:.6g}" if m in source else "" for m in METRICS]
            writer.writerow([k + 1, int(index), t, row, col, *values])
    return buffer.getvalue()


def predicted_feature_rgb(prediction, input_view) -> np.ndarray:
    """uint8 [N, 3]: the PCA colours of the actual patches with the target patches replaced by the
    colours of their predictions (where groups overlap, the last group wins)."""
    rgb = input_view.actual_rgb.copy()
    for group in prediction.groups:
        rgb[group.target_indices] = input_view.pca.to_rgb(group.predicted)
    return rgb
