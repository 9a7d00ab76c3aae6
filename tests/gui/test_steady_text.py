"""SteadyText: its size follows the room it reserves, never the text it shows."""

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from jepa_explorer.gui.steady_text import SteadyText, fitting_font


@pytest.fixture
def app(qapp):
    return qapp


def test_new_text_keeps_the_size(app):
    label = SteadyText("update: –", template="update: 9999 ms (model 9999 ms)")
    before = label.sizeHint()
    label.setText("update: 12 ms (model 8 ms)")
    assert label.sizeHint() == before and label.text() == "update: 12 ms (model 8 ms)"
    label.setText("a much longer text than the template ever was, by far")
    assert label.sizeHint() == before


def test_elided_text_is_whole_in_the_tooltip(app):
    label = SteadyText("short", template="short")
    label.resize(60, label.sizeHint().height())
    label.setText("a sentence far too long for sixty pixels")
    assert label.toolTip() == "a sentence far too long for sixty pixels"
    label.setText("ok")
    assert label.toolTip() == ""


def test_wrapped_text_is_as_tall_as_its_template_needs_at_the_given_width(app):
    template = "Predictor is 100% worse than the best baseline (copy nearest context)"
    label = SteadyText("", template=template, wrap=True)
    assert label.hasHeightForWidth()
    line = label.fontMetrics().lineSpacing()
    wide, narrow = label.heightForWidth(2000), label.heightForWidth(150)
    assert wide < 2 * line < narrow  # one line when wide, several when narrow
    label.setText("x")
    assert label.heightForWidth(150) == narrow  # the text shown does not change it


def test_fitting_font_shrinks_only_when_the_text_does_not_fit(app):
    font = QApplication.font()
    font.setPointSizeF(20)
    text = "Predictor beats the best baseline (mean of context) by 12%"
    assert fitting_font(font, QRect(0, 0, 2000, 200), text).pointSizeF() == 20
    smaller = fitting_font(font, QRect(0, 0, 200, 40), text)
    assert 20 * 0.6 - 1e-6 <= smaller.pointSizeF() < 20
