"""Model modules beyond the official reference fixtures (test_vit_reference.py)."""

import torch


def test_forward_groups_equals_one_official_call_per_group():
    """Groups of different sizes in one padded pass give what the official forward gives each alone."""
    from jepa_explorer.models.factory import new_jepa

    model = new_jepa(seed=1)
    torch.manual_seed(0)
    x = torch.randn(1, 3, model.config.encoder.img_size, model.config.encoder.img_size)
    ctx = torch.arange(0, 30).unsqueeze(0)
    groups = [torch.tensor([40, 41, 48, 49]), torch.tensor([60]), torch.tensor([33, 34, 35, 36, 37, 38, 39])]
    with torch.inference_mode():
        z = model.encoder(x, [ctx])
        batched = model.predictor.forward_groups(z, ctx, groups)
        for group, out in zip(groups, batched):
            alone = model.predictor(z, [ctx], [group.unsqueeze(0)])[0]
            assert out.shape == alone.shape
            torch.testing.assert_close(out, alone, atol=2e-5, rtol=1e-4)
