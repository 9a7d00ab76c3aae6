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
The stroke runs several times from the same masks; the report gives the worst stroke against the targets
and every stroke's figures beside it, with the share of CPU time the host's hypervisor took meanwhile.
Targets (issue 5): no stall > 50 ms, >= 20 updates/s. Reported, never asserted.
"""

from __future__ import annotations

import os
import statistics
import time

TARGETS = {"gui_max_stall_ms": 50.0, "gui_updates_per_s": 20.0}


def run_gui_bench(
    checkpoint: str | None = None,
    image: str | None = None,
    rows: int | None = None,
    step_ms: int = 8,
    timeout_s: float = 120.0,
    strokes: int = 3,
) -> dict:
    """`rows`: how many grid rows the serpentine covers (default: all but the last two). The stroke runs
    `strokes` times from the same masks (one stroke's longest stall is one draw from a noisy host)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from jepa_explorer.gui.app import make_app

    app = make_app()
    from PySide6.QtCore import QEventLoop, QTimer

    from jepa_explorer.errors import JepaError
    from jepa_explorer.gui.main_window import MainWindow

    started = time.perf_counter()
    window = MainWindow(checkpoint=checkpoint, image=image, show_dialogs=False, autosave=False)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    first_paint_s = time.perf_counter() - started
    loop = QEventLoop()
    window.predictionShown.connect(lambda _: loop.quit())
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    QTimer.singleShot(0, window.start)
    loop.exec()
    if window.app.prediction is None:
        window.close()
        raise JepaError(
            f"gui bench: no first prediction within {timeout_s:.0f} s ({window.app.last_error or 'no error reported'})."
        )
    first_prediction_s = time.perf_counter() - started

    start_masks = window.app.masks
    strokes_run = []
    for _ in range(max(1, strokes)):
        window.app.set_masks(start_masks, record=False)  # every stroke starts from the same masks
        _settle(window, 0.4)
        strokes_run.append(_stroke(window, rows, step_ms))
    window.close()
    stalls = [r["max_stall_ms"] for r in strokes_run]
    worst = max(strokes_run, key=lambda r: r["max_stall_ms"])
    rates = [r["updates_per_s"] for r in strokes_run]
    return {
        "gui_first_paint_s": first_paint_s,
        "gui_first_prediction_s": first_prediction_s,
        "gui_strokes": len(strokes_run),
        "gui_stroke_moves": worst["moves"],
        "gui_stroke_s": statistics.median(r["stroke_s"] for r in strokes_run),
        # the longest stall over all strokes (the target), each stroke's, and what filled the longest one: the
        # UI thread's own CPU time in it (the rest it waited: for the interpreter lock, or for the host)
        "gui_max_stall_ms": worst["max_stall_ms"],
        "gui_max_stall_ms_per_stroke": stalls,
        "gui_max_stall_median_ms": statistics.median(stalls),
        # how many strokes had a stall over the target: with many strokes, the worst one alone says little
        "gui_strokes_over_stall_target": sum(stall > TARGETS["gui_max_stall_ms"] for stall in stalls),
        "gui_longest_stall_ui_cpu_ms": worst["longest_stall_cpu_ms"],
        "gui_p99_stall_ms": max(r["p99_stall_ms"] for r in strokes_run),
        "gui_updates": sum(r["updates"] for r in strokes_run),
        "gui_updates_after_release": sum(r["updates_after_release"] for r in strokes_run),
        "gui_edits": sum(r["edits"] for r in strokes_run),
        "gui_edits_per_s": statistics.median(r["edits_per_s"] for r in strokes_run),
        "gui_updates_per_s": min(rates),  # the slowest stroke's rate (the target)
        "gui_updates_per_s_per_stroke": rates,
        "gui_update_latency_p50_ms": statistics.median(r["latency_p50_ms"] for r in strokes_run),
        "gui_dropped_stale": window.app.dropped_stale,
        # CPU time the hypervisor gave to other guests during the strokes (Linux; None elsewhere): a stall measured
        # while the host takes a share of the cores says more about the host than about the app
        "gui_host_steal_pct": _mean_or_none([r["host_steal_pct"] for r in strokes_run]),
        "gui_targets": TARGETS,
    }


def _settle(window, seconds: float) -> None:
    """Let the window finish what the last edit started (the prediction, the deferred redraws)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _stroke(window, rows: int | None, step_ms: int) -> dict:
    """One scripted stroke (see the module's docstring) with the heartbeat running; its figures."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest

    from jepa_explorer.app.mask_edit import Layer

    canvas, app = window.canvas, window.app
    app.set_layer(Layer.TARGET_NEW)
    app.set_brush_size(1)
    _, height, width = app.masks.grid_shape
    path = serpentine(rows if rows is not None else max(1, height - 2), width)
    viewport = canvas.viewport()

    def widget_point(p):
        return canvas.mapFromScene(canvas.viewbox.mapViewToScene(p))

    beats: list[tuple[float, float]] = []  # (wall clock, the UI thread's CPU clock) at each beat
    heartbeat = QTimer()
    heartbeat.setInterval(2)
    heartbeat.timeout.connect(lambda: beats.append((time.perf_counter(), time.thread_time())))
    shown: list[float] = []
    on_shown = lambda _: shown.append(time.perf_counter())  # noqa: E731
    window.predictionShown.connect(on_shown)

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
    first_request = app.last_sent
    steal_before = _host_steal()
    stroke_start = time.perf_counter()
    mover.start()
    done.exec()
    heartbeat.stop()
    window.predictionShown.disconnect(on_shown)
    steal_after = _host_steal()
    # rates over the stroke itself, press to release (the wait after it only lets the last result land)
    stroke_s = state.get("released", time.perf_counter()) - stroke_start
    during = [t for t in shown if t <= stroke_start + stroke_s]
    gaps = [((b[0] - a[0]) * 1e3, (b[1] - a[1]) * 1e3) for a, b in zip(beats, beats[1:])]
    longest = max(gaps, default=(float("nan"), float("nan")))
    walls = sorted(g[0] for g in gaps)
    latencies = list(app.latencies_ms[-len(shown) :]) if shown else []
    edits = app.last_sent - first_request
    steal = None
    if steal_before is not None and steal_after is not None:
        busy = steal_after[1] - steal_before[1]
        steal = 100.0 * (steal_after[0] - steal_before[0]) / busy if busy > 0 else 0.0
    return {
        "moves": len(path),
        "stroke_s": stroke_s,
        "max_stall_ms": longest[0],
        "longest_stall_cpu_ms": longest[1],
        "p99_stall_ms": walls[int(0.99 * (len(walls) - 1))] if walls else float("nan"),
        "updates": len(during),
        "updates_after_release": len(shown) - len(during),
        # mask edits the stroke produced (one request each): the update rate cannot exceed this
        "edits": edits,
        "edits_per_s": edits / stroke_s if stroke_s > 0 else 0.0,
        "updates_per_s": len(during) / stroke_s if stroke_s > 0 else 0.0,
        "latency_p50_ms": sorted(latencies)[len(latencies) // 2] if latencies else float("nan"),
        "host_steal_pct": steal,
    }


def _host_steal() -> tuple[int, int] | None:
    """(steal, all) CPU ticks since boot from /proc/stat; None where there is none (not Linux)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return (ticks[7], sum(ticks)) if len(ticks) > 7 else None


def _mean_or_none(values: list) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


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
