"""The model worker: one QThread owns the model and the Session; the UI thread only sends requests.

Requests are *latest wins*: each kind (model, device, input, masks) has one pending slot, and a new
request replaces the one still waiting, so a fast brush stroke costs one prediction per worker cycle,
not one per mouse event. Results carry their request id; the app model drops the stale ones. Torch and
scikit-learn are imported here, in the worker thread, so the window paints before they load.
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from jepa_explorer.app.messages import RANDOM_INIT, ClipView, InputView, ModelInfo, WorkerError
from jepa_explorer.errors import JepaError

__all__ = ["RANDOM_INIT", "ClipView", "InputView", "ModelInfo", "ModelWorker", "WorkerError"]


class _Core(QObject):
    """Lives in the worker thread; every slot runs there."""

    modelReady = Signal(object)  # ModelInfo
    inputReady = Signal(object)  # InputView
    predictionReady = Signal(object)  # engine.session.Prediction (numpy + PatchMasks only)
    clipReady = Signal(object)  # ClipView
    failed = Signal(object)  # WorkerError
    busy = Signal(str)  # "" when idle

    def __init__(self, live_cache=None):
        super().__init__()
        self.live_cache = live_cache  # engine.live_cache.LiveModelCache: image and video models, traced once
        self._lock = threading.Lock()
        self._pending: dict[str, tuple] = {}
        self._model = None
        self._session = None
        self._image: np.ndarray | None = None
        self._image_request = 0
        self._info: ModelInfo | None = None

    # called from the UI thread
    def post(self, kind: str, payload: tuple) -> None:
        with self._lock:
            if kind in ("clip", "input"):  # a new image and a new clip replace each other: the latest wins
                self._pending.pop("input" if kind == "clip" else "clip", None)
            self._pending[kind] = payload

    def _take(self):
        with self._lock:
            for kind in ("model", "device", "clip", "input", "masks"):
                if kind in self._pending:
                    return kind, self._pending.pop(kind)
        return None, None

    @Slot()
    def drain(self) -> None:
        while True:
            kind, payload = self._take()
            if kind is None:
                self.busy.emit("")
                return
            try:
                getattr(self, f"_do_{kind}")(*payload)
            except JepaError as e:
                self.failed.emit(WorkerError(kind, str(e), payload[-1] if kind in ("clip", "input", "masks") else None))
            except Exception as e:  # a bug: say so in one line, keep the worker alive
                traceback.print_exc()
                self.failed.emit(
                    WorkerError(
                        kind,
                        f"internal error: {type(e).__name__}: {e}",
                        payload[-1] if kind in ("clip", "input", "masks") else None,
                        internal=True,
                    )
                )

    # ------------------------------------------------------------------ jobs

    def _do_model(self, source: str | None, device: str | None) -> None:
        self.busy.emit("Loading model…")
        start = time.perf_counter()
        import torch

        # leave a core to the UI thread so painting stays smooth on small machines
        torch.set_num_threads(max(1, min(4, (torch.get_num_threads() or 2) - 1)))
        from jepa_explorer.device import pick_device
        from jepa_explorer.resources import default_checkpoint

        untrained = False
        if source is None:
            default = default_checkpoint()
            source = str(default) if default is not None else RANDOM_INIT
        # the old session stays until the new one is there: a load that fails leaves the worker answering
        if source == RANDOM_INIT:
            from jepa_explorer.engine.session import Session
            from jepa_explorer.models.factory import new_jepa

            session = Session(new_jepa().to(pick_device(device)), live=True)
            untrained = True
        else:
            session = self._live_session(source, device)
        self._install(session, source, untrained, time.perf_counter() - start)

    def _live_session(self, source: str, device: str | None):
        """A live session (traced trunks: the UI thread's Python does not stall them) on the cached model of
        `source`: every trace stays in TorchScript's registry for the process's life, so switching between
        the image and the video model must reuse the traces, not make new ones (engine/live_cache.py)."""
        from jepa_explorer.engine.live_cache import live_session

        return live_session(source, device, cache=self.live_cache)

    def _install(self, session, source: str, untrained: bool, seconds: float) -> None:
        from jepa_explorer.checkpoints.companions import find_companions, load_decoder, load_mae
        from jepa_explorer.device import available_devices

        model = session.model
        self._model = model
        self._session = session
        # the pixel panel's MAE and decoder: optional, a broken one must not stop the JEPA from working
        self._companions = {}
        for kind, path in find_companions(model).items():
            try:
                loader = load_mae if kind == "mae" else load_decoder
                self._companions[kind] = loader(path, model.device)[0].eval()
            except JepaError as e:
                self.failed.emit(WorkerError("companion", str(e), None))
        enc = model.config.encoder
        card = dict(model.card or {})
        name = card.get("name") or Path(str(model.path)).name
        self._info = ModelInfo(
            name=str(name),
            source=source,
            family=model.config.family,
            grid_shape=tuple(enc.grid_shape),
            img_size=enc.img_size,
            patch_size=enc.patch_size,
            card=card,
            notes=list(model.notes) + ([self._session.trunks.note] if self._session.trunks.note else []),
            device=str(model.device),
            devices=available_devices(),
            untrained=untrained,
            has_predictor=model.predictor is not None,
            video=bool(enc.video),
            parameters=model.parameter_counts(),
            seconds=seconds,
        )
        self.modelReady.emit(self._info)
        # re-encode the input the window shows, if it suits this model (a switch between the image and the
        # video model comes with a new input of its own, queued behind this job)
        if self._image is not None and (self._image.ndim == 4) == bool(enc.video):
            try:
                self._do_input(self._image, self._image_request)
            except JepaError as e:
                self.failed.emit(WorkerError("input", str(e), self._image_request))

    def _do_device(self, device: str) -> None:
        if self._model is None:
            return
        self.busy.emit(f"Moving the model to {device}…")
        source, untrained = self._info.source, self._info.untrained
        if untrained:  # the random init is not cached: move it
            from jepa_explorer.device import pick_device
            from jepa_explorer.engine.session import Session

            session = Session(self._model.to(pick_device(device)), live=True)
        else:  # a cached model stays on its device; the cache keys models by device
            session = self._live_session(source, device)
        self._install(session, source, untrained, 0.0)

    def _do_input(self, image: np.ndarray, request_id: int) -> None:
        self._image, self._image_request = image, request_id
        if self._session is None:
            return  # the model is still loading; the input is set as soon as it is there
        self.busy.emit("Encoding the image…")
        feats = self._session.set_input(image)
        coords = feats.pca.project(feats.actual)
        self.inputReady.emit(
            InputView(
                request_id,
                feats.key,
                feats.pixels,
                feats.actual,
                coords,
                feats.pca.to_rgb(feats.actual),
                feats.pca,
                feats.seconds,
            )
        )

    def _do_clip(self, path: str, display_size: int, start: int, request_id: int) -> None:
        """Decode a video here, off the UI thread: the model's frame count at its stride, then encode it."""
        if self._session is None:
            raise JepaError("the model is still loading; open the video again in a moment.")
        from jepa_explorer.engine.video import clip_for_model, token_steps
        from jepa_explorer.media.images import fit_square

        self.busy.emit("Decoding the video…")
        clip = clip_for_model(self._model, path, start=start)
        tubelet = self._model.config.encoder.tubelet_size
        steps = token_steps(clip.indices, tubelet)
        display = [fit_square(clip.frames[t * tubelet], display_size) for t in range(len(steps))]
        stride = max(1, int(clip.indices[1] - clip.indices[0])) if len(clip.indices) > 1 else 1
        view = ClipView(
            request_id, str(path), display, [s.tolist() for s in steps], clip.info.to_dict(), stride, clip.indices.tolist()
        )
        self.clipReady.emit(view)
        self._do_input(clip.frames, request_id)

    def _do_masks(self, masks, pixels: bool, surface_tax: bool, request_id: int) -> None:
        if self._session is None or self._session.features is None:
            raise JepaError("the model or the image is not ready yet.")
        self.busy.emit("Predicting…")
        start = time.perf_counter()
        prediction = self._session.predict(masks, request_id)
        if pixels and self._companions:
            from jepa_explorer.engine.pixels import compare_pixels

            mae, decoder = self._companions.get("mae"), self._companions.get("decoder")
            try:
                prediction.pixels = compare_pixels(self._session, prediction, mae, decoder)
            except (RuntimeError, ValueError) as e:  # a companion that does not fit: the prediction still counts
                self._companions = {}  # said once; the pixel panel then shows what is missing
                self.failed.emit(WorkerError("companion", f"the pixel models do not fit this model ({e}).", None))
                surface_tax = False
            if surface_tax:
                from jepa_explorer.engine.surface_tax import surface_tax as measure_tax

                prediction.surface_tax = measure_tax(self._session, masks, mae, decoder, plain=(prediction, prediction.pixels))
        prediction.timings_ms["worker_ms"] = (time.perf_counter() - start) * 1e3
        self.predictionReady.emit(prediction)


class ModelWorker(QObject):
    """The UI-side handle: thread-safe request methods, result signals delivered in the UI thread."""

    modelReady = Signal(object)
    inputReady = Signal(object)
    predictionReady = Signal(object)
    clipReady = Signal(object)
    failed = Signal(object)
    busy = Signal(str)
    _wake = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("jepa-model-worker")
        from jepa_explorer.engine.live_cache import LiveModelCache

        self.live_cache = LiveModelCache(2)  # the image model and the video model the window switches between
        self._core = _Core(self.live_cache)
        self._core.moveToThread(self._thread)
        self._wake.connect(self._core.drain)  # queued: runs in the worker thread
        for name in ("modelReady", "inputReady", "predictionReady", "clipReady", "failed", "busy"):
            getattr(self._core, name).connect(getattr(self, name))  # queued back into the UI thread
        self._thread.start()

    def load_model(self, source: str | None = None, device: str | None = None) -> None:
        """`source`: a checkpoint path, RANDOM_INIT, or None for the bundled default (random-init if none)."""
        self._post("model", (source, device))

    def set_device(self, device: str) -> None:
        self._post("device", (device,))

    def set_input(self, image: np.ndarray, request_id: int) -> None:
        self._post("input", (np.ascontiguousarray(image), request_id))

    def open_clip(self, path: str, display_size: int, request_id: int, start: int = 0) -> None:
        """Decode and encode a video from frame `start` for the loaded video model; `clipReady`, then `inputReady`."""
        self._post("clip", (str(path), display_size, int(start), request_id))

    def predict(self, masks, request_id: int, pixels: bool = True, surface_tax: bool = False) -> None:
        """`pixels`: also run the MAE / decoder comparison (skipped while the pixel panel is hidden)."""
        # masks are values the app model never changes in place: no copy is needed to hand them over
        self._post("masks", (masks, pixels, surface_tax, request_id))  # the request id stays last

    def _post(self, kind: str, payload: tuple) -> None:
        self._core.post(kind, payload)
        self._wake.emit()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait(timeout_ms)
