"""AppModel: the explorer's state without Qt - input, model choice, masks and their undo, tool, time step,
step-through stage, the one request counter and its stale rule, the latest prediction, scenes.

Views listen to ``model.events`` and call the intent methods (``open``, ``begin_stroke``, ``undo``, ...);
the model sends work to a *backend* (the GUI's ModelWorker, or a fake in tests) and takes its answers
through ``model_ready``, ``input_ready``, ``clip_ready``, ``prediction_ready`` and ``failed``.

Requests. Every input and mask request takes its id from one counter, and every result passes one stale
rule (``app.requests.Requests``): it is shown only if it answers the newest question about the input and
the model now asked for.

Model choice follows the *requested* state, not the one on screen: opening a clip asks for the video
model unless the model last asked for is one, a picture asks for the image model likewise, and every
input request remembers the model it was made for. So open(clip) then open(photo) in quick succession
ends on the photo with the image model, whatever the worker had finished in between.

Opening is all-or-nothing: the file is decoded (a picture) or probed (a video) before the model, the
input or the masks change. A clip that needs the other model is decoded in the worker after that model
has loaded; the new model is held back (``_model_on_hold``: not shown, masks untouched, no predictions
sent) until its clip is decoded, and shown together with it. A clip that fails to decode was never shown:
the worker is given the previous model back, and the masks, their undo history and the input on screen
never changed.

``schedule``: how the model defers the updates that need not run for every result (the display of a
prediction, the mask summaries): at most one per event-loop pass in the app, at once by default. It is
the one throttle between a result and the views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from jepa_explorer.app import mask_edit
from jepa_explorer.app.demo import demo_image
from jepa_explorer.app.events import Events
from jepa_explorer.app.inputs import Input, InputRequest, is_video_path, model_kind, same_source
from jepa_explorer.app.mask_edit import Layer, MaskHistory
from jepa_explorer.app.messages import ClipView, InputView, ModelInfo, WorkerError
from jepa_explorer.app.presets import PRESETS, PRESETS_BY_KEY
from jepa_explorer.app.requests import Requests
from jepa_explorer.app.scene import Scene, SceneError, save_scene
from jepa_explorer.errors import JepaError
from jepa_explorer.masks.grid import PatchMasks
from jepa_explorer.media.images import fit_square
from jepa_explorer.resources import default_checkpoint, default_video_checkpoint, sample_clips, sample_images

DISPLAY_SIZE = 512  # the canvas image resolution (the model itself may see only 64 px)
PIXEL_SIZE = DISPLAY_SIZE // 2  # the pixel tiles are small: half the work
SPANS = ("all", "this", "from")  # video: a stroke paints through all steps, on this one, or from here on

WORKER_ERROR_TITLES = {
    "model": "Cannot load the model",
    "input": "Cannot use this image",
    "clip": "Cannot open the video",
    "device": "Cannot switch device",
    "companion": "Cannot load the pixel-panel model",
}


def _grid(shape) -> str:
    return "×".join(str(int(n)) for n in shape)


class Backend(Protocol):
    """Where the model runs (gui.worker.ModelWorker); every call returns at once, answers come later."""

    def load_model(self, source: str | None, device: str | None = None) -> None: ...
    def set_device(self, device: str) -> None: ...
    def set_input(self, image: np.ndarray, request_id: int) -> None: ...
    def open_clip(self, path: str, display_size: int, request_id: int, start: int = 0) -> None: ...
    def predict(self, masks: PatchMasks, request_id: int, pixels: bool = True, surface_tax: bool = False) -> None: ...


@dataclass
class Stroke:
    before: PatchMasks  # the masks when the stroke began (one undo step)
    base: PatchMasks  # the masks it paints onto (with its new target group)
    layer: Layer
    group: int | None
    start: tuple[int, int]
    last: tuple[int, int]
    cells: np.ndarray  # bool [H, W]: the patches swept so far


class AppModel:
    EVENTS = (
        "model_requested",  # source: a model is loading
        "model",  # ModelInfo: the model now in use
        "input",  # Input: a new input is on screen
        "encoded",  # InputView: the target encoder's view of the input
        "waiting",  # str: what the distance panel says instead of numbers (encoding, decoding, an error)
        "hint",  # str: why the masks cannot be predicted; the prediction views clear
        "masks",  # PatchMasks: after every edit, mid-stroke too (the canvas follows each one)
        "masks_settled",  # PatchMasks: at most once per pass (legend, timeline strip, pixel preview)
        "history",  # (): undo / redo availability changed
        "stroking",  # bool: a brush stroke began or ended
        "tool",  # (): layer, rectangle mode, brush size, current group or paint span changed
        "time_step",  # int: the shown (and painted) time step
        "metric",  # str
        "prediction",  # Prediction: the newest result to show (deferred: at most once per pass)
        "latency",  # (ms, model ms): from the edit to the prediction on screen
        "stage",  # int | None: the step-through's stage
        "notice",  # str | None: the canvas's busy / empty-state text
        "status",  # str: a passing status-bar message
        "error",  # (title, message)
    )

    def __init__(self, backend: Backend, schedule: Callable[[Callable[[], None]], None] | None = None):
        self.backend = backend
        self.schedule = schedule or (lambda job: job())
        self.events = Events(*self.EVENTS)
        self.requests = Requests()
        # the model: asked for, and on screen
        self.checkpoint: str | None = None
        self.requested_video: bool | None = None
        self.model_info: ModelInfo | None = None
        # the input: asked for, on screen, and what the target encoder made of it
        self.requested_input: InputRequest | None = None
        self.input: Input | None = None
        self.input_view: InputView | None = None
        # masks and tools
        self.masks = PatchMasks.empty((1, 8, 8))
        self.history = MaskHistory()
        self.layer = Layer.CONTEXT
        self.rect_mode = False
        self.brush_size = 1
        self.current_group = 0
        self.paint_span = "all"
        self.time_step = 0
        self.metric = "loss"  # the training loss: what the JEPA minimises and what `eval` reports
        self.stage: int | None = None
        self.preset_seeds = {preset.key: 0 for preset in PRESETS}
        self._stroke: Stroke | None = None
        # requests and results
        self.pixels_wanted = False  # the pixel panel is on screen: predictions include the pixel comparison
        self.surface_tax = False
        self._pending_prediction = None
        self._settle_due = False
        self.prediction = None
        self.shown_asked_pixels = False
        self.last_error: str | None = None
        # what a scene or a clip applies once the model or the clip it waits for is there
        self._masks_for_next_model: PatchMasks | None = None
        self._model_on_hold: ModelInfo | None = None  # a loaded model waiting for the clip it was loaded for
        self._view_for_next_model: dict = {}
        self._pending_step: int | None = None

    # ================================================================== derived state

    @property
    def grid_shape(self) -> tuple[int, int, int]:
        return self.masks.grid_shape

    @property
    def grid_hw(self) -> tuple[int, int]:
        return self.masks.grid_shape[1], self.masks.grid_shape[2]

    @property
    def stroking(self) -> bool:
        return self._stroke is not None

    @property
    def image_rgb(self) -> np.ndarray | None:
        return None if self.input is None else self.input.rgb

    @property
    def image_path(self) -> str | None:
        return None if self.input is None else self.input.path

    @property
    def clip_view(self) -> ClipView | None:
        return None if self.input is None else self.input.clip

    @property
    def display_frames(self) -> list | None:
        return None if self.input is None or self.input.clip is None else self.input.frames

    @property
    def display_square(self) -> np.ndarray | None:
        """The canvas picture of the shown time step."""
        if self.input is None:
            return None
        return self.input.frames[min(self.time_step, len(self.input.frames) - 1)]

    def wants_video(self) -> bool | None:
        """Whether the model last asked for is a video model (None: not known until it loads)."""
        if self.requested_video is not None:
            return self.requested_video
        if self.model_info is not None and same_source(self.model_info.source, self.checkpoint):
            return self.model_info.video
        return None

    # ================================================================== requests

    @property
    def last_sent(self) -> int:
        return self.requests.last_sent

    @property
    def dropped_stale(self) -> int:
        return self.requests.dropped_stale

    @property
    def latencies_ms(self) -> list[float]:
        return self.requests.latencies_ms

    # ================================================================== start-up and the model

    def start(
        self, checkpoint: str | None = None, image: str | None = None, scene: str | None = None, device=None, opener=None
    ) -> None:
        """The first model and input: a scene, or a checkpoint and an image (a bundled sample by default).
        `opener(path, on_failure)` reads the image (the window's reads off the UI thread); None reads it here."""
        self.events.notice.emit("Loading model…")
        if scene:
            try:
                self.open_scene(scene, override_checkpoint=checkpoint)
                return
            except JepaError as e:
                self._error("Cannot open the scene", str(e))
        self.load_checkpoint(checkpoint, device)
        nothing_shown = self.input is None and self.requested_input is None
        samples = sample_images() if nothing_shown and not image else []
        path = image or (str(samples[0]) if samples else None)
        if path is None:
            if nothing_shown:
                self.set_demo_image()
        elif opener is not None:
            opener(path, self.set_demo_image)
        elif not self.open(path):
            self.set_demo_image()

    def load_checkpoint(self, source: str | None, device: str | None = None, video: bool | None = None) -> None:
        self.checkpoint = source
        self.requested_video = video if video is not None else model_kind(source)
        self._model_on_hold = None  # a model asked for now replaces one waiting for its clip
        self.requests.invalidate()  # nothing computed by the old model is shown any more
        self.events.notice.emit("Loading model…")
        self.events.model_requested.emit(source)
        self.backend.load_model(source, device)

    def set_device(self, device: str) -> None:
        if self.model_info is not None and device and device != self.model_info.device.split(":")[0]:
            self.requests.invalidate()
            self.backend.set_device(device)

    def model_ready(self, info: ModelInfo) -> None:
        if self.checkpoint is not None and not same_source(info.source, self.checkpoint):
            self.requests.dropped_stale += 1  # a model asked for before the one asked for last
            return
        if self._waits_for_its_clip():
            self._model_on_hold = info  # shown with its clip (clip_ready), or never if the clip fails
            return
        self._show_model(info)

    def _waits_for_its_clip(self) -> bool:
        """The model asked for was asked for a clip that is not decoded yet, and another model is on screen."""
        request = self.requested_input
        return (
            self.model_info is not None
            and request is not None
            and request.kind == "clip"
            and request.replaced_model is not None
            and (self.input is None or self.input.request_id != request.request_id)
        )

    def _show_model(self, info: ModelInfo) -> None:
        self.model_info = info
        self.checkpoint, self.requested_video = info.source, info.video
        has_input = self.input is not None
        self.events.notice.emit(None if has_input else "Open an image (Ctrl+O) or drop one here")
        grid = tuple(info.grid_shape)
        waiting, self._masks_for_next_model = self._masks_for_next_model, None
        blank = not self.masks.context.any() and not self.masks.targets
        if waiting is not None and waiting.grid_shape == grid:
            self.set_masks(waiting, record=waiting.grid_shape == self.masks.grid_shape)
        else:
            if waiting is not None:
                self.events.status.emit(
                    f"The scene's masks are on a {_grid(waiting.grid_shape)} grid, {info.name} uses {_grid(grid)}: "
                    "the model's own preset masks are shown instead"
                )
            if grid != self.masks.grid_shape or blank:
                masks = self.preset_masks("multiblock", grid) or PatchMasks.empty(grid)
                self.set_masks(masks, record=False)  # a new grid: the old undo stack no longer applies
        if self._view_for_next_model:
            view, self._view_for_next_model = self._view_for_next_model, {}
            self.apply_view(view)
        self.events.model.emit(info)
        # the input must suit the model, judged by the input asked for last: a video model gets a clip
        asked = self.requested_input.kind if self.requested_input is not None else None
        if info.video and asked != "clip":
            clips = sample_clips()
            if not (clips and self.open_video(str(clips[0]))):
                self.events.notice.emit("Open a video (Ctrl+O) for this video model")
        elif not info.video and asked == "clip":
            samples = sample_images()
            if not (samples and self.open(str(samples[0]))):
                self.set_demo_image()

    # ================================================================== inputs

    def open(self, path: str | Path) -> bool:
        """Open a picture, a video or a folder of frames; on failure say why and change nothing. Reads the
        file on the caller's thread: the window reads off the UI thread (app.reading) and calls show_input."""
        from jepa_explorer.app.reading import read_input

        try:
            read = read_input(path)
        except JepaError as e:
            self._error("Cannot open the video" if is_video_path(path) else "Cannot open the image", str(e))
            return False
        return self.show_input(read)

    def show_input(self, read) -> bool:
        """Show what app.reading.read_input read: a picture at once, a clip once the worker has decoded it."""
        if read.kind == "clip":
            return self.open_video(read.path, probe=False)
        self.set_image(read.rgb, read.path)
        return True

    def set_demo_image(self) -> None:
        self.set_image(demo_image(), None)

    def set_image(self, rgb: np.ndarray, path: str | None) -> None:
        """Show a decoded picture and encode it (with the image model: asked for first if needed)."""
        image_model = default_checkpoint()
        replaced = None
        if self.wants_video() and image_model is not None:
            replaced = self._switch_model(str(image_model), video=False)
        request = self.requests.new_input()
        self.requested_input = InputRequest("image", path, request, self.checkpoint, replaced_model=replaced)
        self._pending_step = None
        self.input = Input("image", path, request, rgb, [fit_square(rgb, DISPLAY_SIZE)], fit_square(rgb, PIXEL_SIZE))
        self.input_view = None
        self.prediction = self._pending_prediction = None
        self.time_step = 0
        if self.model_info is not None:
            self.events.notice.emit(None)
        self.events.input.emit(self.input)  # views read the time step with it
        self.events.waiting.emit("Encoding the image…")
        self.backend.set_input(rgb, request)
        self.submit()

    def open_video(self, path: str | Path, start: int = 0, probe: bool = True) -> bool:
        """Open a video file or a folder of frames for the video model (asked for first if the model last
        asked for is not one). Decoding runs in the backend; a file that cannot be read changes nothing."""
        if probe:
            from jepa_explorer.media.video import probe_video

            try:
                probe_video(path)  # reads the header only: a broken file is refused before anything changes
            except JepaError as e:
                self._error("Cannot open the video", str(e))
                return False
        replaced = None
        if not self.wants_video():
            video_model = default_video_checkpoint()
            if video_model is None:
                self._error("Cannot open the video", f"{path}: no video model is bundled; open a V-JEPA checkpoint first.")
                return False
            replaced = self._switch_model(str(video_model), video=True)
        request = self.requests.new_input()
        self.requested_input = InputRequest("clip", str(path), request, self.checkpoint, int(start), replaced)
        self.events.notice.emit("Decoding the video…")
        self.events.waiting.emit("Decoding the video…")
        self.backend.open_clip(str(path), DISPLAY_SIZE, request, int(start))
        return True

    def open_clip_part(self, start: int) -> bool:
        """Another part of the long video on screen: the same masks on the clip from frame `start`."""
        if self.input is None or self.input.clip is None:
            return False
        return self.open_video(self.input.path, start, probe=False)

    def _switch_model(self, source: str, video: bool) -> tuple:
        """Ask for another model for the input being opened; what it replaced, to go back if the input fails."""
        replaced = (self.checkpoint, self.requested_video, self.masks)
        if self.model_info is not None:
            kind = "video" if video else "image"
            self.events.status.emit(
                f"Switching from {self.model_info.name} to the bundled {kind} model {Path(source).name} for this input"
            )
        self.load_checkpoint(source, video=video)
        return replaced

    def clip_ready(self, view: ClipView) -> None:
        if not self.requests.accept(view.request_id):
            return
        held, self._model_on_hold = self._model_on_hold, None
        if held is not None:  # the model loaded for this clip: shown now, just before the clip
            self._show_model(held)
        frames = list(view.display)
        self.input = Input("clip", view.path, view.request_id, np.stack(frames), frames, clip=view)
        self.input_view = None
        self.prediction = self._pending_prediction = None
        step = self._pending_step if self._pending_step is not None else self.time_step
        self._pending_step = None
        self.time_step = int(np.clip(step, 0, len(frames) - 1))
        self.events.notice.emit(None)
        self.events.input.emit(self.input)  # views read the time step with it
        self.events.waiting.emit("Encoding the clip…")
        self.submit()

    def input_ready(self, view: InputView) -> None:
        if not self.requests.accept(view.request_id):
            return
        self.input_view = view
        self.events.encoded.emit(view)
        self.submit()

    # ================================================================== masks -> predictions

    def submit(self) -> None:
        """Ask for a prediction of the current masks (or say why there can be none)."""
        if self.model_info is None or self.input is None or self.masks.grid_shape != tuple(self.model_info.grid_shape):
            return
        if self._model_on_hold is not None:
            return  # the worker holds another model than the one on screen: nothing it predicts would be shown
        hint = mask_edit.problem(self.masks)
        if hint is not None:
            self.prediction = self._pending_prediction = None
            self.requests.invalidate()  # a late result would contradict the hint
            self.events.hint.emit(hint)
            return
        pixels = self.pixels_wanted
        tax = pixels and self.surface_tax and self.input.kind == "image"  # needs the image MAE
        request = self.requests.new_prediction(pixels)
        masks = self.masks if all(t.any() for t in self.masks.targets) else self.masks.without_empty_targets()
        self.backend.predict(masks, request, pixels=pixels, surface_tax=tax)

    def prediction_ready(self, prediction) -> None:
        current = self.input_view.key if self.input_view is not None else None
        if not self.requests.accept(prediction.request_id, True, prediction.input_key, current):
            return
        self._pending_prediction = prediction
        self.schedule(self._show_prediction)

    def _show_prediction(self) -> None:
        prediction, self._pending_prediction = self._pending_prediction, None
        if prediction is None:
            return
        self.prediction = prediction
        self.shown_asked_pixels = self.requests.asked_pixels(prediction.request_id)
        self.events.prediction.emit(prediction)
        latency, _ = self.requests.shown_prediction(prediction.request_id)  # after the views drew it
        if latency is not None:
            self.events.latency.emit(latency, prediction.timings_ms.get("total_ms", 0.0))

    def failed(self, error: WorkerError) -> None:
        if error.stage == "masks":
            if self.requests.is_stale(error.request_id, prediction=True) or error.request_id != self.last_sent:
                self.requests.dropped_stale += 1
                return
            self.last_error = error.message
            self.events.waiting.emit(error.message)
            return
        if error.stage in ("input", "clip") and error.request_id is not None and self.requests.is_stale(error.request_id):
            return
        if error.stage == "clip":
            self._clip_failed()
        if error.stage == "model":
            shown = self.model_info
            self.checkpoint = shown.source if shown is not None else None
            self.requested_video = shown.video if shown is not None else None
            self.events.notice.emit(None if shown is not None else "No model loaded")
        self._error(WORKER_ERROR_TITLES.get(error.stage, "Error"), error.message)

    def _clip_failed(self) -> None:
        """The clip asked for last cannot be decoded: the input, the model and the masks on screen stay. A model
        loaded for the clip was never shown (see the module's docstring), but the worker holds it: it is
        given the model on screen back (which re-encodes the input on screen)."""
        request, shown = self.requested_input, self.input
        if request is not None and request.replaced_model is not None:
            source, video, masks = request.replaced_model
            self._model_on_hold = None
            if self.model_info is not None and same_source(source, self.model_info.source):
                self.checkpoint, self.requested_video = source, video
                self.requests.invalidate()  # quietly: the model on screen is the one coming back
                self.backend.load_model(source)
            else:  # the other model got on screen after all (none was before): back to the one replaced
                self._masks_for_next_model = masks
                self.load_checkpoint(source, video=video)
        if shown is not None:
            self.requested_input = InputRequest(shown.kind, shown.path, shown.request_id, self.checkpoint)
        self.events.notice.emit(None if shown is not None else "Open a video (Ctrl+O)")

    def set_pixels_wanted(self, wanted: bool) -> bool:
        """The pixel panel came into view (or went): True when that sent a request for a result with pixels."""
        self.pixels_wanted = bool(wanted)
        if not wanted:
            return False
        asked = self.last_sent
        self._masks_edited(submit=True)
        return self.last_sent != asked

    def set_surface_tax(self, on: bool) -> None:
        self.surface_tax = bool(on)
        self.submit()

    # ================================================================== mask edits

    def set_masks(self, masks: PatchMasks, record: bool = True) -> None:
        """Replace the masks (preset, scene, undo); `record` puts the old state on the undo stack."""
        masks = masks.copy()  # from outside: the model's masks must not change under it
        self._replace_masks(masks, record)

    def _replace_masks(self, masks: PatchMasks, record: bool) -> None:
        if masks.grid_shape != self.masks.grid_shape:
            self.history.clear()
        elif record:
            self.history.push(self.masks)
        self.masks = masks
        self.time_step = min(self.time_step, masks.grid_shape[0] - 1)
        self.current_group = min(self.current_group, max(0, len(masks.targets) - 1))
        self.events.history.emit()
        self._masks_edited()

    def _masks_edited(self, submit: bool = True) -> None:
        self.events.masks.emit(self.masks)
        if submit:
            self.submit()  # the request goes out at once; the summaries catch up once per pass
        if not self._settle_due:
            self._settle_due = True
            self.schedule(self._settle)

    def _settle(self) -> None:
        self._settle_due = False
        self.events.masks_settled.emit(self.masks)

    def apply(self, edit: Callable[[PatchMasks], PatchMasks]) -> None:
        """One undoable whole-mask edit, e.g. ``model.apply(mask_edit.fill_context)``."""
        self._replace_masks(edit(self.masks), record=True)

    def undo(self) -> None:
        previous = self.history.undo(self.masks)
        if previous is not None:
            self._replace_masks(previous, record=False)

    def redo(self) -> None:
        following = self.history.redo(self.masks)
        if following is not None:
            self._replace_masks(following, record=False)

    def preset_masks(self, key: str, grid, reroll: bool = False) -> PatchMasks | None:
        preset = PRESETS_BY_KEY[key]
        if reroll and preset.rerolls:
            self.preset_seeds[key] += 1
        make = preset.for_grid(tuple(grid))[2]
        try:
            return make(tuple(grid), self.preset_seeds[key])
        except JepaError as e:
            self._error("Cannot make these masks", str(e))
            return None

    def apply_preset(self, key: str) -> None:
        grid = tuple(self.model_info.grid_shape) if self.model_info else self.masks.grid_shape
        masks = self.preset_masks(key, grid, reroll=True)
        if masks is not None:
            self._replace_masks(masks, record=True)

    # ------------------------------------------------------------------ brush strokes (patch coordinates)

    def painted_steps(self) -> np.ndarray | None:
        """bool [T] of the steps a stroke writes to, or None for all of them."""
        t_len = self.masks.grid_shape[0]
        if t_len == 1 or self.paint_span == "all":
            return None
        steps = np.zeros(t_len, dtype=bool)
        if self.paint_span == "this":
            steps[self.time_step] = True
        else:
            steps[self.time_step :] = True
        return steps

    def inside(self, row: int, col: int) -> bool:
        height, width = self.grid_hw
        return 0 <= row < height and 0 <= col < width

    def begin_stroke(self, row: int, col: int, erase: bool = False) -> bool:
        """Press at patch (row, col): a stroke with the current tool (the eraser with `erase`)."""
        if not self.inside(row, col):
            return False
        layer = Layer.ERASE if erase else self.layer
        base, group = self.masks, None
        if layer == Layer.TARGET_NEW or (layer == Layer.TARGET and not base.targets):
            base, group = mask_edit.with_new_group(base)
        elif layer == Layer.TARGET:
            group = min(self.current_group, len(base.targets) - 1)
        self._stroke = Stroke(self.masks, base, layer, group, (row, col), (row, col), np.zeros(self.grid_hw, bool))
        self.events.stroking.emit(True)
        self.stroke_to(row, col)
        return True

    def stroke_to(self, row: int, col: int) -> None:
        stroke = self._stroke
        if stroke is None:
            return
        height, width = self.grid_hw
        if self.rect_mode:
            corner = (int(np.clip(row, 0, height - 1)), int(np.clip(col, 0, width - 1)))
            stroke.cells = mask_edit.rect_cells(self.grid_hw, stroke.start, corner)  # the rectangle replaces itself
        else:
            if not self.inside(row, col):
                return
            stroke.cells = stroke.cells | mask_edit.line_cells(self.grid_hw, stroke.last, (row, col), self.brush_size)
            stroke.last = (row, col)
        edited = mask_edit.paint(stroke.base, stroke.cells, stroke.layer, stroke.group, self.painted_steps())
        if edited != self.masks:
            self.masks = edited
            self._masks_edited()

    def end_stroke(self) -> None:
        stroke, self._stroke = self._stroke, None
        if stroke is None:
            return
        cleaned = self.masks.without_empty_targets() if not all(t.any() for t in self.masks.targets) else self.masks
        if stroke.group is not None and stroke.group < len(cleaned.targets):
            self.current_group = stroke.group
        if cleaned is not self.masks:
            self.masks = cleaned
            self._masks_edited()
        if self.masks != stroke.before:
            self.history.push(stroke.before)
            self.events.history.emit()
        self.events.stroking.emit(False)
        self.events.tool.emit()

    # ------------------------------------------------------------------ tools

    def set_layer(self, layer: Layer | str) -> None:
        self.layer = Layer(layer)
        self.events.tool.emit()

    def set_rect_mode(self, on: bool) -> None:
        self.rect_mode = bool(on)
        self.events.tool.emit()

    def set_brush_size(self, size: int) -> None:
        self.brush_size = int(max(1, min(size, max(self.grid_hw))))
        self.events.tool.emit()

    def change_brush(self, delta: int) -> None:
        self.set_brush_size(self.brush_size + delta)

    def set_current_group(self, group: int) -> None:
        if 0 <= group < len(self.masks.targets):
            self.current_group = group
            self.events.tool.emit()

    def select_group(self, group: int) -> None:
        """Paint into target group `group` (a click on its legend chip)."""
        if 0 <= group < len(self.masks.targets):
            self.current_group = group
        self.set_layer(Layer.TARGET)

    def set_paint_span(self, span: str) -> None:
        if span not in SPANS:
            raise ValueError(f"paint span must be all, this or from, not {span!r}")
        self.paint_span = span
        self.events.tool.emit()

    def set_metric(self, metric: str) -> None:
        if metric != self.metric:
            self.metric = metric
            self.events.metric.emit(metric)

    def cycle_metric(self) -> None:
        from jepa_explorer.analysis.distances import METRICS

        self.set_metric(METRICS[(METRICS.index(self.metric) + 1) % len(METRICS)])

    # ------------------------------------------------------------------ time and the step-through

    def set_time_step(self, step: int) -> None:
        """Show (and paint on) time step `step` of the clip."""
        if self.input is None or self.input.clip is None:
            return
        step = int(np.clip(step, 0, len(self.input.frames) - 1))
        if step != self.time_step:
            self.time_step = step
            self.events.time_step.emit(step)

    def step_time(self, delta: int) -> None:
        self.set_time_step(self.time_step + delta)

    def advance_stage(self) -> None:
        """The step-through's next stage (it starts at 0; past the last one it ends: None)."""
        from jepa_explorer.app.stages import STAGES

        stage = 0 if self.stage is None else self.stage + 1
        self.stage = stage if stage < len(STAGES) else None
        self.events.stage.emit(self.stage)

    def end_stages(self) -> None:
        if self.stage is not None:
            self.stage = None
            self.events.stage.emit(None)

    # ================================================================== scenes

    def view_settings(self) -> dict:
        clip = self.clip_view
        return {
            "metric": self.metric,
            "layer": self.layer.value,
            "rect": self.rect_mode,
            "brush": self.brush_size,
            "seeds": dict(self.preset_seeds),
            "time_step": self.time_step,
            "span": self.paint_span,
            "clip_start": clip.indices[0] if clip is not None and clip.indices else 0,
        }

    def current_scene(self) -> Scene:
        return Scene(self.checkpoint, self.image_path, self.masks.copy(), self.view_settings())

    def save_scene(self, path: str | Path) -> None:
        save_scene(self.current_scene(), path)

    def apply_view(self, view: dict) -> None:
        """View settings from a scene (already checked by scene.load_scene)."""
        if view.get("metric"):
            self.set_metric(view["metric"])
        if view.get("layer"):
            self.layer = Layer(view["layer"])
        self.rect_mode = bool(view.get("rect", False))
        self.brush_size = int(max(1, min(int(view.get("brush", 1)), max(self.grid_hw))))
        self.preset_seeds.update(view.get("seeds", {}))
        if view.get("span") in SPANS:
            self.paint_span = view["span"]
        self.events.tool.emit()
        step = int(view.get("time_step", 0))
        if (
            self.requested_input is not None
            and self.requested_input.kind == "clip"
            and self.input is not None
            and (self.input.request_id != self.requested_input.request_id)
        ):
            self._pending_step = step  # the clip is still on its way
        elif self.display_frames:
            self.set_time_step(step)
        else:
            self._pending_step = step

    def open_scene(self, path: str | Path, override_checkpoint: str | None = None) -> Scene:
        """Open a scene whole or not at all: it is checked and its picture decoded (or its video probed)
        before the model, the input, the masks or the view change. Raises SceneError / JepaError."""
        from jepa_explorer.app.reading import read_scene

        return self.apply_scene(read_scene(path), override_checkpoint)

    def apply_scene(self, read, override_checkpoint: str | None = None) -> Scene:
        """Apply a scene app.reading.read_scene has read and checked (the window reads it off the UI thread).
        Its masks must fit the model they are for, when that model is on screen already (SceneError)."""
        scene, rgb = read.scene, read.rgb
        checkpoint = override_checkpoint or scene.checkpoint
        switching = self.model_info is None or not same_source(checkpoint, self.checkpoint)
        if not switching and scene.masks is not None and scene.masks.grid_shape != tuple(self.model_info.grid_shape):
            raise SceneError(
                f"{read.path}: its masks are on a {_grid(scene.masks.grid_shape)} patch grid, but {self.model_info.name} "
                f"uses {_grid(self.model_info.grid_shape)}; it was saved with another model."
            )
        if switching:
            self._view_for_next_model = scene.view
            self._masks_for_next_model = scene.masks
            if scene.masks is not None and scene.masks.grid_shape == self.masks.grid_shape:
                self.set_masks(scene.masks, record=self.model_info is not None)
            self.load_checkpoint(checkpoint)
        else:
            if scene.masks is not None:
                self.set_masks(scene.masks, record=True)
        if scene.image and rgb is None:  # the same part of the video as when it was saved
            self._pending_step = int(scene.view.get("time_step", 0))
            self.open_video(scene.image, int(scene.view.get("clip_start", 0)), probe=False)
        elif rgb is not None:
            self.set_image(rgb, scene.image)
        else:
            self.set_demo_image()
        if not switching:
            self.apply_view(scene.view)
        return scene

    # ================================================================== exports and errors

    def export_numbers(self, path: str) -> None:
        """The prediction's numbers as CSV (one row per target patch, under a header naming the image, the
        model, the masks and the metric) or NPZ (every array); see app.numbers_export."""
        from jepa_explorer.app import numbers_export

        prediction = self.prediction
        if prediction is None:
            raise JepaError("no prediction to export yet: paint context and targets first.")
        name = self.model_info.name if self.model_info is not None else "unknown model"
        about = numbers_export.csv_about(self.image_path, name, self.checkpoint, prediction.masks, self.metric)
        numbers_export.export_numbers(path, prediction, about, self.input_view)

    def _error(self, title: str, message: str) -> None:
        self.last_error = message
        self.events.error.emit(title, message)
