"""The app's one request counter and its one stale rule.

Every input and mask request takes its id from one counter. A result is shown only if it answers the
newest question about the input and the model now asked for:
- an input's answer (the worker encodes the input again under the same id for each new model) is not
  older than the input asked for last;
- a prediction is not older than the last model, device or input change or mask hint (``invalidate``),
  is newer than the prediction on screen, and was made from the input on screen (its input key).
"""

from __future__ import annotations

import itertools
import time

LATENCIES_KEPT = 200


class Requests:
    def __init__(self):
        self._ids = itertools.count(1)
        self.input_id = 0  # the input asked for last
        self.valid_from = 0  # predictions asked for before this are not shown
        self.shown = 0  # the prediction on screen
        self.last_sent = 0  # the newest prediction asked for
        self._sent: dict[int, tuple[float, bool]] = {}  # request id -> (when sent, asked for pixels)
        self.dropped_stale = 0
        self.latencies_ms: list[float] = []  # from the edit to the prediction on screen

    def new_input(self) -> int:
        self.input_id = self.valid_from = next(self._ids)
        return self.input_id

    def invalidate(self) -> None:
        """Nothing asked before now is shown any more (a new model or device, masks with a hint)."""
        self.valid_from = next(self._ids)

    def new_prediction(self, pixels: bool) -> int:
        self.last_sent = next(self._ids)
        self._sent[self.last_sent] = (time.perf_counter(), pixels)
        return self.last_sent

    def is_stale(self, request_id: int | None, prediction: bool = False, input_key=None, current_key=None) -> bool:
        """The rule (see the module's docstring), for an input's answer or a prediction (its input key and
        the key of the input on screen, where known)."""
        if request_id is None:
            return True
        if not prediction:
            return request_id < self.input_id
        if request_id < self.valid_from or request_id <= self.shown:
            return True
        return input_key is not None and current_key is not None and input_key != current_key

    def accept(self, request_id: int | None, prediction: bool = False, input_key=None, current_key=None) -> bool:
        """True if the result is to be shown (a prediction's id becomes the one on screen); counts the dropped."""
        if self.is_stale(request_id, prediction, input_key, current_key):
            self.dropped_stale += 1
            return False
        if prediction:
            self.shown = request_id
        return True

    def asked_pixels(self, request_id: int) -> bool:
        """Whether that prediction was asked for with the pixel comparison."""
        return self._sent.get(request_id, (0.0, False))[1]

    def shown_prediction(self, request_id: int) -> tuple[float | None, bool]:
        """A prediction reached the screen: (its latency in ms, or None if unknown; whether it asked for pixels)."""
        sent, pixels = self._sent.pop(request_id, (None, False))
        for old in [k for k in self._sent if k < request_id]:
            del self._sent[old]
        if sent is None:
            return None, pixels
        latency = (time.perf_counter() - sent) * 1e3
        self.latencies_ms.append(latency)
        del self.latencies_ms[:-LATENCIES_KEPT]
        return latency, pixels
