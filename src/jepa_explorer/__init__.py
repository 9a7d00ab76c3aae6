"""JEPA Explorer: see what a Joint-Embedding Predictive Architecture predicts.

The core (models, checkpoints, masks, engine, analysis) imports no Qt. Heavy modules (torch,
scikit-learn) are imported on first use so that `import jepa_explorer` stays cheap for the GUI's
first paint.
"""

from jepa_explorer.errors import CheckpointError, JepaError, MaskError, MediaError

__version__ = "0.1.0"
__all__ = ["CheckpointError", "JepaError", "MaskError", "MediaError", "load_model", "Session", "PatchMasks"]


def __getattr__(name: str):
    # lazy: importing torch costs ~1.3 s, which the GUI pays after its first paint
    if name == "load_model":
        from jepa_explorer.checkpoints.load import load_model

        return load_model
    if name == "Session":
        from jepa_explorer.engine.session import Session

        return Session
    if name == "PatchMasks":
        from jepa_explorer.masks.grid import PatchMasks

        return PatchMasks
    raise AttributeError(f"module 'jepa_explorer' has no attribute {name!r}")
