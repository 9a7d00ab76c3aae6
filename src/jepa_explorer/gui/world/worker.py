"""The world view's worker: plans and imaginations run off the UI thread, latest request wins.

One daemon thread takes jobs, one pending slot per kind ("plan", "imagine"): a new request replaces the
one still waiting, and a running job that reports progress stops at its next report once a newer job of
its kind waits (a superseded plan does not finish its iterations). Every signal carries the job's request
id; the view drops results that are not the latest of their kind. A plain thread (not a QThread) so a view
that goes away without shutting it down cannot crash the process on exit; signals cross back queued, since
the bridge object lives in the UI thread.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from jepa_explorer.errors import JepaError

KINDS = ("plan", "imagine")  # the order the worker takes waiting jobs in


class Superseded(Exception):
    """Raised inside a job at a progress report once a newer job of its kind is waiting."""


class WorldWorker(QObject):
    """`submit(kind, job)` with `job(report)`; `report(payload)` sends progress (and stops a superseded job)."""

    progress = Signal(str, int, object)  # kind, request id, payload (a plan's iteration)
    done = Signal(str, int, object)  # kind, request id, result
    failed = Signal(str, int, str)  # kind, request id, one line
    busy = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cv = threading.Condition()
        self._pending: dict[str, tuple[int, Callable]] = {}
        self._next_id = 0
        self.latest: dict[str, int] = {}  # kind -> the newest request id (the one whose results count)
        self.running: tuple[str, int] | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="jepa-world-worker", daemon=True)
        self._thread.start()

    def submit(self, kind: str, job: Callable) -> int:
        """Queue `job` as the latest of `kind` (replacing a waiting one); returns its request id."""
        if kind not in KINDS:
            raise ValueError(f"unknown job kind '{kind}': use one of {', '.join(KINDS)}")
        with self._cv:
            self._next_id += 1
            request_id = self._next_id
            self._pending[kind] = (request_id, job)
            self.latest[kind] = request_id
            self._cv.notify()
        return request_id

    def cancel(self, kind: str) -> None:
        """Forget `kind`'s waiting job and make its running one's results stale."""
        with self._cv:
            self._pending.pop(kind, None)
            self._next_id += 1
            self.latest[kind] = self._next_id

    def is_latest(self, kind: str, request_id: int) -> bool:
        return self.latest.get(kind) == request_id

    def idle(self) -> bool:
        with self._cv:
            return self.running is None and not self._pending

    def shutdown(self, timeout_s: float = 5.0) -> None:
        with self._cv:
            self._stop = True
            self._pending.clear()
            self._cv.notify()
        self._thread.join(timeout_s)

    # ------------------------------------------------------------ the worker thread

    def _take(self) -> tuple[str, int, Callable] | None:
        with self._cv:
            while not self._stop and not self._pending:
                self._cv.wait()
            if self._stop:
                return None
            kind = next(k for k in KINDS if k in self._pending)
            request_id, job = self._pending.pop(kind)
            self.running = (kind, request_id)
            return kind, request_id, job

    def _loop(self) -> None:
        while True:
            taken = self._take()
            if taken is None:
                return
            kind, request_id, job = taken
            self._emit(self.busy, True)

            def report(payload, kind=kind, request_id=request_id) -> None:
                with self._cv:
                    if kind in self._pending or self._stop:
                        raise Superseded
                self._emit(self.progress, kind, request_id, payload)

            try:
                result = job(report)
            except Superseded:
                pass
            except (JepaError, ValueError) as e:
                self._emit(self.failed, kind, request_id, str(e))
            except Exception as e:  # a bug: one line to the view, the traceback to stderr, the worker lives on
                traceback.print_exc()
                self._emit(self.failed, kind, request_id, f"internal error: {type(e).__name__}: {e}")
            else:
                self._emit(self.done, kind, request_id, result)
            with self._cv:
                self.running = None
                idle = not self._pending
            if idle:
                self._emit(self.busy, False)

    def _emit(self, signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the view (and this object's C++ side) is gone: nobody is listening
            pass
