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


def _random_groups(n_patches: int, n_context: int, sizes: list[int], seed: int = 0):
    perm = torch.randperm(n_patches, generator=torch.Generator().manual_seed(seed))
    ctx, rest = perm[:n_context].sort().values, perm[n_context:]
    return ctx.unsqueeze(0), [rest[torch.randperm(len(rest))[:m]].sort().values for m in sizes]


def test_forward_groups_padded_and_packed_layouts_equal_official_calls():
    """Many equal groups take the padded layout, one long group beside short ones the packed one; both
    give each group what the official forward gives it alone."""
    from jepa_explorer.models.factory import new_jepa

    model = new_jepa(seed=2)
    torch.manual_seed(1)
    x = torch.randn(1, 3, 64, 64)
    for sizes, layout in (([3] * 8, "padded"), ([4, 4, 4, 40], "packed")):
        ctx, groups = _random_groups(64, 64 - sum(sizes) if layout == "packed" else 16, sizes)
        with torch.inference_mode():
            z = model.encoder(x, [ctx])
            seq, mask, pick = model.predictor.group_inputs(z, ctx, groups)
            assert (mask.shape[0] == len(groups)) == (layout == "padded")
            assert len(pick) == sum(sizes)
            for group, out in zip(groups, model.predictor.forward_groups(z, ctx, groups)):
                torch.testing.assert_close(out, model.predictor(z, [ctx], [group.unsqueeze(0)])[0], atol=2e-5, rtol=1e-4)


def test_video_forward_groups_uses_each_groups_mask_token():
    from jepa_explorer.models.config import ViTConfig
    from jepa_explorer.models.factory import new_jepa

    cfg = ViTConfig(img_size=32, patch_size=8, embed_dim=96, depth=2, num_heads=3, num_frames=4, tubelet_size=2, video=True)
    model = new_jepa(cfg, seed=3)
    for token in model.predictor.mask_tokens:  # distinct tokens, so a wrong token shows
        torch.nn.init.normal_(token)
    ctx, groups = _random_groups(32, 12, [5, 9])
    x = torch.randn(1, 3, 4, 32, 32)
    with torch.inference_mode():
        z = model.encoder(x, [ctx])
        outs = model.predictor.forward_groups(z, ctx, groups, token_ids=[1, 0])
        for group, token_id, out in zip(groups, [1, 0], outs):
            alone = model.predictor(z, None, [ctx], [group.unsqueeze(0)], mask_index=token_id)[0]
            torch.testing.assert_close(out, alone, atol=2e-5, rtol=1e-4)
        wrong = model.predictor(z, None, [ctx], [groups[0].unsqueeze(0)], mask_index=0)[0]
        assert not torch.allclose(outs[0], wrong, atol=1e-3)
