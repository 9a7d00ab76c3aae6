"""Start the app: make the QApplication, show the window, then load the model in the background."""

from __future__ import annotations

import os
import sys

from jepa_explorer.errors import JepaError


def make_app(argv: list[str] | None = None, presentation: bool = False):
    from PySide6.QtWidgets import QApplication

    from jepa_explorer.gui import style

    # the worker thread runs Python between torch calls; a shorter GIL switch interval hands the UI
    # thread the interpreter sooner (measured: lower stalls during a stroke on a busy 2-core machine)
    sys.setswitchinterval(0.001)
    from jepa_explorer.gui.compat import binding_problem

    problem = binding_problem()
    if problem:
        raise JepaError(problem)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("JEPA Explorer")
    app.setOrganizationName("jepa-explorer")
    style.apply_style(app)
    return app


def run_gui(checkpoint=None, image=None, scene=None, device=None, presentation: bool = False) -> int:
    app = make_app()
    from jepa_explorer.gui.main_window import MainWindow, show_when_ready

    window = MainWindow(checkpoint=checkpoint, image=image, scene=scene, device=device)
    show_when_ready(window)
    if presentation:
        window.toggle_presentation(True)
    return app.exec()


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
        if width < 200 or height < 200:
            raise ValueError
        return width, height
    except ValueError:
        raise JepaError(f"--size '{text}': use WIDTHxHEIGHT in pixels, e.g. 1280x800 (at least 200x200).") from None


def screenshot(
    out: str,
    size: str = "1280x800",
    scene=None,
    checkpoint=None,
    image=None,
    timeout_s: float = 120.0,
    presentation: bool = False,
    step: int = 0,
    world: bool = False,
) -> str:
    """Render the window offscreen once the first prediction is on screen, and write a PNG; `step`: show
    that stage (1-5) of the step-through; `world`: world-model mode after a scripted drive, injected teleport,
    imagined path and plan (gui/world/demo.py)."""
    from jepa_explorer.app.stages import STAGES

    if not 0 <= step <= len(STAGES):
        raise JepaError(f"--step {step}: use a stage from 1 to {len(STAGES)} (0: none).")
    if world and step:
        raise JepaError("--world and --step: the step-through is the image and video modes'; give one of them.")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    width, height = parse_size(size)
    app = make_app()
    from PySide6.QtCore import QEventLoop, QTimer

    from jepa_explorer.gui.main_window import MainWindow

    window = MainWindow(checkpoint=checkpoint, image=image, scene=scene, show_dialogs=False, autosave=False)
    window.resize(width, height)
    window.show()
    errors: list[str] = []
    loop = QEventLoop()
    window.predictionShown.connect(lambda _: loop.quit())
    window.errorShown.connect(lambda message: (errors.append(message), loop.quit()))
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    QTimer.singleShot(0, window.start)
    loop.exec()
    if window.app.prediction is None:
        window.close()
        reason = errors[0] if errors else f"no prediction within {timeout_s:.0f} s"
        raise JepaError(f"screenshot: {reason.rstrip('.')}.")
    if world:
        from jepa_explorer.gui.world.demo import run_demo

        window.world_mode.set_on(True)
        try:
            run_demo(window.world_mode.view, timeout_s)
        except JepaError as e:
            window.close()
            raise JepaError(f"screenshot --world: {e}") from None
    if presentation:
        window.toggle_presentation(True)
        window.showNormal()  # offscreen "full screen" is the virtual screen's size: keep the requested size
        window.resize(width, height)
        window.presentation.fit(width, height)
        if world:
            from jepa_explorer.gui import modes

            modes.presentation_changed(window)  # the world view lays itself out for the fitted fonts
    for _ in range(step):
        window.app.advance_stage()
    for _ in range(5):  # let the panels lay out and paint the result
        app.processEvents()
    try:
        window.export_window(out)
    finally:
        window.close()
    return out
