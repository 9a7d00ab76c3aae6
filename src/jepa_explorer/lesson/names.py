"""The names a chapter's set-up may use, and where each list comes from.

Presets, panels and modes are the app's own vocabulary (the preset keys of ``app.presets.PRESETS``,
its dock keys, the lesson's modes); a test keeps the first two in step with the GUI. Models and samples
are whatever is bundled (``resources``), so a lecturer's content is checked against the install it runs on.
"""

from __future__ import annotations

from dataclasses import dataclass

from jepa_explorer.resources import bundled_checkpoints, sample_clips, sample_images

PRESETS = ("multiblock", "random", "block", "centre", "left", "right", "future")
PANELS = ("distance", "pca", "pixels", "model")
MODES = {
    "explore": "plain exploration: no step-through, no surface tax",
    "surface-tax": "the pixel panel's surface-tax comparison on (image models only)",
    "step-through": "the F5 step-through of the JEPA loop, started at its first stage",
    "video": "a video model on a clip: timeline and V-JEPA presets",
    "world": "world-model mode (act, imagine, plan, be surprised), where the app has it",
}
VIDEO_ONLY_PRESETS = ("future",)


@dataclass(frozen=True)
class KnownNames:
    """What a set-up can name. Empty ``models`` / ``samples`` means "not known here": those are not checked."""

    models: frozenset[str]
    video_models: frozenset[str]
    images: frozenset[str]
    clips: frozenset[str]

    @property
    def samples(self) -> frozenset[str]:
        return self.images | self.clips

    @classmethod
    def from_resources(cls) -> KnownNames:
        """The bundled checkpoints (folder names) and samples (file names) of this install."""
        models, video_models = set(), set()
        for path in bundled_checkpoints():
            card = _read_card(path)
            if card.get("kind") == "decoder":  # a companion of a model, not something to open on its own
                continue
            models.add(path.name)
            if card.get("architecture", {}).get("encoder", {}).get("video"):
                video_models.add(path.name)
        return cls(
            frozenset(models),
            frozenset(video_models),
            frozenset(p.name for p in sample_images()),
            frozenset(p.name for p in sample_clips()),
        )


def _read_card(bundle) -> dict:
    import json

    try:
        card = json.loads((bundle / "card.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return card if isinstance(card, dict) else {}
