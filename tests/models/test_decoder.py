"""The embedding-to-pixel decoder, with and without a reference frame."""

import pytest
import torch

from jepa_explorer.models.decoder import DecoderConfig, PatchDecoder


def _decoder(**kw) -> PatchDecoder:
    torch.manual_seed(0)
    return PatchDecoder(DecoderConfig(embed_dim=16, hidden_dim=24, depth=1, patch_size=2, tubelet_size=2, **kw))


def test_a_plain_decoder_reads_the_embedding_alone():
    dec = _decoder()
    out = dec(torch.randn(5, 16))
    assert out.shape == (5, 2 * 2 * 2 * 3)
    assert [k for k in dec.state_dict() if k.startswith("net.0")] == ["net.0.weight", "net.0.bias"]  # old bundles load


def test_an_untrained_reference_decoder_copies_the_reference_into_every_frame_of_the_token():
    dec = _decoder(reference=True)
    reference = torch.randn(5, 12)
    out = dec(torch.randn(5, 16), reference, torch.tensor([True, True, False, True, False]))
    assert torch.equal(out[0], torch.cat([reference[0], reference[0]]))  # pixels are (frame, row, col, channel)
    assert torch.equal(out[2], torch.zeros(24))  # no reference: the embedding alone (zero at init)
    assert torch.equal(dec(torch.randn(5, 16)), torch.zeros(5, 24))  # none given at all


def test_a_trained_reference_decoder_also_reads_the_embedding_and_ignores_an_absent_reference():
    dec = _decoder(reference=True)
    torch.nn.init.normal_(dec.net[-1].weight)
    emb, reference = torch.randn(3, 16), torch.randn(3, 12)
    absent = torch.zeros(3, dtype=torch.bool)
    assert not torch.allclose(dec(emb, reference), dec(torch.randn(3, 16), reference))
    # an absent reference's pixels must not reach the output (they are not context)
    assert torch.equal(dec(emb, reference, absent), dec(emb, torch.randn(3, 12), absent))
    assert torch.equal(dec(emb, reference, absent), dec(emb))


@pytest.mark.parametrize("reference", [False, True])
def test_the_config_round_trips(reference):
    cfg = DecoderConfig(reference=reference)
    assert DecoderConfig(**cfg.to_dict()) == cfg
