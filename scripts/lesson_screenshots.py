#!/usr/bin/env python3
"""Screenshots of the window's lesson mode (F2) and world-model mode (F3), normal and in presentation mode.

    PYTHONPATH=src QT_QPA_PLATFORM=offscreen python3 scripts/lesson_screenshots.py --out shots \
        [--sizes 1024x768,1280x800,1920x1080] [--chapters all|ID,ID] [--tiny-world]

For every size: the lesson panel docked in the real window on the bundled models; each chapter's set-up
pressed through the window's lesson host (``app.lesson_host``), saved as ``lesson-<chapter>-<n>-<size>.png``
with a line saying what is on screen (model, input, gain over copying, surface-tax increases, F5 stage);
the first chapter again in presentation mode (``lesson-present-<size>.png``); then world-model mode after a
few steps of driving, an injected teleport, a drawn path imagined and a plan (``world-<size>.png``, ``world-present-<size>.png``),
then a plan to push the object (``world-push-<size>.png``).
``--tiny-world`` uses a small random-init world model when checkpoints/world-tiny is not bundled.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def tiny_world_model():
    """A random-init world model small enough to build in a second (screenshots without the bundle)."""
    import torch

    from jepa_explorer.models.config import ViTConfig
    from jepa_explorer.models.world import WorldConfig, WorldDecoder, WorldEncoder, WorldPredictor
    from jepa_explorer.world.model import WorldModel

    torch.manual_seed(0)
    cfg = WorldConfig(
        encoder=ViTConfig(img_size=32, patch_size=8, embed_dim=32, depth=1, num_heads=2),
        latent_dim=16, projector_dim=32, predictor_dim=32, predictor_depth=1, predictor_heads=2, max_history=8,
    )  # fmt: skip
    model = WorldModel(
        WorldEncoder(cfg).eval(), WorldPredictor(cfg).eval(), cfg, {}, "<tiny random>", WorldDecoder(16, 32).eval()
    )
    return model, "World model: a tiny random-init stand-in (no world-tiny bundle here)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--sizes", default="1024x768,1280x800,1920x1080")
    parser.add_argument("--chapters", default="all", help="all, or chapter ids separated by commas")
    parser.add_argument("--tiny-world", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import torch

    torch.set_num_threads(1)
    from PySide6.QtCore import QSettings

    from jepa_explorer.gui import modes
    from jepa_explorer.gui.app import make_app
    from jepa_explorer.gui.main_window import MainWindow
    from jepa_explorer.gui.world.demo import run_demo
    from jepa_explorer.lesson import load_lesson
    from jepa_explorer.resources import checkpoints_dir
    from jepa_explorer.world.env import push_has_room

    app = make_app([])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="lesson-shots-"))  # progress and settings stay out of the user's
    lesson = load_lesson()

    def wait_until(condition, timeout: float = 180.0) -> None:
        start = time.monotonic()
        while not condition():
            app.processEvents()
            time.sleep(0.01)
            if time.monotonic() - start > timeout:
                raise TimeoutError("the window did not finish in time")

    def settle(passes: int = 20) -> None:
        for _ in range(passes):
            app.processEvents()
            time.sleep(0.02)

    def present(window, size, on: bool) -> None:
        window.toggle_presentation(on)
        if on:
            window.showNormal()  # offscreen "full screen" is the virtual screen's size: keep the requested size
            window.resize(*size)
            window.presentation.fit(*size)
            modes.presentation_changed(window)
        settle()

    def current(window) -> bool:
        a = window.app
        return a.prediction is not None and a.prediction.request_id == a.last_sent

    for size_text in args.sizes.split(","):
        size = tuple(int(v) for v in size_text.split("x"))
        window = MainWindow(
            checkpoint=str(checkpoints_dir() / "ijepa-tiny"),
            settings=QSettings(str(scratch / "settings.ini"), QSettings.IniFormat),
            show_dialogs=False,
        )
        if args.tiny_world or not (checkpoints_dir() / modes.WORLD_BUNDLE / "card.json").is_file():
            window.world_mode.load = tiny_world_model
        window.lesson_mode.progress_path = scratch / "progress.json"
        window.resize(*size)
        window.show()
        window.start()
        wait_until(lambda: window.app.prediction is not None)
        window.lesson_mode.set_on(True)
        host = window.lesson_mode.host
        finished: list[str] = []
        host.events.done.connect(lambda: finished.append("done"))
        host.events.failed.connect(lambda message: finished.append(f"failed: {message}"))
        panel = window.lesson_mode.panel
        for number, chapter in enumerate(lesson.chapters):
            if args.chapters != "all" and chapter.id not in args.chapters.split(","):
                continue
            panel.show_section("chapters")
            panel.show_item(number)
            for index in range(len(chapter.setups)):
                finished.clear()
                panel.set_up(chapter.id, index)
                wait_until(lambda: finished)
                if not window.world_mode.on:
                    wait_until(lambda: current(window))
                    if chapter.setups[index].mode == "surface-tax":
                        wait_until(lambda: window.app.prediction.surface_tax is not None)
                settle()
                a = window.app
                tax = a.prediction.surface_tax if a.prediction is not None else None
                increases = {k: f"{v:+.0%}" for k, v in tax.increase().items()} if tax is not None else ""
                name = f"lesson-{chapter.id}-{index + 1}-{size_text}.png"
                window.grab().save(str(out / name))
                gain = f"gain over copying {a.prediction.gain('loss'):+.1%}" if a.prediction is not None else ""
                print(f"{name}: {finished[0]}; {a.model_info.name} on {Path(a.image_path or 'demo').name}, {gain} "
                      f"{increases} F5 stage {a.stage} world {window.world_mode.on}")  # fmt: skip
                window.world_mode.set_on(False)
        # the first chapter in presentation mode
        finished.clear()
        panel.show_item(0)
        panel.set_up(lesson.chapters[0].id, 0)
        wait_until(lambda: finished)
        wait_until(lambda: current(window))
        present(window, size, True)
        window.grab().save(str(out / f"lesson-present-{size_text}.png"))
        present(window, size, False)
        window.lesson_mode.set_on(False)
        window.resize(*size)
        # world-model mode: drive, inject, imagine a drawn path, plan to a goal in the other room
        window.world_mode.set_on(True)
        view = window.world_mode.view
        summary = run_demo(view)
        settle()
        window.grab().save(str(out / f"world-{size_text}.png"))
        present(window, size, True)
        window.grab().save(str(out / f"world-present-{size_text}.png"))
        present(window, size, False)
        print(f"world-{size_text}.png: {summary}")
        # a push: the object's goal 6 px along a way it can go (room behind it for the agent, and ahead of it),
        # planned with the push planner
        view.push_box.setChecked(True)
        world = view.controller.world
        obj = world.state.obj
        for d in ((6.0, 0.0), (-6.0, 0.0), (0.0, 6.0), (0.0, -6.0)):
            if push_has_room(world.layout, obj, d):
                break
        view.set_goal(tuple(float(v) for v in obj + d + 2))
        planned: list = []
        view.planned.connect(planned.append)
        view.plan()
        wait_until(lambda: planned)
        settle()
        window.grab().save(str(out / f"world-push-{size_text}.png"))
        print(f"world-push-{size_text}.png: {view.status.text()}")
        present(window, size, True)
        window.grab().save(str(out / f"world-push-present-{size_text}.png"))
        present(window, size, False)
        window.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
