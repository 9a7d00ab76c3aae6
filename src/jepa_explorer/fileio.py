"""Atomic file writes: a user's file is either the old one or the complete new one, never a fragment.

The data goes to a temporary file in the same folder (so the final rename cannot cross file systems),
is flushed and fsync'ed, and then `os.replace`s the target in one step. Any failure on the way (a full
disk, an exception from the code producing the data, Ctrl-C) removes the temporary file and leaves the
previous file as it was. Qt-free: the GUI can call these as well as the CLI and the core.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO


def check_regular_file(path: Path, error: type[Exception], what: str = "file", choose: str = "choose another file") -> None:
    """Refuse what is not a regular, non-empty file before anything opens it: a FIFO or a device would
    block the reader for ever. `error` is raised with `path`, what is wrong and `choose` (what to do)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise error(f"{path}: no such {what}.") from None
    except OSError as e:
        raise error(f"{path}: cannot be read ({e.strerror}).") from None
    if stat.S_ISDIR(mode):
        raise error(f"{path}: is a folder; {choose}.")
    if not stat.S_ISREG(mode):
        raise error(f"{path}: not a regular file (a pipe, socket or device?); {choose}.")
    if path.stat().st_size == 0:
        raise error(f"{path}: the file is empty.")


def _temp_path(path: Path) -> Path:
    # hidden and unique, so a crash leaves at most an obviously temporary file, never one with the user's name
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); folders cannot be opened for syncing on Windows."""
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _finish(tmp: Path, path: Path) -> None:
    with suppress(OSError):  # keep the old file's permissions (a 0644 file stays 0644)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
    os.replace(tmp, path)
    _fsync_folder(path.parent)


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """`with atomic_open(p, "w", encoding="utf-8") as f: f.write(...)`: `p` changes only if the block ends normally."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode must be 'w' or 'wb', not {mode!r}")
    path = Path(path)
    tmp = _temp_path(path)
    # O_EXCL: never follow or reuse a file that is already there; 0o666 lets the umask decide, as open() does
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, mode, encoding=encoding if mode == "w" else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _finish(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Replace `path` with `data`, atomically."""
    with atomic_open(path, "wb") as f:
        f.write(data)


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Replace `path` with `text`, atomically."""
    with atomic_open(path, "w", encoding=encoding) as f:
        f.write(text)


def write_with(path: str | os.PathLike, writer: Callable[[Path], object]) -> None:
    """For libraries that only write to a path (safetensors, torch.save): `writer(tmp)` writes a temporary
    file beside `path`, which is then synced and renamed over `path`."""
    path = Path(path)
    tmp = _temp_path(path)
    try:
        writer(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _finish(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
