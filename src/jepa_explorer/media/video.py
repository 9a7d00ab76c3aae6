"""Video files (MP4, WebM, MKV, MOV, AVI, GIF via PyAV) and folders of frames as uint8 RGB clips.

- ``probe_video(path)``: frame count, fps, duration and size without decoding pictures.
- ``sample_indices(frame_count, num_frames, stride, start)``: which source frames a clip takes.
- ``sample_clip(path, num_frames, stride=None, start=0)``: the clip ``frames`` uint8 [T, H, W, 3] and
  the source ``indices`` [T] (so a timeline can mark the sampled frames).

Decoding is lazy: only the sampled frames are kept, and a jump of more than ``SEEK_GAP`` frames seeks
to the nearest keyframe instead of decoding everything in between, so a two-hour file costs about as
much as a two-second one. Frames larger than ``max_side`` are scaled down while decoding (the model
sees 32-224 px anyway), which caps a clip's memory at T · max_side² · 3 bytes.

Frame indices are time-based for container files: index = round((pts - start) · fps), which is the
decode position for constant-frame-rate video (all that cameras and encoders normally write).
"""

from __future__ import annotations

import re
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from jepa_explorer.errors import MediaError
from jepa_explorer.media.images import (
    IMAGE_FORMATS,
    IMAGE_SUFFIXES,
    MAX_DECODED_PIXELS,
    decode_image,
    to_rgb_array,
)

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".gif", ".mpg", ".mpeg", ".ogv")
SEEK_GAP = 48  # frames: a longer jump seeks to a keyframe instead of decoding through
MAX_SIDE = 720  # default cap on the longer side of returned frames
MAX_FRAME_PIXELS = 64_000_000  # a single frame above this (8K is 33 M) is refused
PROBE_TIMEOUT_S = 30.0  # reading a header takes milliseconds; counting a 512 MB file's packets a few seconds
COUNT_BY_DEMUX_BYTES = 512 * 2**20  # below this a file without a frame count is counted exactly


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    frame_count: int
    fps: float
    duration_s: float
    width: int
    height: int
    codec: str  # "mpeg4", "vp9", "gif" ... or "frames" for a folder
    exact_count: bool = True  # False when the count is estimated from duration × fps (very large files)

    def to_dict(self) -> dict:
        return {
            "path": str(self.path),
            "frame_count": self.frame_count,
            "fps": self.fps,
            "duration_s": self.duration_s,
            "width": self.width,
            "height": self.height,
            "codec": self.codec,
            "exact_count": self.exact_count,
        }


class SampledClip(NamedTuple):
    frames: np.ndarray  # uint8 [T, H, W, 3]
    indices: np.ndarray  # int64 [T] source frame of each clip frame
    info: VideoInfo


# ---------------------------------------------------------------- checks shared by files and folders


def _check_path(path: str | Path) -> Path:
    path = Path(path).expanduser()
    if not path.exists():
        raise MediaError(f"{path}: no such file or folder.")
    if not (path.is_file() or path.is_dir()):  # a FIFO or a device: opening it would wait for ever
        raise MediaError(f"{path}: not a regular file or folder (a pipe, socket or device?); open a video file.")
    if path.is_file() and path.stat().st_size == 0:
        raise MediaError(f"{path}: the file is empty.")
    return path


def _natural_key(path: Path):
    """frame2.png before frame10.png."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _frame_files(folder: Path) -> list[Path]:
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")),
        key=_natural_key,
    )
    if not files:
        raise MediaError(
            f"{folder}: the folder holds no image frames; put the frames in it as "
            f"{', '.join(s.lstrip('.') for s in IMAGE_SUFFIXES[:4])} ... files (sorted by name)."
        )
    return files


# ---------------------------------------------------------------- probing


def _open_container(path: Path):
    import av

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as e:
        if path.suffix.lower() in VIDEO_SUFFIXES:
            raise MediaError(
                f"{path}: the video is truncated or corrupt ({e.strerror or e}); re-export or re-download it."
            ) from None
        raise MediaError(
            f"{path}: not a video PyAV can read; use MP4, WebM, MKV, MOV, AVI or GIF, or a folder of frames."
        ) from None
    if not container.streams.video:
        kinds = sorted({s.type for s in container.streams})
        container.close()
        if kinds == ["audio"]:
            raise MediaError(f"{path}: has audio streams but no video stream (audio only?); open a video file.")
        # FFmpeg can guess a subtitle or data stream from damaged bytes: say what it found and the likely cause
        found = f"only {' and '.join(kinds)} streams" if kinds else "no streams"
        raise MediaError(
            f"{path}: no video stream ({found}): the video is truncated or corrupt, or not a video; re-export or re-download it."
        )
    return container


def _fps(stream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate is not None and rate > 0:
            return float(rate)
    return 0.0


def _probe_container(path: Path) -> VideoInfo:
    container = _open_container(path)
    try:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        width, height = int(ctx.width or 0), int(ctx.height or 0)
        fps = _fps(stream)
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        count, exact = int(stream.frames or 0), True
        if count <= 0:
            if path.stat().st_size <= COUNT_BY_DEMUX_BYTES:
                count = sum(1 for packet in container.demux(stream) if packet.size)  # packets, no decoding
            else:
                count, exact = int(round(duration * fps)), False
        if fps <= 0 and duration > 0:
            fps = count / duration
        if duration <= 0 and fps > 0:
            duration = count / fps
        codec = ctx.name
    except MediaError:
        raise
    except Exception as e:  # noqa: BLE001 - PyAV raises several types for a damaged header
        raise MediaError(f"{path}: the video is truncated or corrupt ({e}); re-export or re-download it.") from None
    finally:
        container.close()
    if count <= 0:
        raise MediaError(f"{path}: the video stream has no frames; open another file.")
    if width * height > MAX_FRAME_PIXELS:
        raise MediaError(f"{path}: {width}×{height} px frames are too large to decode safely; scale the video down first.")
    return VideoInfo(path, count, fps, duration, width, height, codec, exact)


def _probe_folder(path: Path) -> VideoInfo:
    from PIL import Image, UnidentifiedImageError

    files = _frame_files(path)
    first_size = None
    for f in files:  # headers only: Pillow reads the size without decoding pixels
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(f, formats=IMAGE_FORMATS) as im:
                    size = im.size
        except (UnidentifiedImageError, Image.DecompressionBombError) as e:
            raise MediaError(f"{f}: not a readable image ({e}); remove it from the frame folder or replace it.") from None
        except Exception as e:  # noqa: BLE001 - a damaged header raises OSError, SyntaxError, struct.error ...
            raise MediaError(f"{f}: not a readable image ({type(e).__name__}: {e}); remove or replace it.") from None
        if first_size is None:
            first_size = size
            if size[0] * size[1] > MAX_DECODED_PIXELS:
                raise MediaError(f"{f}: {size[0]}×{size[1]} px is too large to open; scale the frames down first.")
        elif size != first_size:
            raise MediaError(
                f"{path}: frames differ in size ({files[0].name} is {first_size[0]}×{first_size[1]}, "
                f"{f.name} is {size[0]}×{size[1]}); resize them all to one size."
            )
    fps = 25.0  # a folder carries no rate: the common default, said so in the codec field
    return VideoInfo(path, len(files), fps, len(files) / fps, first_size[0], first_size[1], "frames")


def _with_timeout(probe, path: Path, timeout_s: float) -> VideoInfo:
    """`probe(path)` on a helper thread, given up after `timeout_s`: a file on a stuck network drive (or
    anything else that never answers) costs the caller a clear error, not a frozen window. The thread is
    a daemon, so one that never returns does not keep the program alive."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, probe(path)))
        except BaseException as e:  # noqa: BLE001 - handed to the caller as it is
            outcome.append((False, e))

    worker = threading.Thread(target=run, name="probe-video", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if not outcome:
        raise MediaError(f"{path}: no answer after {timeout_s:g} s while reading its header; copy the file to a local drive.")
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def probe_video(path: str | Path, timeout_s: float | None = PROBE_TIMEOUT_S) -> VideoInfo:
    """Frame count, fps, duration and frame size of a video file or a folder of frames (no pictures
    decoded); a file that gives no answer within `timeout_s` seconds (None: wait) is a MediaError."""
    path = _check_path(path)
    if path.is_dir():
        return _probe_folder(path)
    return _probe_container(path) if timeout_s is None else _with_timeout(_probe_container, path, timeout_s)


# ---------------------------------------------------------------- which frames


def sample_indices(frame_count: int, num_frames: int, stride: int | None = None, start: int = 0) -> np.ndarray:
    """Source frame indices [num_frames] of a clip.

    ``stride`` None spreads the clip evenly over [start, end) (the whole video by default);
    an integer takes every ``stride``-th frame from ``start`` (V-JEPA's ``frame_step``), repeating the
    last frame where the video ends first, as the official loader pads short videos."""
    if num_frames < 1:
        raise MediaError(f"a clip needs at least 1 frame, got {num_frames}.")
    if frame_count < 1:
        raise MediaError("the video has no frames.")
    if not 0 <= start < frame_count:
        raise MediaError(f"start frame {start} is outside the video's {frame_count} frames (0 to {frame_count - 1}).")
    if stride is None:
        span = frame_count - start
        # the centre of each of num_frames equal segments: even spacing, never the same frame twice if avoidable
        offsets = np.floor((np.arange(num_frames) + 0.5) * span / num_frames).astype(np.int64)
        return start + np.minimum(offsets, span - 1)
    if stride < 1:
        raise MediaError(f"stride must be at least 1 frame, got {stride}.")
    return np.minimum(start + stride * np.arange(num_frames, dtype=np.int64), frame_count - 1)


# ---------------------------------------------------------------- decoding


def _scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(2, int(round(width * scale))), max(2, int(round(height * scale)))


def _decode_container(info: VideoInfo, wanted: np.ndarray, max_side: int | None) -> dict[int, np.ndarray]:
    """{source index: uint8 [H, W, 3]} for the sorted unique indices in `wanted`."""
    import av

    out_w, out_h = _scaled_size(info.width, info.height, max_side)
    container = _open_container(info.path)
    frames: dict[int, np.ndarray] = {}
    last_index = last_seen = -1
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        time_base = float(stream.time_base) if stream.time_base else 0.0
        origin = stream.start_time or 0
        fps = info.fps
        use_pts = time_base > 0 and fps > 0

        def index_of(frame, counted: int) -> int:
            if use_pts and frame.pts is not None:
                return int(round((frame.pts - origin) * time_base * fps))
            return counted

        decoder, counted, pending, pending_index = None, -1, None, -1
        for target in wanted:
            target = int(target)
            jump = target - (last_index if decoder is not None else 0)
            if decoder is None or (use_pts and jump > SEEK_GAP):
                if jump > SEEK_GAP and use_pts:
                    container.seek(origin + int(target / fps / time_base), stream=stream, backward=True, any_frame=False)
                decoder, counted, pending, pending_index = container.decode(stream), -1, None, -1
            while pending is None or pending_index < target:
                frame = next(decoder, None)
                if frame is None:
                    break
                counted += 1
                pending, pending_index = frame, index_of(frame, counted)
                last_seen = max(last_seen, pending_index)
            if pending is None or pending_index < target:
                break  # the stream ended first: reported below as truncation
            # the first frame at or after the target (the target itself at a constant frame rate)
            pic = pending
            if (pic.width, pic.height) != (out_w, out_h) or pic.format.name != "rgb24":
                pic = pic.reformat(width=out_w, height=out_h, format="rgb24")
            frames[target] = pic.to_ndarray()
            last_index = pending_index
    except MediaError:
        raise
    except av.error.FFmpegError as e:
        raise MediaError(
            f"{info.path}: decoding failed near frame {last_seen + 1} ({e.strerror or e}); the file is corrupt."
        ) from None
    finally:
        container.close()
    missing = [int(i) for i in wanted if int(i) not in frames]
    if missing:
        raise MediaError(
            f"{info.path}: the video ends after frame {max(last_seen, 0)} though it declares {info.frame_count} frames "
            f"(frame {missing[0]} is missing): the file is truncated; re-export it or pick an earlier start."
        )
    return frames


def _decode_folder(info: VideoInfo, wanted: np.ndarray, max_side: int | None) -> dict[int, np.ndarray]:
    from PIL import Image

    files = _frame_files(info.path)
    out_w, out_h = _scaled_size(info.width, info.height, max_side)
    frames = {}
    for i in wanted:
        f = files[int(i)]
        with decode_image(f) as im:
            try:
                rgb = to_rgb_array(im)
            except Exception as e:  # noqa: BLE001 - a mode Pillow cannot convert
                raise MediaError(f"{f}: the frame is truncated or corrupt ({e}); replace it.") from None
        if rgb.shape[:2] != (info.height, info.width):
            raise MediaError(f"{f}: {rgb.shape[1]}×{rgb.shape[0]} px differs from the other frames; resize it.")
        if (out_w, out_h) != (info.width, info.height):
            rgb = np.asarray(Image.fromarray(rgb).resize((out_w, out_h), Image.BILINEAR, reducing_gap=2.0))
        frames[int(i)] = rgb
    return frames


def read_frames(path: str | Path, indices, max_side: int | None = MAX_SIDE, info: VideoInfo | None = None) -> np.ndarray:
    """uint8 [len(indices), H, W, 3]: the given source frames (any order, repeats allowed)."""
    info = info or probe_video(path)
    indices = np.asarray(indices, dtype=np.int64)
    if indices.size == 0:
        raise MediaError(f"{info.path}: no frames requested.")
    bad = indices[(indices < 0) | (indices >= info.frame_count)]
    if bad.size:
        raise MediaError(f"{info.path}: frame {int(bad[0])} is outside the video's {info.frame_count} frames.")
    wanted = np.unique(indices)
    decoded = (_decode_folder if info.codec == "frames" else _decode_container)(info, wanted, max_side)
    return np.stack([decoded[int(i)] for i in indices])


def sample_clip(
    path: str | Path, num_frames: int, stride: int | None = None, start: int = 0, max_side: int | None = MAX_SIDE
) -> SampledClip:
    """The clip a video model takes: ``frames`` uint8 [num_frames, H, W, 3], the source ``indices`` and
    the ``info``. See ``sample_indices`` for stride/start; frames keep their aspect (the session
    centre-crops) and are scaled down to at most ``max_side`` px (None keeps the original size)."""
    info = probe_video(path)
    try:
        indices = sample_indices(info.frame_count, num_frames, stride, start)
    except MediaError as e:
        raise MediaError(f"{info.path}: {e}") from None
    return SampledClip(read_frames(path, indices, max_side, info), indices, info)


__all__ = ["VideoInfo", "SampledClip", "probe_video", "sample_indices", "sample_clip", "read_frames", "VIDEO_SUFFIXES"]
