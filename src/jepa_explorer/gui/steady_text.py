"""SteadyText: a line (or a few wrapped lines) of text that changes often without moving anything else.

A QLabel asks its parent layouts to recompute whenever its text changes, and that request climbs to the
main window: during a brush stroke every new count or figure re-laid out the window and repainted every
dock in the same event-loop pass as the new prediction (the longest UI stalls, measured with an event
log). This widget's size comes from the room it reserves (a template text, a number of lines), never
from its text, so a new text repaints this widget alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN = 2  # px above and below the text, as a QLabel has in a layout


class SteadyText(QWidget):
    def __init__(self, text: str = "", template: str | None = None, wrap: bool = False, parent=None):
        """`template`: the text whose room the widget asks for (default: `text`): its width, or wrapped, the
        lines it takes at the width the layout gives; `wrap`: break long text into lines (else it is elided
        with "…", the whole text in the tooltip)."""
        super().__init__(parent)
        self._text = text
        self._template = template if template is not None else text
        self._wrap = wrap
        self._color: QColor | None = None
        self._fitted = None  # ((text, size, font), the font it is drawn in)
        # wrapped text takes the width it is given and is as tall as the template needs at that width
        # (a Fixed height would cap it at one line: layouts clamp height-for-width to the maximum size)
        if wrap:
            policy = QSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        else:
            policy = QSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        policy.setHeightForWidth(wrap)
        self.setSizePolicy(policy)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self._fit_tooltip()
            self.update()

    def set_color(self, color: str | QColor | None) -> None:
        """The text colour (None: the palette's); cheaper than a style sheet, which re-polishes the widget."""
        color = QColor(color) if color is not None else None
        if color != self._color:
            self._color = color
            self.update()

    # ------------------------------------------------------------------ QWidget

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = metrics.horizontalAdvance(self._template) + 2 * MARGIN
        return QSize(width, metrics.lineSpacing() + 2 * MARGIN)

    def heightForWidth(self, width: int) -> int:
        if not self._wrap:
            return self.sizeHint().height()
        metrics = self.fontMetrics()
        inner = QRect(0, 0, max(1, width - 2 * MARGIN), 1 << 20)
        needed = metrics.boundingRect(inner, WRAP_FLAGS, self._template).height()
        return max(needed, metrics.lineSpacing()) + 2 * MARGIN

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.sizeHint().height())

    def _fit_tooltip(self) -> None:
        # an elided text stays readable in full under the mouse
        if not self._wrap:
            cut = self.fontMetrics().horizontalAdvance(self._text) > self.contentsRect().width() - 2 * MARGIN
            self.setToolTip(self._text if cut else "")

    def resizeEvent(self, event) -> None:
        self._fit_tooltip()
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):
            self.updateGeometry()  # a new font size (presentation mode) changes the room the text needs
        super().changeEvent(event)

    def paintEvent(self, _event) -> None:
        if not self._text:
            return
        painter = QPainter(self)
        painter.setPen(self._color if self._color is not None else self.palette().color(self.foregroundRole()))
        rect = self.contentsRect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        if self._wrap:
            key = (self._text, rect.size().toTuple(), self.font().key())
            if self._fitted is None or self._fitted[0] != key:  # measuring wrapped text costs more than drawing it
                self._fitted = (key, fitting_font(self.font(), rect, self._text))
            painter.setFont(self._fitted[1])
            painter.drawText(rect, WRAP_FLAGS, self._text)
        else:
            shown = self.fontMetrics().elidedText(self._text, Qt.ElideRight, rect.width())
            painter.drawText(rect, Qt.AlignLeft | Qt.AlignVCenter, shown)
        painter.end()


WRAP_FLAGS = Qt.AlignLeft | Qt.AlignVCenter | Qt.TextWordWrap


def fitting_font(font: QFont, rect: QRect, text: str, smallest: float = 0.6) -> QFont:
    """`font`, or a smaller size of it (down to `smallest` of it) at which the wrapped text fits in `rect`:
    a long sentence in large type (presentation mode) stays whole in the lines reserved for it."""
    size = font.pointSizeF()
    if size <= 0:  # a pixel-sized font: leave it as it is
        return font
    fitted = QFont(font)
    steps = max(0, round((1.0 - smallest) / 0.1))
    for step in range(1, steps + 1):  # 90%, 80%, ... of the size, until it fits
        if QFontMetrics(fitted).boundingRect(rect, WRAP_FLAGS, text).height() <= rect.height():
            break
        fitted.setPointSizeF(size * (1.0 - 0.1 * step))
    return fitted
