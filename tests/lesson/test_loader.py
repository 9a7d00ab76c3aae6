"""The validator names the file and line of each problem, and what to do; a good folder loads."""

from __future__ import annotations

import pytest

from jepa_explorer.errors import LessonError
from jepa_explorer.lesson.loader import check_folder, load_lesson
from jepa_explorer.lesson.toml_lines import key_lines

from .conftest import CHAPTER, KNOWN, write_folder

CARD = """
[[card]]
id = "mae"
method = "MAE"
predicts = "pixels"
loss_compares = "pixels with pixels"
answer = "raw"
bias = "surface"
explanation = "It reproduces pixels."
"""


def problems_of(folder):
    lesson, problems = check_folder(folder, KNOWN)
    assert lesson is None
    return [(p.file.name, p.line, p.message) for p in problems]


def test_a_good_folder_loads_with_counts(tmp_path):
    folder = write_folder(tmp_path / "ok", a=CHAPTER, b=CARD)
    lesson = load_lesson(folder, KNOWN)
    assert lesson.counts() == {"chapters": 1, "classification_cards": 1, "scope_claims": 0, "flashcards": 0}
    assert lesson.cards[0].answer_text == "raw outputs"
    assert lesson.chapters[0].source.line == 1 and lesson.cards[0].source.line == 1


def test_syntax_error_names_its_line(tmp_path):
    folder = write_folder(tmp_path / "bad", cards=CARD.replace('bias = "surface"', 'bias = "surface'))
    [(name, line, message)] = problems_of(folder)
    assert (name, line) == ("cards.toml", 7) and "not valid TOML" in message


def test_missing_key_points_at_its_entry(tmp_path):
    text = CARD + CARD.replace('id = "mae"', 'id = "mae2"').replace('explanation = "It reproduces pixels."\n', "")
    folder = write_folder(tmp_path / "bad", cards=text)
    [(name, line, message)] = problems_of(folder)
    assert (name, line) == ("cards.toml", 10)  # the second [[card]] header
    assert "no 'explanation'" in message and "add explanation" in message


def test_bad_answer_and_unknown_key_name_their_lines(tmp_path):
    text = CARD.replace('answer = "raw"', 'answer = "pixels"').replace('bias = "surface"', 'bias = "surface"\nbais = "x"')
    folder = write_folder(tmp_path / "bad", cards=text)
    found = problems_of(folder)
    assert (
        "cards.toml",
        8,
        "unknown key 'bais' in a card; the keys are id, method, predicts, loss_compares, answer, bias, "
        "explanation, live, reference",
    ) in found
    assert any(line == 6 and "answer = 'pixels'" in msg and '"raw", "representations"' in msg for _, line, msg in found)


def test_set_up_names_are_checked_against_the_install(tmp_path):
    text = CHAPTER.replace('model = "ijepa-tiny"', 'model = "ijepa-huge"').replace('preset = "multiblock"', 'preset = "stripes"')
    folder = write_folder(tmp_path / "bad", chapters=text)
    found = problems_of(folder)
    assert [line for _, line, _ in found] == [9, 11]
    assert "model 'ijepa-huge' is not bundled; use one of ijepa-tiny, mae-tiny, vjepa-tiny" in found[0][2]
    assert "preset = 'stripes'" in found[1][2] and '"future"' in found[1][2]


def test_a_clip_on_an_image_model_and_video_presets_are_refused(tmp_path):
    text = CHAPTER.replace('sample = "heldout_chelsea.jpg"', 'sample = "sprites.mp4"').replace('"multiblock"', '"future"')
    folder = write_folder(tmp_path / "bad", chapters=text.replace('panel = "distance"', 'panel = "distance"\nmode = "world"'))
    found = problems_of(folder)
    assert [line for _, line, _ in found] == [10, 11, 13]
    assert "does not suit 'ijepa-tiny'" in found[0][2] and "needs a video model" in found[1][2] and "mode 'world'" in found[2][2]


def test_duplicate_ids_and_dangling_live_links(tmp_path):
    folder = write_folder(
        tmp_path / "bad", a=CHAPTER, b=CARD, c=CARD.replace('bias = "surface"', 'bias = "surface"\nlive = "nowhere"')
    )
    found = problems_of(folder)
    assert ("c.toml", 8, "live = 'nowhere' names no chapter; use a chapter id (one)") in found
    assert any(name == "c.toml" and line == 1 and "card id 'mae' is used twice (first at" in msg for name, line, msg in found)


def test_lines_survive_multi_line_strings(tmp_path):
    text = CARD.replace('predicts = "pixels"', 'predicts = """\nbias = "not a key, just text"\n"""').replace(
        '"surface"', '"deep"'
    )
    folder = write_folder(tmp_path / "bad", cards=text)
    [(name, line, message)] = problems_of(folder)
    assert (name, line) == ("cards.toml", 9) and message.startswith("bias = 'deep'")


def test_unknown_table_empty_and_missing_folders(tmp_path):
    folder = write_folder(tmp_path / "bad", x='[[cards]]\nid = "a"\n')
    assert problems_of(folder) == [
        ("x.toml", 1, "unknown table 'cards'; use [[chapter]], [[card]], [[claim]], [[flashcard]] or [lesson]")
    ]
    (tmp_path / "empty").mkdir()
    assert "no .toml files" in problems_of(tmp_path / "empty")[0][2]
    assert "not a folder" in problems_of(tmp_path / "absent")[0][2]


def test_too_many_sentences_in_look_at(tmp_path):
    folder = write_folder(tmp_path / "bad", a=CHAPTER.replace("Look here. Then there.", "A. B. C. D. E."))
    [(_, line, message)] = problems_of(folder)
    assert line == 5 and "5 sentences" in message


def test_load_lesson_raises_with_file_and_line(tmp_path):
    folder = write_folder(tmp_path / "bad", cards=CARD.replace('bias = "surface"', 'bias = "deep"'))
    with pytest.raises(LessonError, match=r"1 problem\(s\).*cards\.toml:7: bias = 'deep'"):
        load_lesson(folder, KNOWN)


def test_key_lines_maps_nested_array_tables():
    text = '[[chapter]]\nid = "a"\n[[chapter.setup]]\nmodel = "m"\n[[chapter.setup]]\nmodel = "n"\n[[chapter]]\n'
    text += 'measured = { input = "i" }\n'
    lines = key_lines(text)
    assert lines[("chapter", 0, "setup", 1, "model")] == 6
    assert lines[("chapter", 1)] == 7 and lines[("chapter", 1, "measured", "input")] == 8
