"""Soak through the real window: image<->video switches and mask edits, resident memory measured as it goes.

What bench/soak.py measures on the engine, measured here where a user meets it: the offscreen main window,
its app model and its model worker. Each round opens a photo (the image model), makes `edits` mask edits
(a preset rerolled, each waited for on screen), then a clip (the video model) and the same edits. RSS after
each round; the drift is counted from the end of round `warmup` (the first rounds load, trace and fill
caches once). The worker's live-model cache (engine/live_cache.py) is what keeps the drift small; the
report says how many times a checkpoint was really loaded and traced.
"""

from __future__ import annotations

import os
import tempfile
import time

from jepa_explorer.bench.soak import rss_mb


def run_gui_soak(switches: int = 20, edits: int = 3, warmup: int = 2, timeout_s: float = 120.0) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import torch

    torch.set_num_threads(1)  # what a soak measures is memory, not speed
    from jepa_explorer.gui.app import make_app

    _app = make_app()  # held: the QApplication lives as long as the soak
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from jepa_explorer.errors import JepaError
    from jepa_explorer.gui.main_window import MainWindow
    from jepa_explorer.resources import default_checkpoint, default_video_checkpoint, sample_clips, sample_images

    if default_checkpoint() is None or default_video_checkpoint() is None or not sample_clips() or not sample_images():
        raise JepaError("bench --gui-soak: needs the bundled image and video models and samples.")
    photo, clip = str(sample_images()[0]), str(sample_clips()[0])
    folder = tempfile.mkdtemp(prefix="jepa-gui-soak-")
    from jepa_explorer.gui.autosave import FOLDER_VARIABLE

    os.environ[FOLDER_VARIABLE] = os.path.join(folder, "autosave")  # autosave runs, away from the user's own
    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings, show_dialogs=False)
    window.resize(1280, 800)
    window.show()
    errors: list[str] = []
    window.errorShown.connect(errors.append)

    def wait_until(done, what: str) -> None:
        deadline = time.perf_counter() + timeout_s
        while not done():
            if time.perf_counter() > deadline:
                raise JepaError(
                    f"bench --gui-soak: {what} did not happen within {timeout_s:.0f} s ({errors[-1:] or 'no error'})."
                )
            loop = QEventLoop()
            QTimer.singleShot(20, loop.quit)
            loop.exec()

    def current(video: bool) -> bool:
        a = window.app
        return (
            a.model_info is not None
            and a.model_info.video == video
            and a.prediction is not None
            and a.prediction.request_id == a.last_sent
            and (a.prediction.masks.grid_shape[0] > 1) == video
        )

    started = time.perf_counter()
    QTimer.singleShot(0, window.start)
    wait_until(lambda: window.app.prediction is not None, "the first prediction")
    rounds: list[float | None] = []
    for _ in range(switches):
        for path, video in ((photo, False), (clip, True)):
            if not window.open_image(path):
                raise JepaError(f"bench --gui-soak: cannot open {path} ({errors[-1:]}).")
            wait_until(lambda v=video: current(v), f"a prediction on {path}")
            for _e in range(edits):
                window.apply_preset("multiblock")  # a reroll: new masks, a new prediction
                wait_until(lambda v=video: current(v), "a prediction after an edit")
        rounds.append(rss_mb())
    seconds = time.perf_counter() - started
    loads = _cache_loads(window)
    window.close()
    measured = [r for r in rounds if r is not None]
    drift = rounds[-1] - rounds[warmup - 1] if len(measured) == len(rounds) and len(rounds) > warmup else None
    return {
        "switches": switches,
        "edits_per_input": edits,
        "loads_and_traces": loads,
        "rss_mb_per_round": [round(r, 1) for r in measured],
        "rss_mb_after_warmup": round(rounds[warmup - 1], 1) if drift is not None else None,
        "rss_mb_end": round(rounds[-1], 1) if measured else None,
        "rss_drift_mb": round(drift, 1) if drift is not None else None,
        "rss_drift_mb_per_switch": round(drift / (switches - warmup), 2) if drift is not None else None,
        "errors": errors,
        "seconds": round(seconds, 1),
    }


def _cache_loads(window) -> int | None:
    cache = getattr(window.worker, "live_cache", None)
    return cache.loads if cache is not None else None
