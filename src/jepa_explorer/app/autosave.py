"""Autosave files (no Qt): the current scene written to the app-data folder, found again after a crash.

Each running window owns one file, ``autosave-<pid>-<n>.json`` (n counts windows within the process), written
atomically as a scene (app/scene.py) and removed on a clean exit. A file whose process is gone is what an
unclean exit left behind: the next start offers to restore it. A file of a process still running belongs to
another open window and is left alone.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from jepa_explorer.app.scene import Scene, save_scene

PATTERN = re.compile(r"^autosave-(\d+)-(\d+)\.json$")
_numbers = itertools.count(1)
_live_here: set[str] = set()  # the names this process owns right now (a window closed cleanly leaves the set)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # no cheap, reliable probe: a file of another process is taken as left behind
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, under another user
        return True
    return True


@dataclass
class LeftBehind:
    """An autosave an unclean exit left: its path and when it was last written."""

    path: Path
    saved_at: float

    def describe(self) -> str:
        return time.strftime("%H:%M on %d %b", time.localtime(self.saved_at))


class AutosaveFile:
    """This window's autosave file in `folder` (made when first written)."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.path = self.folder / f"autosave-{os.getpid()}-{next(_numbers)}.json"
        _live_here.add(self.path.name)
        self.writes = 0

    def write(self, scene: Scene) -> None:
        """Atomic (fileio): a crash while writing leaves the previous autosave whole. Raises SceneError."""
        self.folder.mkdir(parents=True, exist_ok=True)
        save_scene(scene, self.path)
        self.writes += 1

    def remove(self) -> None:
        """A clean exit: nothing to restore next time."""
        _live_here.discard(self.path.name)
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


def left_behind(folder: str | os.PathLike) -> list[LeftBehind]:
    """Autosaves in `folder` whose window is gone without a clean exit, newest first."""
    folder = Path(folder)
    found = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        match = PATTERN.match(path.name)
        if match is None or path.name in _live_here:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and _process_alive(pid):
            continue
        try:
            found.append(LeftBehind(path, path.stat().st_mtime))
        except OSError:
            continue
    return sorted(found, key=lambda f: f.saved_at, reverse=True)


def discard(found: list[LeftBehind]) -> None:
    for item in found:
        try:
            item.path.unlink()
        except OSError:
            pass


__all__ = ["AutosaveFile", "LeftBehind", "discard", "left_behind"]
