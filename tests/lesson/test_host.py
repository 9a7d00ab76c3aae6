"""Chapter set-ups reach the app only through LessonHost, in an order that leaves the described state."""

from __future__ import annotations

import pytest

from jepa_explorer.lesson.host import LessonHost, apply_setup, describe_setup
from jepa_explorer.lesson.loader import bundled_content_dir, load_lesson
from jepa_explorer.lesson.names import MODES, PANELS, PRESETS


@pytest.fixture(scope="module")
def lesson():
    return load_lesson(bundled_content_dir())


def test_surface_tax_set_up_calls_the_host_in_order(lesson, host):
    assert isinstance(host, LessonHost)
    setup = apply_setup(lesson.chapter("surface-tax"), host)
    assert host.calls == [
        ("choose_model", "ijepa-tiny"),
        ("open_sample", "heldout_life.jpg"),
        ("apply_preset", "multiblock"),
        ("set_mode", "surface-tax"),
        ("show_panel", "pixels"),
    ]
    assert setup.label == "MAE vs I-JEPA on a photograph"


def test_step_through_starts_last(lesson, host):
    apply_setup(lesson.chapter("jepa-loop"), host)
    assert host.calls[-2:] == [("show_panel", "pixels"), ("start_step_through",)]
    assert host.calls.count(("start_step_through",)) == 1


def test_second_set_up_of_a_chapter(lesson, host):
    apply_setup(lesson.chapter("ijepa-vs-vjepa"), host, index=2)
    assert host.calls[:3] == [("choose_model", "vjepa-tiny"), ("open_sample", "sprites.mp4"), ("apply_preset", "future")]
    assert ("set_mode", "video") in host.calls


def test_every_chapter_set_up_uses_known_vocabulary(lesson, host):
    for chapter in lesson.chapters:
        for index, setup in enumerate(chapter.setups):
            host.calls.clear()
            apply_setup(chapter, host, index)
            called = dict(c for c in host.calls if len(c) == 2 and c[0] != "set_mode")
            assert called["apply_preset"] in PRESETS and called["show_panel"] in PANELS
            assert ("set_mode", setup.mode) in host.calls and setup.mode in MODES
            assert setup.model in describe_setup(setup) and setup.sample in describe_setup(setup)


def test_a_set_up_index_out_of_range_is_refused(lesson, host):
    with pytest.raises(IndexError):
        apply_setup(lesson.chapter("scope-test"), host, index=5)
    assert host.calls == []
