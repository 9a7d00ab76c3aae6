"""Training batches made ahead of the step that needs them.

Batch k is a pure function of (seed, k) (``ImageBatches`` / ``ClipBatches``), so they can be made in
any order by any number of processes and the run stays bit-for-bit the same. One background thread
suffices on a laptop CPU, where the model step is the bottleneck; a GPU step is over in milliseconds
and the procedural images need a pool of processes to keep up (``workers``).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import torch

_WORKER_SOURCE = None


def _init_worker(source) -> None:
    global _WORKER_SOURCE
    torch.set_num_threads(1)  # one core per worker; the pool is the parallelism
    _WORKER_SOURCE = source


def _make_batch(k: int) -> np.ndarray:
    # numpy crosses the process boundary as plain bytes (no shared-memory file descriptors to leak)
    return _WORKER_SOURCE.batch(k).numpy()


class Prefetcher:
    """``next()`` returns batch ``start``, ``start + 1``, ... of ``source`` as float tensors.

    workers = 0: one thread makes the next batch while the current step runs.
    workers = N: N spawned processes keep 2N batches in flight.
    """

    def __init__(self, source, start: int, stop: int, workers: int = 0):
        self.source, self.next_k, self.stop = source, start, stop
        self.workers = workers
        self.pool: Executor
        if workers > 0:
            # spawn, not fork: the parent may already hold a CUDA context, which a fork must not inherit
            self.pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker, initargs=(source,)
            )
            depth = 2 * workers
        else:
            self.pool = ThreadPoolExecutor(max_workers=1)
            depth = 1
        self.pending: deque = deque()
        self.submitted = start
        for _ in range(depth):
            self._submit()

    def _submit(self) -> None:
        if self.submitted >= self.stop:
            return
        fn = _make_batch if self.workers > 0 else self.source.batch
        self.pending.append(self.pool.submit(fn, self.submitted))
        self.submitted += 1

    def next(self) -> torch.Tensor:
        if not self.pending:
            raise StopIteration(f"no batch after {self.next_k - 1}: the run stops at {self.stop}")
        out = self.pending.popleft().result()
        self._submit()
        self.next_k += 1
        return torch.from_numpy(out) if isinstance(out, np.ndarray) else out

    def close(self) -> None:
        for f in self.pending:
            f.cancel()
        self.pool.shutdown(wait=True, cancel_futures=True)
