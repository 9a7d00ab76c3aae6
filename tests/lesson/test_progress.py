"""Progress is kept in the user's data folder, survives a restart, and is written atomically."""

from __future__ import annotations

import json
import os

from jepa_explorer.lesson.progress import Progress, data_dir, default_progress_path


def test_round_trip(tmp_path):
    path = tmp_path / "deep" / "progress.json"
    progress = Progress.load(path)
    progress.visit("jepa-loop")
    progress.answer_card("mae", "raw", "semantic", correct=False)
    progress.answer_claim("no-collapse", "rank 32.8 vs random 59.3")
    progress.mark_flashcard("ema", known=False)
    progress.mark_flashcard("ema", known=True)
    again = Progress.load(path)
    assert again.chapter == "jepa-loop" and again.visited == ["jepa-loop"]
    assert again.classification == {"mae": {"answer": "raw", "bias": "semantic", "correct": False}}
    assert again.scope == {"no-collapse": "rank 32.8 vs random 59.3"}
    assert again.flashcards == {"ema": {"known": True, "reviews": 2}}
    assert again.known_flashcards() == {"ema"}
    assert os.listdir(path.parent) == ["progress.json"]  # no temporary file left behind


def test_replace_is_atomic(tmp_path, monkeypatch):
    """If the rename never happens (a crash), the old file is intact and the temporary file is gone."""
    path = tmp_path / "progress.json"
    Progress.load(path).visit("surface-tax")
    before = path.read_text()

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    progress = Progress.load(path)
    progress.visit("jepa-loop")
    assert path.read_text() == before
    assert "cannot save the lesson progress (No space left on device)" in progress.notice
    assert os.listdir(tmp_path) == ["progress.json"]


def test_damaged_file_is_set_aside(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("{not json")
    progress = Progress.load(path)
    assert progress.chapter == "" and "could not be read" in progress.notice
    assert (tmp_path / "progress.json.damaged").read_text() == "{not json"
    progress.visit("world-model")
    assert json.loads(path.read_text())["chapter"] == "world-model"


def test_default_location_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("JEPA_EXPLORER_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert data_dir() == tmp_path / "jepa-explorer"
    assert default_progress_path() == tmp_path / "jepa-explorer" / "lesson-progress.json"
    monkeypatch.setenv("JEPA_EXPLORER_DATA", str(tmp_path / "mine"))
    assert default_progress_path() == tmp_path / "mine" / "lesson-progress.json"
