"""Reading files off the UI thread, with a time limit for files that never answer.

Decoding a large picture takes seconds, and opening a pipe or a hung device waits for ever; neither may
freeze the window. ``FileReader.read(job, ...)`` runs ``job`` (app.reading.read_input / read_scene) on a
background thread and hands its result to the UI thread. If it has not answered after ``timeout_s``, the
window says so and goes on; the thread is left to finish or hang on its own (a thread blocked in open()
cannot be stopped, only abandoned) and whatever it returns later is ignored. Latest wins: a newer read
makes an older one's answer stale, so a quick succession of opens ends on the last one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from jepa_explorer.errors import JepaError

READ_TIMEOUT_S = 8.0


class FileReader(QObject):
    _answered = Signal(int, object, object)  # ticket, result, error message (from the reading thread)

    def __init__(self, parent: QObject | None = None, timeout_s: float = READ_TIMEOUT_S):
        super().__init__(parent)
        self.timeout_s = timeout_s
        self._ticket = 0
        self._waiting: dict[int, tuple[Callable, Callable, str, QTimer]] = {}
        self._answered.connect(self._deliver)  # queued: the thread emits, the UI thread delivers

    @property
    def busy(self) -> bool:
        return bool(self._waiting)

    def read(self, job: Callable[[], Any], on_result: Callable[[Any], None], on_error: Callable[[str], None], what: str) -> int:
        """Run `job()` off the UI thread; `on_result(result)` or `on_error(one sentence)` later, in the UI thread.
        `what` names the file in the timeout message. Returns the read's ticket."""
        self._ticket += 1
        ticket = self._ticket
        for old in list(self._waiting):  # latest wins: an older read's answer would be stale
            self._forget(old)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._timed_out(ticket))
        timer.start(int(self.timeout_s * 1000))
        self._waiting[ticket] = (on_result, on_error, what, timer)
        threading.Thread(target=self._run, args=(ticket, job), name="jepa-file-reader", daemon=True).start()
        return ticket

    def _run(self, ticket: int, job: Callable[[], Any]) -> None:
        try:
            result, error = job(), None
        except JepaError as e:
            result, error = None, str(e)
        except Exception as e:  # noqa: BLE001 - a bug: one line in the window, not a dead thread
            result, error = None, f"internal error while reading: {type(e).__name__}: {e}"
        try:
            self._answered.emit(ticket, result, error)
        except RuntimeError:  # the window closed while this file was read: nobody is waiting for it
            pass

    def _deliver(self, ticket: int, result, error) -> None:
        entry = self._forget(ticket)
        if entry is None:
            return  # timed out, or a newer read asked since
        on_result, on_error = entry[0], entry[1]
        if error is not None:
            on_error(error)
        else:
            on_result(result)

    def _timed_out(self, ticket: int) -> None:
        entry = self._forget(ticket)
        if entry is not None:
            entry[1](
                f"{entry[2]}: no answer after {self.timeout_s:.0f} s (a pipe, a device or a hung network drive?); "
                "choose a regular file."
            )

    def _forget(self, ticket: int):
        entry = self._waiting.pop(ticket, None)
        if entry is not None:
            entry[3].stop()
            entry[3].deleteLater()
        return entry
