"""One-click chapter set-ups through a small, Qt-free interface.

The lesson never touches the window: it asks a ``LessonHost`` (the app model implements it) to choose a
model, open a sample, apply a mask preset, bring a panel forward and switch mode. Tests use a host that
records the calls.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from jepa_explorer.lesson.model import Chapter, Setup


@runtime_checkable
class LessonHost(Protocol):
    def choose_model(self, name: str) -> None:
        """Load the bundled checkpoint `name` (a folder of checkpoints/, e.g. "ijepa-tiny")."""

    def open_sample(self, name: str) -> None:
        """Open the bundled sample `name` (a file of assets/samples or assets/clips)."""

    def apply_preset(self, name: str) -> None:
        """Apply the mask preset `name` (a key of app.presets.PRESETS: "multiblock", "random", …)."""

    def show_panel(self, name: str) -> None:
        """Bring the panel `name` forward ("distance", "pca", "pixels", "model")."""

    def set_mode(self, name: str) -> None:
        """Switch to mode `name` (names.MODES): turns the surface tax on or off, ends a running step-through, …"""

    def start_step_through(self) -> None:
        """Start the step-through of the JEPA loop at its first stage (F5)."""


def apply_setup(chapter: Chapter, host: LessonHost, index: int = 0) -> Setup:
    """Put the app in the state of the chapter's set-up number `index` and return that set-up.

    Order matters: the model first (opening a sample of the other kind would switch the model), then the
    input, the masks, the mode and the panel; the step-through starts last, on the finished state.
    """
    if not chapter.setups:
        raise IndexError(f"chapter '{chapter.id}' has no set-up")
    setup = chapter.setups[index]
    host.choose_model(setup.model)
    host.open_sample(setup.sample)
    host.apply_preset(setup.preset)
    host.set_mode(setup.mode)
    host.show_panel(setup.panel)
    if setup.mode == "step-through":
        host.start_step_through()
    return setup


def describe_setup(setup: Setup) -> str:
    """One line for the chapter page: what the button will do."""
    mode = "" if setup.mode == "explore" else f", {setup.mode}"
    return f"{setup.model} · {setup.sample} · preset {setup.preset} · {setup.panel} panel{mode}"
