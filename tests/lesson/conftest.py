"""Lesson fixtures: the bundled content, a host that records what a set-up asks for, and broken-file helpers."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from jepa_explorer.lesson.names import KnownNames


class RecordingHost:
    """A LessonHost that only writes down each call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def choose_model(self, name: str) -> None:
        self.calls.append(("choose_model", name))

    def open_sample(self, name: str) -> None:
        self.calls.append(("open_sample", name))

    def apply_preset(self, name: str) -> None:
        self.calls.append(("apply_preset", name))

    def show_panel(self, name: str) -> None:
        self.calls.append(("show_panel", name))

    def set_mode(self, name: str) -> None:
        self.calls.append(("set_mode", name))

    def start_step_through(self) -> None:
        self.calls.append(("start_step_through",))


@pytest.fixture
def host() -> RecordingHost:
    return RecordingHost()


# names a test folder's set-ups may use, independent of what this checkout bundles
KNOWN = KnownNames(
    models=frozenset({"ijepa-tiny", "mae-tiny", "vjepa-tiny"}),
    video_models=frozenset({"vjepa-tiny"}),
    images=frozenset({"heldout_chelsea.jpg"}),
    clips=frozenset({"sprites.mp4"}),
)

CHAPTER = """
[[chapter]]
id = "one"
title = "One"
objective = "Learn one thing."
look_at = "Look here. Then there."

[[chapter.setup]]
label = "Image"
model = "ijepa-tiny"
sample = "heldout_chelsea.jpg"
preset = "multiblock"
panel = "distance"
"""


def write_folder(root: Path, **files: str) -> Path:
    """A content folder with the given files (name without .toml -> text, dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / f"{name}.toml").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root
