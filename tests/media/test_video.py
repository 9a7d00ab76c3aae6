"""Video files and frame folders become clips with the right source frames; bad inputs get clear messages.

Videos are made here with PyAV (mpeg4, libvpx when present) and Pillow (GIF). Each frame shows its own
index as 8 black/white stripes (a binary number), which survives lossy codecs, so the test can read
back which source frame every sampled frame really is.
"""

import av
import numpy as np
import pytest
from PIL import Image

from jepa_explorer.errors import MediaError
from jepa_explorer.media.video import probe_video, read_frames, sample_clip, sample_indices

WIDTH, HEIGHT = 64, 48
BITS = 1 << np.arange(8)[::-1]


def index_frame(i: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    bits = (i >> np.arange(8)[::-1]) & 1
    row = np.repeat(bits * 255, width // 8).astype(np.uint8)
    return np.repeat(np.repeat(row[None, :, None], height, 0), 3, 2)


def read_index(frame: np.ndarray) -> int:
    width = frame.shape[1]
    stripes = frame[frame.shape[0] // 2, width // 16 :: width // 8, 0][:8]
    return int((stripes > 127) @ BITS)


def write_video(path, n, codec="mpeg4", fps=25, gop=12, options=None, size=(WIDTH, HEIGHT)):
    with av.open(str(path), "w", options=options or {}) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.codec_context.gop_size = gop
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(index_frame(i, *size), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _has_encoder(name):
    try:
        av.codec.Codec(name, "w")
        return True
    except Exception:  # noqa: BLE001
        return False


CONTAINERS = [("clip.mp4", "mpeg4"), ("clip.avi", "mpeg4")]
if _has_encoder("libvpx"):
    CONTAINERS.append(("clip.webm", "libvpx"))  # WebM stores no frame count: counted from packets


@pytest.mark.parametrize("name,codec", CONTAINERS)
def test_probe_and_frames_by_index(tmp_path, name, codec):
    path = write_video(tmp_path / name, 200, codec)
    info = probe_video(path)
    assert (info.frame_count, info.fps, info.width, info.height) == (200, 25.0, WIDTH, HEIGHT)
    assert info.duration_s == pytest.approx(8.0, abs=0.05) and info.exact_count
    # forwards, backwards, repeats, and jumps far beyond SEEK_GAP (keyframe seeks)
    wanted = [0, 1, 2, 100, 150, 199, 3, 60, 60]
    frames = read_frames(path, wanted)
    assert frames.dtype == np.uint8 and frames.shape == (len(wanted), HEIGHT, WIDTH, 3)
    assert [read_index(f) for f in frames] == wanted


def test_sample_indices():
    assert sample_indices(100, 4).tolist() == [12, 37, 62, 87]  # segment centres over the whole video
    assert sample_indices(100, 4, start=60).tolist() == [65, 75, 85, 95]
    assert sample_indices(100, 4, stride=4, start=10).tolist() == [10, 14, 18, 22]
    assert sample_indices(20, 6, stride=4, start=10).tolist() == [10, 14, 18, 19, 19, 19]  # short: last frame repeats
    assert sample_indices(3, 8).tolist() == [0, 0, 0, 1, 1, 2, 2, 2]
    with pytest.raises(MediaError, match="start frame 100 is outside the video's 100 frames"):
        sample_indices(100, 4, start=100)
    with pytest.raises(MediaError, match="stride must be at least 1"):
        sample_indices(100, 4, stride=0)
    with pytest.raises(MediaError, match="at least 1 frame"):
        sample_indices(100, 0)


def test_sample_clip_strided_and_spread(tmp_path):
    path = write_video(tmp_path / "v.mp4", 120)
    clip = sample_clip(path, 16, stride=4, start=5)
    assert clip.frames.shape == (16, HEIGHT, WIDTH, 3)
    assert clip.indices.tolist() == list(range(5, 5 + 64, 4))
    assert [read_index(f) for f in clip.frames] == clip.indices.tolist()
    spread = sample_clip(path, 16)
    assert spread.indices.tolist() == sample_indices(120, 16).tolist()
    assert [read_index(f) for f in spread.frames] == spread.indices.tolist()
    frames, indices, info = spread  # a named tuple: unpacks for the GUI's timeline
    assert info.frame_count == 120 and len(indices) == 16


def test_large_frames_are_scaled_down(tmp_path):
    path = write_video(tmp_path / "big.mp4", 10, size=(320, 240))
    clip = sample_clip(path, 4, max_side=80)
    assert clip.frames.shape == (4, 60, 80, 3)
    assert [read_index(f) for f in clip.frames] == clip.indices.tolist()
    assert sample_clip(path, 2, max_side=None).frames.shape == (2, 240, 320, 3)


def test_gif_from_pillow(tmp_path):
    frames = [Image.fromarray(index_frame(i)) for i in range(30)]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:], duration=40, loop=0)
    info = probe_video(tmp_path / "a.gif")
    assert info.frame_count == 30 and info.fps == pytest.approx(25.0) and info.codec == "gif"
    clip = sample_clip(tmp_path / "a.gif", 8, stride=3, start=2)
    assert [read_index(f) for f in clip.frames] == list(range(2, 26, 3))


def test_frame_folder(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(12):  # unpadded names: natural order puts frame10 after frame9
        Image.fromarray(index_frame(i)).save(folder / f"frame{i}.png")
    (folder / "notes.txt").write_text("ignored")
    info = probe_video(folder)
    assert (info.frame_count, info.width, info.height, info.codec) == (12, WIDTH, HEIGHT, "frames")
    clip = sample_clip(folder, 4, stride=3)
    assert clip.indices.tolist() == [0, 3, 6, 9]
    assert [read_index(f) for f in clip.frames] == [0, 3, 6, 9]
    assert read_index(read_frames(folder, [11])[0]) == 11


def _audio_only(path):
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=16000)
        for i in range(10):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 16000, i * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_errors(tmp_path):
    def error(path, **kwargs):
        with pytest.raises(MediaError) as info:
            sample_clip(path, 16, **kwargs)
        message = str(info.value)
        assert message.startswith(str(path)), message  # every message names the file
        return message

    assert "no such file or folder" in error(tmp_path / "missing.mp4")
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert "the file is empty" in error(tmp_path / "empty.mp4")
    # damaged bytes either fail to open or (FFmpeg guessing) open with no video stream: both say so
    for seed in range(8):
        (tmp_path / "noise.mp4").write_bytes(np.random.default_rng(seed).bytes(4000))
        assert "truncated or corrupt" in error(tmp_path / "noise.mp4")
    (tmp_path / "notes.xyz").write_text("hello")
    assert "not a video PyAV can read" in error(tmp_path / "notes.xyz")
    assert "no video stream (audio only?)" in error(_audio_only(tmp_path / "voice.m4a"))

    # moov atom at the end (PyAV's default): cutting the file loses the index
    whole = write_video(tmp_path / "whole.mp4", 200).read_bytes()
    (tmp_path / "cut.mp4").write_bytes(whole[: len(whole) // 2])
    assert "truncated or corrupt" in error(tmp_path / "cut.mp4")
    # moov first (streaming layout): the header promises 200 frames, the data stops half way
    fast = write_video(tmp_path / "fast.mp4", 200, options={"movflags": "faststart"}).read_bytes()
    (tmp_path / "cut_fast.mp4").write_bytes(fast[: len(fast) // 2])
    assert probe_video(tmp_path / "cut_fast.mp4").frame_count == 200
    message = error(tmp_path / "cut_fast.mp4", stride=12)
    assert "declares 200 frames" in message and "truncated" in message
    assert sample_clip(tmp_path / "cut_fast.mp4", 4, stride=2).frames.shape[0] == 4  # the intact start still reads

    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "readme.txt").write_text("no frames here")
    assert "holds no image frames" in error(tmp_path / "none")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    Image.new("RGB", (32, 32)).save(mixed / "a.png")
    Image.new("RGB", (40, 32)).save(mixed / "b.png")
    assert "frames differ in size (a.png is 32×32, b.png is 40×32)" in error(mixed)
    (mixed / "b.png").write_bytes(b"not a png")
    assert "b.png: not a readable image" in error(mixed)

    path = write_video(tmp_path / "short.mp4", 10)
    assert "start frame 10 is outside" in error(path, start=10)
    with pytest.raises(MediaError, match="frame 10 is outside the video's 10 frames"):
        read_frames(path, [3, 10])


def test_pipes_are_refused_and_a_silent_file_times_out(tmp_path, monkeypatch):
    import os
    import threading

    from jepa_explorer.media import video

    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "stream.mp4")  # FFmpeg would wait for a writer for ever
        with pytest.raises(MediaError, match="not a regular file"):
            probe_video(tmp_path / "stream.mp4")
    release = threading.Event()
    monkeypatch.setattr(video, "_probe_container", lambda path: release.wait(30))  # a drive that never answers
    (tmp_path / "slow.mp4").write_bytes(b"\x00" * 16)
    try:
        with pytest.raises(MediaError, match="no answer after 0.2 s"):
            probe_video(tmp_path / "slow.mp4", timeout_s=0.2)
    finally:
        release.set()
