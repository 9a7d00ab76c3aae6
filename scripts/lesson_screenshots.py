#!/usr/bin/env python3
"""Screenshots of the lesson: each chapter's set-up applied to the real window, and the panel's pages alone.

    PYTHONPATH=src QT_QPA_PLATFORM=offscreen python3 scripts/lesson_screenshots.py --out shots \
        [--sizes 1024x768,1280x800,1920x1080]

For every chapter and set-up it docks the lesson panel beside a MainWindow on the bundled models, presses
the set-up through ``MainWindowHost``, waits for the prediction, saves ``window-<chapter>-<n>-<size>.png``
and prints what is on screen (model, input, gain over copying, the surface-tax increases, the F5 stage),
so the picture can be checked against the chapter's text. Then ``panel-<page>-<size>.png``: the panel alone,
on a chapter, an answered card, a revealed scope claim and a flipped flashcard.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--sizes", default="1024x768,1280x800,1920x1080")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import torch

    torch.set_num_threads(1)
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    from jepa_explorer.gui.app import make_app
    from jepa_explorer.gui.lesson import LessonPanel
    from jepa_explorer.gui.lesson.window_host import MainWindowHost
    from jepa_explorer.gui.main_window import MainWindow
    from jepa_explorer.lesson import Progress, load_lesson
    from jepa_explorer.resources import checkpoints_dir

    app = make_app([])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="lesson-shots-"))  # progress and settings stay out of the user's
    lesson = load_lesson()

    def wait_until(condition, timeout: float = 120.0) -> None:
        start = time.monotonic()
        while not condition():
            app.processEvents()
            time.sleep(0.01)
            if time.monotonic() - start > timeout:
                raise TimeoutError("the window did not finish in time")

    def shoot_window(size_text: str, size: tuple[int, int]) -> None:
        """Each chapter's set-ups on the real window with the panel docked beside it."""
        window = MainWindow(
            checkpoint=str(checkpoints_dir() / "ijepa-tiny"),
            settings=QSettings(str(scratch / "settings.ini"), QSettings.IniFormat),
            show_dialogs=False,
        )
        window.resize(*size)
        window.show()
        window.start()
        wait_until(lambda: window.prediction is not None)
        host = MainWindowHost(window)
        finished: list[str] = []
        host.done.connect(lambda: finished.append("done"))
        host.failed.connect(lambda message: finished.append(f"failed: {message}"))
        panel = LessonPanel(lesson, Progress(scratch / "progress.json"), host=host, scale=0.8 if size[0] < 1900 else 1.0)
        dock = QDockWidget("Lesson", window)
        dock.setWidget(panel)
        window.addDockWidget(Qt.LeftDockWidgetArea, dock)
        window.resizeDocks([dock], [int(size[0] * 0.3)], Qt.Horizontal)
        for number, chapter in enumerate(lesson.chapters):
            panel.show_section("chapters")
            panel.show_item(number)
            for index in range(len(chapter.setups)):
                finished.clear()
                panel.set_up(chapter.id, index)
                wait_until(lambda: finished)
                wait_until(lambda: window.prediction is not None and window.prediction.request_id == window._last_sent)
                if chapter.setups[index].mode == "surface-tax":
                    wait_until(lambda: window.prediction.surface_tax is not None)
                for _ in range(20):
                    app.processEvents()
                    time.sleep(0.02)
                tax = window.prediction.surface_tax
                increases = {k: f"{v:+.0%}" for k, v in tax.increase().items()} if tax is not None else ""
                name = f"window-{chapter.id}-{index + 1}-{size_text}.png"
                window.grab().save(str(out / name))
                print(
                    f"{name}: {finished[0]}; {window.model_info.name} on {Path(window.image_path).name}, gain over copying "
                    f"{window.prediction.gain('loss'):+.1%} {increases} F5 stage {getattr(window, '_step', None)}"
                )
        window.close()

    for size_text in args.sizes.split(","):
        size = tuple(int(v) for v in size_text.split("x"))
        shoot_window(size_text, size)
        frame = QMainWindow()
        alone = LessonPanel(lesson, Progress(scratch / "alone.json"))
        frame.setCentralWidget(alone)
        frame.resize(*size)
        frame.show()
        for page, item, keys in [
            ("chapters", 1, []),
            ("classification", 2, [Qt.Key_1, Qt.Key_4]),
            ("scope", 1, [Qt.Key_Return]),
            ("flashcards", 0, [Qt.Key_Space]),
        ]:
            alone.show_section(page)
            alone.show_item(item)
            app.processEvents()
            for key in keys:
                QTest.keyClick(alone, key)
            for _ in range(5):
                app.processEvents()
            frame.grab().save(str(out / f"panel-{page}-{size_text}.png"))
        frame.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
