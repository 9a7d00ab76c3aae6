"""Batches made ahead, by a thread or by worker processes, are exactly the batches asked for, in order."""

import torch

from jepa_explorer.train.data import ImageBatches
from jepa_explorer.train.prefetch import Prefetcher


def test_worker_processes_give_the_same_batches_as_direct_calls():
    source = ImageBatches(size=16, batch_size=4, photo_fraction=0.5, seed=3)
    for workers in (0, 2):
        pre = Prefetcher(source, start=5, stop=9, workers=workers)
        try:
            got = [pre.next() for _ in range(4)]
        finally:
            pre.close()
        for k, x in zip(range(5, 9), got):
            assert torch.equal(x, source.batch(k)), (workers, k)


def test_running_past_the_stop_says_so():
    source = ImageBatches(size=16, batch_size=2, seed=0)
    pre = Prefetcher(source, start=0, stop=1, workers=0)
    pre.next()
    try:
        pre.next()
    except StopIteration as e:
        assert "stops at 1" in str(e)
    else:
        raise AssertionError("expected StopIteration")
    finally:
        pre.close()
