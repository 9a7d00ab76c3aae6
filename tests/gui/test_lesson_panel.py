"""The lesson panel, driven by keys as a lecturer would: chapters, classification feedback, flashcards,
the scope test, set-ups through a host, and the progress file that results."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from jepa_explorer.errors import LessonError
from jepa_explorer.gui.lesson import LessonPanel
from jepa_explorer.lesson.loader import bundled_content_dir, load_lesson
from jepa_explorer.lesson.names import PANELS, PRESETS
from jepa_explorer.lesson.progress import Progress
from tests.lesson.conftest import RecordingHost


@pytest.fixture(scope="module")
def lesson():
    return load_lesson(bundled_content_dir())


@pytest.fixture
def progress_path(tmp_path):
    return tmp_path / "progress.json"


@pytest.fixture
def panel(qtbot, lesson, progress_path):
    widget = LessonPanel(lesson, Progress.load(progress_path), host=RecordingHost())
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.activateWindow()
    qtbot.waitActive(widget)  # focus moves only inside the active window
    widget.setFocus()
    return widget


def saved(path):
    return json.loads(path.read_text())


def test_lesson_names_match_the_windows_presets_and_docks():
    from jepa_explorer.app.presets import PRESETS as WINDOW_PRESETS
    from jepa_explorer.gui.main_window import DOCKS

    assert PRESETS == tuple(preset.key for preset in WINDOW_PRESETS)
    assert tuple(key for key, _title in DOCKS) == PANELS


def test_keys_change_chapter_and_progress_remembers_it(qtbot, panel, lesson, progress_path):
    assert panel.section == "chapters" and panel.positions["chapters"] == 0
    qtbot.keyClick(panel, Qt.Key_PageDown)
    qtbot.keyClick(panel, Qt.Key_Right)
    assert panel.positions["chapters"] == 2
    assert panel.pages["chapters"].body.itemAt(1).widget().text() == lesson.chapters[2].title
    qtbot.keyClick(panel, Qt.Key_Left)
    assert saved(progress_path)["chapter"] == "jepa-loop"
    for _ in range(10):  # stays on the last chapter
        qtbot.keyClick(panel, Qt.Key_PageDown)
    assert panel.positions["chapters"] == 4
    # a new panel opens where the learner left off
    again = LessonPanel(lesson, Progress.load(progress_path))
    qtbot.addWidget(again)
    assert again.positions["chapters"] == 4


def test_enter_sets_the_chapter_up_through_the_host(qtbot, panel):
    with qtbot.waitSignal(panel.setupApplied) as signal:
        qtbot.keyClick(panel, Qt.Key_Return)
    assert signal.args == ["surface-tax", 0]
    assert panel.host.calls[:2] == [("choose_model", "ijepa-tiny"), ("open_sample", "heldout_life.jpg")]
    assert ("set_mode", "surface-tax") in panel.host.calls
    qtbot.keyClick(panel, Qt.Key_2)
    assert panel.host.calls[-4] == ("open_sample", "procedural_dead_leaves.png")
    assert panel.pages["chapters"].status.text() == "Set up: The same on a procedural texture, MAE's own masks"


def test_without_a_host_the_panel_says_so(qtbot, lesson, progress_path):
    widget = LessonPanel(lesson, Progress.load(progress_path))
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.setupRequested):
        widget.keyPressEvent(QKeyEvent(QEvent.KeyPress, Qt.Key_1, Qt.NoModifier))
    assert widget.pages["chapters"].status.text().startswith("Not connected to the app's window")


def test_classification_feedback_and_explanation(qtbot, panel, lesson, progress_path):
    qtbot.keyClick(panel, Qt.Key_2, Qt.ControlModifier)
    assert panel.section == "classification"
    mae = next(i for i, c in enumerate(lesson.cards) if c.id == "mae")
    panel.show_item(mae)
    page = panel.pages["classification"]
    qtbot.keyClick(panel, Qt.Key_1)  # raw outputs: right
    assert "Compares: ✓ right" in page.feedback.text() and page.explanation.text() == ""
    qtbot.keyClick(panel, Qt.Key_4)  # semantic: wrong, MAE is biased toward surface detail
    assert "Biased toward: ✗ not quite: surface detail" in page.feedback.text()
    assert page.explanation.text() == lesson.cards[mae].explanation
    assert page.buttons[("bias", "surface")].property("state") == "right"
    assert page.buttons[("bias", "semantic")].property("state") == "wrong"
    assert saved(progress_path)["classification"]["mae"] == {"answer": "raw", "bias": "semantic", "correct": False}
    assert page.header.text().endswith("0 of 1 answered right")
    qtbot.keyClick(panel, Qt.Key_L)  # the live comparison: the surface-tax chapter's set-up
    assert panel.host.calls[-1] == ("show_panel", "pixels") and ("set_mode", "surface-tax") in panel.host.calls


def test_flashcards_flip_and_progress_is_saved(qtbot, panel, progress_path):
    qtbot.keyClick(panel, Qt.Key_4, Qt.ControlModifier)
    page = panel.pages["flashcards"]
    card = page.card
    assert card.term in page.card_label.text() and card.definition not in page.card_label.text()
    qtbot.keyClick(panel, Qt.Key_Space)
    assert page.flipped and "<p>" in page.card_label.text()
    qtbot.keyClick(panel, Qt.Key_K)
    assert page.card is not card and not page.flipped
    again = page.card
    qtbot.keyClick(panel, Qt.Key_A)
    assert saved(progress_path)["flashcards"] == {
        card.id: {"known": True, "reviews": 1},
        again.id: {"known": False, "reviews": 1},
    }
    assert page.body.itemAt(0).widget().text().endswith("1 known")


def test_scope_answer_then_model_answer(qtbot, panel, lesson, progress_path):
    qtbot.keyClick(panel, Qt.Key_3, Qt.ControlModifier)
    page = panel.pages["scope"]
    assert page.answer_box.isHidden()
    qtbot.keyClick(panel, Qt.Key_W)
    assert page.editor.hasFocus()
    qtbot.keyClicks(page.editor, "held-out crops, 1 vs 2")  # digits go into the text, not to the answer keys
    qtbot.keyClick(page.editor, Qt.Key_Return, Qt.ControlModifier)
    assert not page.answer_box.isHidden() and panel.hasFocus()
    assert saved(progress_path)["scope"] == {lesson.claims[0].id: "held-out crops, 1 vs 2"}
    assert panel.section == "scope"


def test_panel_claims_its_keys_before_window_shortcuts(panel):
    """ShortcutOverride accepted: in the main window, 1 answers a card instead of applying preset 1."""
    for key, mods, claimed in [
        (Qt.Key_1, Qt.NoModifier, True),
        (Qt.Key_PageDown, Qt.NoModifier, True),
        (Qt.Key_2, Qt.ControlModifier, True),
        (Qt.Key_F5, Qt.NoModifier, False),  # the step-through stays the window's
        (Qt.Key_O, Qt.ControlModifier, False),
    ]:
        event = QKeyEvent(QEvent.ShortcutOverride, key, mods)
        event.ignore()
        panel.event(event)
        assert event.isAccepted() == claimed, (key, mods)


def test_open_reads_content_and_progress_or_names_the_bad_line(qtbot, tmp_path):
    widget = LessonPanel.open(folder=bundled_content_dir(), progress_path=tmp_path / "p.json", scale=1.6)
    qtbot.addWidget(widget)
    assert widget.pages["flashcards"].count == 18 and widget.scale == 1.6
    assert json.loads((tmp_path / "p.json").read_text())["chapter"] == "surface-tax"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "cards.toml").write_text('[[card]]\nid = "x"\n')
    with pytest.raises(LessonError, match=r"cards\.toml:1: this card has no 'method'"):
        LessonPanel.open(folder=bad, progress_path=tmp_path / "p.json")
