"""GUI responsiveness during a scripted brush stroke: the longest UI-thread stall and the update rate.

A 2 ms heartbeat timer runs on the UI thread; the longest gap between two beats is the longest stall
(what a user feels as a frozen brush). The stroke paints a new target block with the 1-patch brush along a
serpentine through the grid's rows (all but the last two, so context remains), a quarter patch per mouse
move, one move per `step_ms` of wall-clock time, like a hand that does not wait for the program: when the
UI thread was busy, the next mouse event lands where the hand is by then (the window system coalesces the
moves in between, and the brush paints the line between the two positions). Every patch it enters is a
new mask edit, so edits arrive at a steady rate (about 30 per second at 8 ms a move) above the target
update rate: the update rate then measures how often the app can show a fresh prediction, not how often
the hand happens to change the masks. Every prediction shown during the stroke counts as one update.
Targets (issue 5): no stall > 50 ms, >= 20 updates/s. Reported, never asserted.
"""

from __future__ import annotations

import os
import time

TARGETS = {"gui_max_stall_ms": 50.0, "gui_updates_per_s": 20.0}


def run_gui_bench(
    checkpoint: str | None = None,
    image: str | None = None,
    rows: int | None = None,
    step_ms: int = 8,
    timeout_s: float = 120.0,
) -> dict:
    """`rows`: how many grid rows the serpentine covers (default: all but the last two)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from jepa_explorer.gui.app import make_app

    app = make_app()
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest

    from jepa_explorer.errors import JepaError
    from jepa_explorer.gui.main_window import MainWindow
    from jepa_explorer.gui.mask_edit import Layer

    started = time.perf_counter()
    window = MainWindow(checkpoint=checkpoint, image=image, show_dialogs=False)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    first_paint_s = time.perf_counter() - started
    loop = QEventLoop()
    window.predictionShown.connect(lambda _: loop.quit())
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    QTimer.singleShot(0, window.start)
    loop.exec()
    if window.prediction is None:
        window.close()
        raise JepaError(f"gui bench: no first prediction within {timeout_s:.0f} s ({window.last_error or 'no error reported'}).")
    first_prediction_s = time.perf_counter() - started

    canvas = window.canvas
    canvas.set_layer(Layer.TARGET_NEW)
    canvas.set_brush_size(1)
    _, height, width = canvas.masks.grid_shape
    path = serpentine(rows if rows is not None else max(1, height - 2), width)
    viewport = canvas.viewport()

    def widget_point(p):
        return canvas.mapFromScene(canvas.viewbox.mapViewToScene(p))

    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(2)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    shown: list[float] = []
    window.predictionShown.connect(lambda _: shown.append(time.perf_counter()))

    state = {"i": 0, "start": 0.0}
    done = QEventLoop()

    def step():
        # the hand's position now: a late tick skips the positions passed in the meantime, as a real mouse would
        i = state["i"]
        if i > 0:
            due = min(len(path), int((time.perf_counter() - state["start"]) * 1000 / step_ms))
            if due < i:
                return  # the hand has not reached the next position yet
            i = due
        if i == 0:
            state["start"] = time.perf_counter()
            QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, widget_point(path[0]))
        elif i < len(path):
            QTest.mouseMove(viewport, widget_point(path[i]))
        else:
            QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, widget_point(path[-1]))
            state["released"] = time.perf_counter()
            mover.stop()
            QTimer.singleShot(300, done.quit)  # let the last result arrive
        state["i"] = i + 1

    mover = QTimer()
    mover.setTimerType(Qt.PreciseTimer)
    mover.setInterval(step_ms)
    mover.timeout.connect(step)
    heartbeat.start()
    first_request = window._last_sent
    stroke_start = time.perf_counter()
    mover.start()
    done.exec()
    # rates over the stroke itself, press to release (the wait after it only lets the last result land)
    stroke_s = state.get("released", time.perf_counter()) - stroke_start
    during = [t for t in shown if t <= stroke_start + stroke_s]
    heartbeat.stop()
    gaps = [(b - a) * 1e3 for a, b in zip(beats, beats[1:])]
    latencies = list(window.latencies_ms[-len(shown) :]) if shown else []
    report = {
        "gui_first_paint_s": first_paint_s,
        "gui_first_prediction_s": first_prediction_s,
        "gui_stroke_moves": len(path),
        "gui_stroke_s": stroke_s,
        "gui_max_stall_ms": max(gaps) if gaps else float("nan"),
        "gui_p99_stall_ms": sorted(gaps)[int(0.99 * (len(gaps) - 1))] if gaps else float("nan"),
        "gui_updates": len(during),
        "gui_updates_after_release": len(shown) - len(during),
        # mask edits the stroke produced (one request each): the update rate cannot exceed this
        "gui_edits": window._last_sent - first_request,
        "gui_edits_per_s": (window._last_sent - first_request) / stroke_s if stroke_s > 0 else 0.0,
        "gui_updates_per_s": len(during) / stroke_s if stroke_s > 0 else 0.0,
        "gui_update_latency_p50_ms": sorted(latencies)[len(latencies) // 2] if latencies else float("nan"),
        "gui_dropped_stale": window.dropped_stale,
        "gui_targets": TARGETS,
    }
    window.close()
    return report


def serpentine(rows: int, width: int, per_patch: int = 4) -> list:
    """Mouse positions (in patch units) along rows 0..rows-1, left to right, then right to left, ...,
    `per_patch` moves through each patch and down between rows: every patch is entered once."""
    from PySide6.QtCore import QPointF

    points = []
    for row in range(rows):
        cols = [c + (i + 0.5) / per_patch for c in range(width) for i in range(per_patch)]
        points += [QPointF(c, row + 0.5) for c in (cols if row % 2 == 0 else cols[::-1])]
        if row + 1 < rows:  # down into the next row at the same end
            x = points[-1].x()
            points += [QPointF(x, row + 0.5 + (i + 1) / per_patch) for i in range(per_patch - 1)]
    return points


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_gui_bench(sys.argv[1] if len(sys.argv) > 1 else None), indent=1))
