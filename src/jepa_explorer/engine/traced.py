"""TorchScript traces of a model's shape-generic trunks (transformer blocks), for live inference.

Why: in the app the model runs in a worker thread beside the UI thread. An eager forward takes Python's
GIL back after every operator (hundreds per prediction), and while the UI thread runs Python (painting
the panels) each of those hand-backs waits: beside a Python-busy thread an eager predictor call took many
times longer than a traced one (docs/performance.md has the figures). A trace runs its whole graph in
one C++ call. It records the same kernels, so the numbers are the same (tests compare them).

`torch.jit.trace` is deprecated in favour of `torch.compile` / `torch.export`, which need a C++ compiler or
ahead-of-time packaging that a laptop in a workshop cannot be counted on to have. Where tracing is missing
or fails, the eager modules run and `Trunks.note` says why.

The traces run with TorchScript's optimising executor off: it specialises a graph to the shapes it has seen,
and the token count changes with every edit; over a recorded brush stroke, plain execution was faster,
also on its first call (docs/performance.md).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn


class _EncoderTrunk(nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, tokens):
        return self.encoder.forward_tokens(tokens)


class _PredictorTrunk(nn.Module):
    def __init__(self, predictor):
        super().__init__()
        self.predictor = predictor

    def forward(self, seq, attn_mask, pick):
        return self.predictor.trunk(seq, attn_mask, pick)


def _plain(traced) -> Callable:
    def run(*args):
        with torch.jit.optimized_execution(False):
            return traced(*args)

    return run


@dataclass
class Trunks:
    """Callables with the eager methods' signatures: encoder / target encoder `(tokens [1, K, D])`,
    predictor `(seq, attn_mask, pick)` (see `_PredictorBase.group_inputs`); None where the predictor has no
    grouped pass (V-JEPA without mask tokens)."""

    encoder: Callable
    target_encoder: Callable
    predictor: Callable | None
    traced: bool
    note: str = ""


def eager_trunks(model) -> Trunks:
    predictor = model.predictor.trunk if model.predictor is not None and model.predictor.groups_in_one_pass else None
    return Trunks(model.encoder.forward_tokens, model.target_encoder.forward_tokens, predictor, traced=False)


def trace_trunks(model) -> Trunks:
    """Traces of the model's encoders and predictor trunks (eager ones, with a note, where tracing fails)."""
    enc = model.config.encoder
    device = model.device
    n = int(torch.tensor(enc.grid_shape).prod())
    tokens = torch.zeros(1, max(2, n // 2), enc.embed_dim, device=device)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the deprecation notice (see the module docstring) and tracer hints
            encoder = torch.jit.trace(_EncoderTrunk(model.encoder).eval(), (tokens,), check_trace=False)
            target = torch.jit.trace(_EncoderTrunk(model.target_encoder).eval(), (tokens,), check_trace=False)
            predictor = None
            if model.predictor is not None and model.predictor.groups_in_one_pass:
                k = max(1, n // 2)
                ctx = torch.arange(k, device=device)[None]
                z = torch.zeros(1, k, enc.embed_dim, device=device)
                # two groups of different sizes, so the example has padding and a mask that matters
                groups = [torch.arange(k, min(n, k + 2), device=device), torch.arange(k, n, device=device)]
                example = model.predictor.group_inputs(z, ctx, groups)
                predictor = torch.jit.trace(_PredictorTrunk(model.predictor).eval(), example, check_trace=False)
    except Exception as e:  # an unusual build or module: live inference still works, only slower
        trunks = eager_trunks(model)
        trunks.note = f"tracing failed ({type(e).__name__}: {e}); running eager"
        return trunks
    return Trunks(_plain(encoder), _plain(target), _plain(predictor) if predictor is not None else None, traced=True)


__all__ = ["Trunks", "trace_trunks", "eager_trunks"]
