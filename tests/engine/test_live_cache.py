"""The live-model cache: switching between checkpoints already loaded reuses their model and traces."""

import shutil

import numpy as np

from jepa_explorer.engine.live_cache import LiveModelCache, live_session
from jepa_explorer.engine.session import Session
from jepa_explorer.masks.generators import future, multiblock


def test_switching_back_reuses_model_and_traces(ijepa_fixture_path, vjepa_fixture_path, photo_like, tmp_path):
    cache = LiveModelCache(2)
    clip = np.stack([photo_like] * 16)
    image_sessions = []
    for _ in range(3):  # image -> video -> image ...: two loads in all
        s = live_session(ijepa_fixture_path, "cpu", cache=cache)
        s.set_input(photo_like)
        image_sessions.append(s)
        v = live_session(vjepa_fixture_path, "cpu", cache=cache)
        v.set_input(clip)
        assert v.predict(future(v.grid_shape)).groups
    assert cache.loads == 2 and len(cache) == 2
    first, last = image_sessions[0], image_sessions[-1]
    assert last is not first and last.model is first.model and last.trunks is first.trunks  # own state, shared traces
    masks = multiblock(last.grid_shape, seed=3)
    cached = last.predict(masks)
    eager = Session(last.model)
    eager.set_input(photo_like)
    fresh = eager.predict(masks)
    for a, b in zip(cached.groups, fresh.groups):
        np.testing.assert_allclose(a.predicted, b.predicted, atol=2e-5)

    # a third checkpoint drops the least recently used; a changed file is loaded afresh
    other = tmp_path / "copy.pth.tar"
    shutil.copy(ijepa_fixture_path, other)
    live_session(other, "cpu", cache=cache)
    assert cache.loads == 3 and len(cache) == 2
    live_session(vjepa_fixture_path, "cpu", cache=cache)  # still there (used after the image model)
    assert cache.loads == 3
    other.write_bytes(other.read_bytes())  # rewritten: a new version of the file
    live_session(other, "cpu", cache=cache)
    assert cache.loads == 4
    live_session(ijepa_fixture_path, "cpu", cache=cache, num_heads=3)  # other overrides: another model
    assert cache.loads == 5 and len(cache) == 2
