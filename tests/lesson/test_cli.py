"""`jepa-explorer lesson --check [DIR] [--json]`: counts, or each problem with file and line; exit 2 on problems."""

from __future__ import annotations

import json

from jepa_explorer.cli import main

from .conftest import CHAPTER, write_folder


def test_bundled_content_checks_clean(capsys):
    assert main(["lesson", "--check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["counts"] == {"chapters": 5, "classification_cards": 20, "scope_claims": 10, "flashcards": 18}


def test_text_report(capsys):
    assert main(["lesson", "--check"]) == 0
    assert "ok (5 chapters, 20 classification cards, 10 scope claims, 18 flashcards)" in capsys.readouterr().out


def test_problems_exit_2_with_file_and_line(tmp_path, capsys):
    folder = write_folder(tmp_path / "c", chapters=CHAPTER.replace('panel = "distance"', 'panel = "heatmap"'))
    assert main(["lesson", "--check", str(folder), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and "counts" not in report
    [problem] = report["problems"]
    assert problem["file"].endswith("chapters.toml") and problem["line"] == 12
    assert problem["message"].startswith("panel = 'heatmap' in a set-up; use one of")

    assert main(["lesson", "--check", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "chapters.toml:12: panel = 'heatmap'" in err[0]


def test_without_check_is_a_one_line_error(capsys):
    assert main(["lesson"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
