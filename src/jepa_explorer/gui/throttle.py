"""The one throttle between the app model and the views: work the app model defers runs once in the next
event-loop pass, however often it was asked for in this one (several results or edits between two
passes cost one display). The app model takes ``NextPass.schedule`` as its ``schedule``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class NextPass:
    def __init__(self, parent: QObject | None = None):
        self._due: dict[Callable[[], None], None] = {}  # an ordered set: each job once, in the order asked
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run)

    def schedule(self, job: Callable[[], None]) -> None:
        self._due[job] = None
        if not self._timer.isActive():
            self._timer.start()

    def _run(self) -> None:
        due, self._due = self._due, {}
        for job in due:
            job()
