"""The model worker: requests from the UI thread, results back with their ids, latest wins."""

import threading

import pytest

from jepa_explorer.masks.generators import multiblock

from .conftest import TIMEOUT_MS


@pytest.fixture
def worker(qtbot, ijepa_fixture_path, photo_like):
    from jepa_explorer.gui.worker import ModelWorker

    w = ModelWorker()
    with qtbot.waitSignal(w.inputReady, timeout=TIMEOUT_MS):
        w.load_model(str(ijepa_fixture_path), "cpu")
        w.set_input(photo_like, 1)
    yield w
    w.shutdown()


def test_model_info_is_plain_data(qtbot, ijepa_fixture_path):
    from jepa_explorer.gui.worker import ModelWorker

    w = ModelWorker()
    with qtbot.waitSignal(w.modelReady, timeout=TIMEOUT_MS) as blocker:
        w.load_model(str(ijepa_fixture_path), "cpu")
    info = blocker.args[0]
    assert info.grid_shape == (1, 8, 8) and info.family == "ijepa" and not info.untrained and "cpu" in info.devices
    w.shutdown()


def test_latest_request_wins_and_results_carry_ids(qtbot, worker):
    results, threads = [], set()
    worker.predictionReady.connect(lambda p: (results.append(p.request_id), threads.add(threading.get_ident())))
    for request_id in range(2, 32):  # thirty edits posted faster than the worker can predict
        worker.predict(multiblock((1, 8, 8), seed=request_id), request_id)
    qtbot.waitUntil(lambda: bool(results) and results[-1] == 31, timeout=TIMEOUT_MS)
    assert len(results) < 30  # superseded requests were skipped, not queued
    assert results == sorted(results)
    assert threads == {threading.get_ident()}  # delivered in the UI thread


def test_errors_come_back_as_messages(qtbot, worker):
    from jepa_explorer.masks.grid import PatchMasks

    with qtbot.waitSignal(worker.failed, timeout=TIMEOUT_MS) as blocker:
        worker.predict(PatchMasks.empty((1, 8, 8)), 99)
    error = blocker.args[0]
    assert error.stage == "masks" and error.request_id == 99 and "context is empty" in error.message
