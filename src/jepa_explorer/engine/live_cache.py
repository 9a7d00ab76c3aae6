"""Loaded models with their TorchScript traces, kept per checkpoint so that switching back costs nothing.

Why: every `torch.jit.trace` registers its module classes and their graphs in TorchScript's global
compilation unit, which lives as long as the process (torch 2.13: 66 Python classes per encoder trace stay
referenced from native code after the trace is freed; a private compilation unit passed to the tracer does
not change that). The only way to drop them, `torch._C._jit_clear_class_registry()`, frees the memory but
makes any trace still in use crash (tried: segmentation fault). Each load + live Session left ~12 MB
there: 20 image<->video switches in the app grew memory by 361 MB. Reusing the traced model for a checkpoint that
is already loaded means a switch between an image and a video model traces nothing after the first
time; memory then grows only with the number of *different* checkpoints a session opens.

`live_session(path)` is what the app calls instead of `Session(load_model(path), live=True)`.
A checkpoint is identified by its resolved path, its files' size, mtime and inode (a re-exported
bundle is loaded afresh), the device and the head/frame overrides.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jepa_explorer.checkpoints.load import CARD_NAME, WEIGHTS_NAME, load_model
from jepa_explorer.engine.session import Session, require_masked_model
from jepa_explorer.engine.traced import Trunks, trace_trunks

if TYPE_CHECKING:
    from jepa_explorer.checkpoints.load import JepaModel


def _version(path: Path) -> tuple:
    """What changes when the checkpoint's bytes change: (name, size, mtime, inode) of each file it reads."""
    files = [path / CARD_NAME, path / WEIGHTS_NAME] if path.is_dir() else [path]
    if not path.is_dir() and (path.parent / CARD_NAME).is_file():  # a card beside a file can name heads
        files.append(path.parent / CARD_NAME)
    out = []
    for f in files:
        try:
            st = os.stat(f)
        except OSError:
            continue  # load_model says what is missing
        out.append((f.name, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


@dataclass
class LiveModel:
    model: JepaModel
    trunks: Trunks


class LiveModelCache:
    """At most `size` loaded, traced models (least recently used dropped first). Two fit the app: the
    image model and the video model it switches between."""

    def __init__(self, size: int = 2):
        self.size = size
        self._entries: OrderedDict[tuple, LiveModel] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # how many times a checkpoint was loaded and traced (tests and the soak read it)

    def get(
        self, source: str | os.PathLike, device: str | None = None, *, num_heads: int | None = None, num_frames: int | None = None
    ) -> LiveModel:
        from jepa_explorer.device import pick_device

        path = Path(source).expanduser().resolve()
        key = (str(path), _version(path), str(pick_device(device)), num_heads, num_frames)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        # loading and tracing take a second or two: outside the lock; a rare duplicate load is harmless
        model = load_model(path, device, num_heads=num_heads, num_frames=num_frames)
        require_masked_model(model)  # before tracing, which would fail on it less clearly
        entry = LiveModel(model, trace_trunks(model))
        with self._lock:
            self.loads += 1
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_default = LiveModelCache(2)


def live_session(
    source: str | os.PathLike,
    device: str | None = None,
    *,
    num_heads: int | None = None,
    num_frames: int | None = None,
    cache: LiveModelCache | None = None,
) -> Session:
    """A fresh live Session (its own input and masks) on the cached model and traces of `source`."""
    entry = (cache if cache is not None else _default).get(source, device, num_heads=num_heads, num_frames=num_frames)
    return Session(entry.model, live=True, trunks=entry.trunks)


__all__ = ["LiveModel", "LiveModelCache", "live_session"]
