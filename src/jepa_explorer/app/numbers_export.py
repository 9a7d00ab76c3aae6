"""The prediction's numbers written to a file (no Qt): CSV with a header that says what they are (image,
model, masks, metric), or NPZ with every array. Written atomically (jepa_explorer.fileio): an interrupted
or failed export never leaves half a file under the name asked for, and keeps the file that was there."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jepa_explorer.analysis.distances import METRIC_LABELS
from jepa_explorer.app import results
from jepa_explorer.errors import JepaError
from jepa_explorer.fileio import atomic_open


def csv_about(image: str | None, model: str, checkpoint: str | None, masks, metric: str) -> list[tuple[str, str]]:
    """The header lines of a numbers CSV: what the rows below were measured on."""
    t_len, height, width = masks.grid_shape
    sizes = ", ".join(str(int(target.sum())) for target in masks.targets)
    return [
        ("image", image or "the generated demo image"),
        ("model", f"{model} ({checkpoint})" if checkpoint and checkpoint != model else model),
        (
            "masks",
            f"grid {t_len}x{height}x{width}, context {int(masks.context.sum())} patches, "
            f"{len(masks.targets)} target group(s) of {sizes} patches",
        ),
        ("metric", f"{METRIC_LABELS.get(metric, metric)} ({metric}) shown; columns <estimate>_<metric> hold every metric"),
    ]


def numbers_csv(prediction, about: list[tuple[str, str]]) -> str:
    """`# key: value` lines (``csv_about``), then one row per target patch (``results.prediction_csv``)."""
    header = "".join(f"# {key}: {value}\n" for key, value in about)
    return header + results.prediction_csv(prediction, prediction.masks.grid_shape)


def export_numbers(path: str | Path, prediction, about: list[tuple[str, str]], input_view=None) -> None:
    """CSV (``numbers_csv``) or, for a path ending in .npz, every array of the prediction (and the input's
    embeddings, PCA and pixels when given). JepaError naming the file when it cannot be written."""
    try:
        if str(path).endswith(".npz"):
            extra = (input_view.actual, input_view.actual_pca, input_view.pixels) if input_view is not None else ()
            arrays = prediction.to_arrays(*extra)
            with atomic_open(path, "wb") as file:
                np.savez_compressed(file, **arrays)
        else:
            text = numbers_csv(prediction, about)
            with atomic_open(path, "w", encoding="utf-8") as file:
                file.write(text)
    except OSError as e:
        reason = e.strerror or e
        raise JepaError(f"{path}: cannot write the numbers ({reason}); check the folder exists and is writable.") from None
