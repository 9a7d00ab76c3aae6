"""Change events for the app model, without Qt: a list of callbacks per event (napari's EventEmitter, small).

Views subscribe with ``model.events.masks.connect(callback)``; the model calls ``emit(...)`` and every
callback runs at once, in the order they connected, on the caller's thread (the UI thread in the app).
"""

from __future__ import annotations

from collections.abc import Callable


class Event:
    """One kind of change; ``emit(*args)`` calls every connected callback with those arguments."""

    def __init__(self, name: str):
        self.name = name
        self._callbacks: list[Callable] = []

    def connect(self, callback: Callable) -> Callable:
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable) -> None:
        self._callbacks.remove(callback)

    def emit(self, *args) -> None:
        for callback in list(self._callbacks):
            callback(*args)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._callbacks)} listeners)"


class Events:
    """A named set of events: ``Events("masks", "tool").masks.connect(...)``."""

    def __init__(self, *names: str):
        for name in names:
            setattr(self, name, Event(name))
