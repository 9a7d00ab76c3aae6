"""Device choice: CUDA > MPS > CPU unless the user names one. Below both `checkpoints/` and `engine/`
(both place models on a device), so neither needs the other for it."""

from __future__ import annotations

import torch

from jepa_explorer.errors import JepaError


def available_devices() -> list[str]:
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices.insert(0, "cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.insert(0 if "cuda" not in devices else 1, "mps")
    return devices


def pick_device(requested: str | torch.device | None = None) -> torch.device:
    if requested is None or str(requested) == "auto":
        return torch.device(available_devices()[0])
    name = str(requested)
    kind = name.split(":")[0]
    if kind not in ("cpu", "cuda", "mps"):
        raise JepaError(f"unknown device '{name}'; use auto, cpu, cuda or mps.")
    if kind not in available_devices():
        raise JepaError(f"device '{name}' is not available here (available: {', '.join(available_devices())}).")
    return torch.device(name)
