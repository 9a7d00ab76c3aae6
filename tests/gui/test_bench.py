"""The GUI responsiveness benchmark runs a real stroke and reports stalls and update rate (never asserted as
times); the GUI soak reports memory over photo<->clip switches."""

import pytest


def test_gui_bench_reports(qtbot, ijepa_fixture_path):
    from jepa_explorer.bench.gui import TARGETS, run_gui_bench

    report = run_gui_bench(str(ijepa_fixture_path), rows=1, step_ms=15, timeout_s=120, strokes=2)
    for key in ("gui_first_paint_s", "gui_max_stall_ms", "gui_updates_per_s"):
        assert report[key] > 0
    assert report["gui_strokes"] == 2
    assert len(report["gui_max_stall_ms_per_stroke"]) == len(report["gui_updates_per_s_per_stroke"]) == 2
    assert report["gui_max_stall_ms"] == max(report["gui_max_stall_ms_per_stroke"])
    assert report["gui_updates_per_s"] == min(report["gui_updates_per_s_per_stroke"])
    over = sum(stall > TARGETS["gui_max_stall_ms"] for stall in report["gui_max_stall_ms_per_stroke"])
    assert report["gui_strokes_over_stall_target"] == over
    assert 0 <= report["gui_longest_stall_ui_cpu_ms"] <= report["gui_max_stall_ms"] + 1  # CPU time within the wall time
    steal = report["gui_host_steal_pct"]
    assert steal is None or 0 <= steal <= 100
    assert report["gui_updates"] >= 2  # each stroke showed a prediction
    assert set(report["gui_targets"]) == set(TARGETS)
    assert report["gui_edits"] >= 1 and report["gui_stroke_moves"] == 8 * 4


def test_serpentine_enters_every_patch_of_its_rows_once_in_order(qapp):
    from jepa_explorer.bench.gui import serpentine

    points = serpentine(rows=3, width=5)
    cells = [(int(p.y()), int(p.x())) for p in points]
    entered = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]
    assert entered == [(0, c) for c in range(5)] + [(1, c) for c in reversed(range(5))] + [(2, c) for c in range(5)]
    assert len(points) == 3 * 5 * 4 + 2 * 3  # a quarter patch per move, three moves down between rows


def test_gui_soak_reports_memory_per_round_and_traces_each_model_once(qtbot):
    from jepa_explorer.bench.gui_soak import run_gui_soak
    from jepa_explorer.resources import default_checkpoint, default_video_checkpoint, sample_clips

    if default_checkpoint() is None or default_video_checkpoint() is None or not sample_clips():
        pytest.skip("needs the bundled image and video models and a clip")
    report = run_gui_soak(switches=2, edits=1, warmup=1)
    assert report["errors"] == [] and report["loads_and_traces"] == 2
    assert len(report["rss_mb_per_round"]) == 2
    assert abs(report["rss_drift_mb"] - (report["rss_mb_end"] - report["rss_mb_after_warmup"])) < 0.11
