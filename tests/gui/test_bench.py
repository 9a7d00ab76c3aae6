"""The GUI responsiveness benchmark runs a real stroke and reports stalls and update rate (never asserted as times)."""


def test_gui_bench_reports(qtbot, ijepa_fixture_path):
    from jepa_explorer.gui.bench import TARGETS, run_gui_bench

    report = run_gui_bench(str(ijepa_fixture_path), steps=12, step_ms=15, timeout_s=120)
    for key in ("gui_first_paint_s", "gui_max_stall_ms", "gui_updates_per_s"):
        assert report[key] > 0
    assert report["gui_updates"] >= 1
    assert set(report["gui_targets"]) == set(TARGETS)
