"""Masks as data: boolean patch grids for the context and each target group, plus seeded generators."""

from jepa_explorer.masks.grid import PatchMasks

__all__ = ["PatchMasks"]
