"""Video pixels: 3-D patchify round trip, and the pixel comparison of a clip with a video decoder."""

import numpy as np
import torch

from jepa_explorer.models.mae import patchify_video, unpatchify_video


def test_video_tokens_round_trip_and_follow_the_encoder_token_order():
    x = torch.randn(2, 3, 4, 16, 24)
    tokens = patchify_video(x, patch=8, tubelet=2)
    assert tokens.shape == (2, 2 * 2 * 3, 2 * 8 * 8 * 3)
    assert torch.equal(unpatchify_video(tokens, (2, 2, 3), 8, 2), x)
    # token (t=1, row=0, col=2) holds frames 2-3, rows 0-7, columns 16-23
    index = (1 * 2 + 0) * 3 + 2
    expected = x[0, :, 2:4, 0:8, 16:24].permute(1, 2, 3, 0).reshape(-1)
    assert torch.equal(tokens[0, index], expected)


def test_clip_pixel_comparison_with_a_video_decoder():
    from jepa_explorer.engine.pixels import compare_pixels, frame_of
    from jepa_explorer.engine.session import Session
    from jepa_explorer.masks.generators import future
    from jepa_explorer.models.config import ViTConfig
    from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder
    from jepa_explorer.models.factory import new_jepa

    torch.manual_seed(0)
    enc = ViTConfig(img_size=16, patch_size=8, num_frames=4, tubelet_size=2, embed_dim=32, depth=1, num_heads=2, video=True)
    model = new_jepa(enc)
    session = Session(model)
    frames = (np.random.default_rng(0).random((4, 20, 20, 3)) * 255).astype(np.uint8)
    session.set_input(frames)
    masks = future(session.grid_shape, context_steps=1)
    prediction = session.predict(masks)
    decoder = PatchDecoder(DecoderConfig(embed_dim=32, hidden_dim=16, depth=1, patch_size=8, tubelet_size=2)).eval()
    out = compare_pixels(session, prediction, mae=None, decoder=decoder)
    assert out.images["original"].shape == (4, 16, 16, 3) and out.images["decoded_prediction"].shape == (4, 16, 16, 3)
    assert "mae" in out.unavailable and np.isfinite(out.psnr["decoded_actual"])
    # context frames (first tubelet) keep the input; target frames are replaced by decoded pixels
    assert np.array_equal(out.images["decoded_prediction"][:2], out.images["original"][:2])
    assert not np.array_equal(out.images["decoded_prediction"][2:], out.images["original"][2:])
    one = frame_of(out, 3)
    assert one.images["decoded_actual"].shape == (16, 16, 3) and one.psnr == out.psnr
    # `also`: other embeddings for the same targets are decoded and scored as the prediction is
    actual = [session.features.actual[g.target_indices] for g in prediction.groups]
    both = compare_pixels(session, prediction, decoder=decoder, also={"actual_again": actual, "predicted_again": [
        g.predicted for g in prediction.groups]})  # fmt: skip
    assert np.array_equal(both.images["actual_again"], out.images["decoded_actual"])
    assert np.array_equal(both.images["predicted_again"], out.images["decoded_prediction"])
    assert both.psnr["actual_again"] == out.psnr["decoded_actual"] != both.psnr["predicted_again"]


def test_a_reference_decoder_starts_from_the_last_context_frame_at_each_target_patch():
    from jepa_explorer.engine.pixels import compare_pixels, frame_of
    from jepa_explorer.engine.session import Session
    from jepa_explorer.masks.generators import future
    from jepa_explorer.masks.grid import PatchMasks
    from jepa_explorer.models.config import ViTConfig
    from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder
    from jepa_explorer.models.factory import new_jepa

    torch.manual_seed(0)
    enc = ViTConfig(img_size=16, patch_size=8, num_frames=6, tubelet_size=2, embed_dim=32, depth=1, num_heads=2, video=True)
    session = Session(new_jepa(enc))
    frames = (np.random.default_rng(1).random((6, 16, 16, 3)) * 255).astype(np.uint8)
    session.set_input(frames)
    decoder = PatchDecoder(DecoderConfig(embed_dim=32, hidden_dim=16, depth=1, patch_size=8, tubelet_size=2, reference=True))
    # untrained, it copies: every future frame decodes to the last context frame (frame 1), exactly
    out = compare_pixels(session, session.predict(future(session.grid_shape, context_steps=1)), decoder=decoder.eval())
    assert out.decoded_with_reference and frame_of(out, 4).decoded_with_reference
    for name in ("decoded_prediction", "decoded_actual"):
        for t in range(2, 6):
            np.testing.assert_allclose(out.images[name][t].astype(int), frames[1].astype(int), atol=1)
    # a patch no context step shows has no reference: it is decoded from its embedding alone (the mean colour at init)
    context = np.ones((3, 2, 2), dtype=bool)
    context[:, 0, 0] = False  # the top-left patch is hidden in every step ...
    target = np.zeros((3, 2, 2), dtype=bool)
    target[2, 0, 0] = target[2, 1, 1] = True  # ... and one target is there, the other below a visible patch
    masks = PatchMasks(context=context & ~target, targets=[target])
    out = compare_pixels(session, session.predict(masks), decoder=decoder)
    decoded = out.images["decoded_prediction"]
    np.testing.assert_allclose(decoded[4:, 8:, 8:].astype(int), np.stack([frames[3, 8:, 8:]] * 2).astype(int), atol=1)
    mean_colour = (np.array(session.model.config.mean) * 255).round()
    np.testing.assert_allclose(decoded[4:, :8, :8].reshape(-1, 3), np.tile(mean_colour, (128, 1)), atol=1)
