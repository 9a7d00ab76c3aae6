"""Traced trunks (the app's live path) give the eager modules' numbers for any token count."""

import torch

from jepa_explorer.engine.traced import trace_trunks


def test_traced_trunks_equal_eager_for_other_sizes_than_traced(ijepa_model):
    trunks = trace_trunks(ijepa_model)
    assert trunks.traced and trunks.note == ""
    torch.manual_seed(0)
    size = ijepa_model.config.encoder.img_size
    x = torch.randn(1, 3, size, size)
    with torch.inference_mode():
        tokens = ijepa_model.encoder.embed_tokens(x)
        for k in (3, 57, tokens.shape[1]):  # the trace was made with another count
            idx = torch.randperm(tokens.shape[1])[:k].sort().values
            eager = ijepa_model.encoder(x, [idx.unsqueeze(0)])
            torch.testing.assert_close(trunks.encoder(tokens.index_select(1, idx)), eager, atol=1e-5, rtol=1e-5)
        n = tokens.shape[1]
        ctx = torch.arange(0, n // 4).unsqueeze(0)
        z = ijepa_model.encoder(x, [ctx])
        for sizes in ([4, 4, 4], [2, 3, n // 2]):  # padded, then packed
            groups = [torch.arange(n // 4, n // 4 + m) + 3 * i for i, m in enumerate(sizes)]
            traced = ijepa_model.predictor.forward_groups(z, ctx, groups, trunk=trunks.predictor)
            for group, out in zip(groups, traced):
                torch.testing.assert_close(out, ijepa_model.predictor(z, [ctx], [group.unsqueeze(0)])[0], atol=2e-5, rtol=1e-4)


def test_tracing_failure_falls_back_to_eager_with_a_note(ijepa_model, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no tracer here")

    monkeypatch.setattr(torch.jit, "trace", broken)
    trunks = trace_trunks(ijepa_model)
    assert not trunks.traced and "no tracer here" in trunks.note
    assert trunks.encoder == ijepa_model.encoder.forward_tokens
