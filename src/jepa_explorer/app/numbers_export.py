"""The prediction's numbers written to a file (no Qt): CSV with a header that says what they are (image,
model, masks, metric), or NPZ with every array. Written atomically: a temporary file beside the target,
then os.replace, so an interrupted export never leaves half a file under the name asked for."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from jepa_explorer.analysis.distances import METRIC_LABELS
from jepa_explorer.app import results
from jepa_explorer.errors import JepaError


def write_atomically(path: str | Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """`write(file)` into a temporary file in the target's folder, then rename it onto `path`."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
            write_atomically(path, lambda file: np.savez_compressed(file, **arrays))
        else:
            text = numbers_csv(prediction, about).encode()
            write_atomically(path, lambda file: file.write(text))
    except OSError as e:
        reason = e.strerror or e
        raise JepaError(f"{path}: cannot write the numbers ({reason}); check the folder exists and is writable.") from None
