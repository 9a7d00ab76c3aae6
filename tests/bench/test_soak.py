"""The soak bench: with the live-model cache a run loads and traces each checkpoint once, without it once
per switch; the report carries the memory figures."""

from jepa_explorer.bench.soak import run_soak


def test_soak_reports_loads_and_memory(ijepa_fixture_path, vjepa_fixture_path):
    kwargs = dict(
        switches=2, edits=1, warmup=1, image_checkpoint=str(ijepa_fixture_path), video_checkpoint=str(vjepa_fixture_path)
    )
    cached = run_soak(cache=True, **kwargs)
    assert cached["loads_and_traces"] == 2 and cached["switches"] == 2
    assert len(cached["rss_mb_per_round"]) == 2 and cached["rss_drift_mb"] is not None
    assert abs(cached["rss_drift_mb"] - (cached["rss_mb_end"] - cached["rss_mb_after_warmup"])) < 0.11  # rounded to 0.1 MB
    assert run_soak(cache=False, **kwargs)["loads_and_traces"] == 4
