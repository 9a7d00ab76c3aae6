"""A scripted few seconds of world-model mode for figures (`jepa-explorer screenshot --world`,
scripts/lesson_screenshots.py): drive the agent, inject a teleport, imagine a drawn path, then plan towards a
goal in the other room. Each step waits for the view's worker, so the picture shows finished results."""

from __future__ import annotations

import time

from jepa_explorer.errors import JepaError

# where the demo's goal sits (world pixels): the lower left, across the door from where seeds usually start
DEMO_GOAL = (6.0, 26.0)


def wait_for(started: list, what: str, timeout_s: float) -> None:
    """Let Qt run until `started` holds a result (or a failure message) from the view's worker."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    start = time.monotonic()
    while not started:
        app.processEvents()
        time.sleep(0.01)
        if time.monotonic() - start > timeout_s:
            raise JepaError(f"{what} did not finish within {timeout_s:.0f} s.")
    if isinstance(started[0], str):
        raise JepaError(f"{what} failed: {started[0]}")


def run_demo(view, timeout_s: float = 180.0) -> str:
    """Drive, inject, imagine and plan in `view` (a `WorldView`); returns a one-line summary.
    Without a world model only the driving and the injected event are shown."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    for key in [Qt.Key_Right] * 4 + [Qt.Key_Down] * 3:
        QTest.keyClick(view, key)
    view.actions_by_name["inject_teleport"].trigger()
    for key in [Qt.Key_Right] * 3:
        QTest.keyClick(view, key)
    controller = view.controller
    if controller.model is None:
        return f"{len(controller.actions)} steps, events {controller.events} (no world model: no imagining or planning)"
    results: list = []
    failed = lambda _kind, _id, message: results.append(message)  # noqa: E731
    hooks = [(view.worker.failed, failed), (view.imagined, results.append), (view.planned, results.append)]
    for signal, slot in hooks:
        signal.connect(slot)
    try:
        # a path towards the middle of the agent's room, imagined in the worker
        x, y = controller.world.state.agent + 2
        dx, dy = (1.0 if x < 16 else -1.0), (1.0 if y < 16 else -1.0)
        view.set_mouse_mode("path")
        view.imagine_path([(float(x + 6 * dx), float(y)), (float(x + 10 * dx), float(y + 2 * dy))])
        wait_for(results, "Imagining the drawn path", timeout_s)
        results.clear()
        view.set_mouse_mode("goal")
        view.set_goal(DEMO_GOAL)
        view.plan()
        wait_for(results, "Planning towards the goal", timeout_s)
    finally:
        for signal, slot in hooks:
            signal.disconnect(slot)
    energies = results[0].energies
    return (f"{len(controller.actions)} steps, events {controller.events}, "
            f"plan energy {energies[0]:.3f} -> {energies[-1]:.3f} over {len(energies)} iterations")  # fmt: skip
