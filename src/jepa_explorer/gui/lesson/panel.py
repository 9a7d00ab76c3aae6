"""The lesson panel: the five chapters and the three exercises, driven from the keyboard.

Keys (also on a presentation clicker, which sends PageUp / PageDown):
  Right / PageDown, Left / PageUp   next / previous chapter, card, claim or flashcard
  Ctrl+1 … Ctrl+4                    chapters, classification, scope test, flashcards
  chapter page: Enter or 1-3 sets the app up; X opens the chapter's exercise
  classification: 1 raw outputs, 2 representations, 3 surface detail, 4 semantic structure; L shows it live
  scope test: W writes (into the text box), Ctrl+Enter or Enter reveals the model answer, Esc leaves the box
  flashcards: Space flips, K known, A again

The panel keeps the keyboard focus (its buttons never take it) and claims its keys before the main window's
shortcuts (ShortcutOverride), so a preset key such as 1 answers a card while the lesson has the focus.
Set-ups go through a ``LessonHost`` (``set_host``); without one the panel only emits ``setupRequested``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from jepa_explorer.errors import JepaError
from jepa_explorer.gui import style
from jepa_explorer.gui.lesson.pages import ChapterPage, ClassifyPage, FlashcardPage, ScopePage
from jepa_explorer.gui.lesson.widgets import MAX_COLUMN_PX, button, label
from jepa_explorer.lesson.host import LessonHost, apply_setup, describe_setup
from jepa_explorer.lesson.model import Lesson
from jepa_explorer.lesson.progress import Progress

SECTIONS = ("chapters", "classification", "scope", "flashcards")
# short: two buttons a row fit the lesson dock at 1024 px
SECTION_LABELS = {"chapters": "Chapters", "classification": "Classify", "scope": "Scope", "flashcards": "Cards"}
SECTION_TITLES = {
    "chapters": "Chapters",
    "classification": "Generative or JEPA?",
    "scope": "Scope test",
    "flashcards": "Flashcards",
}
NEXT_KEYS = (Qt.Key_Right, Qt.Key_PageDown)
PREV_KEYS = (Qt.Key_Left, Qt.Key_PageUp)
SECTION_KEYS = {Qt.Key_1: 0, Qt.Key_2: 1, Qt.Key_3: 2, Qt.Key_4: 3}
PAGE_KEYS = (Qt.Key_1, Qt.Key_2, Qt.Key_3, Qt.Key_4, Qt.Key_Return, Qt.Key_Enter, Qt.Key_Space, Qt.Key_K, Qt.Key_A)
PAGE_KEYS += (Qt.Key_L, Qt.Key_X, Qt.Key_W)


def stylesheet(scale: float) -> str:
    """Large type for a projector; `scale` multiplies every size (1.0 = readable at the back of a room at 1080p)."""

    def pt(size: float) -> str:
        return f"{size * scale:.1f}pt"

    return f"""
    QWidget#lessonPanel, QWidget#lessonPanel QWidget {{ font-size: {pt(15)}; }}
    #lessonPanel QLabel {{ background: transparent; }}
    #lessonPanel QLabel[role="title"] {{ font-size: {pt(24)}; font-weight: bold; }}
    #lessonPanel QLabel[role="heading"] {{ font-size: {pt(16)}; font-weight: bold; color: #9cc3ff; }}
    #lessonPanel QLabel[role="muted"] {{ font-size: {pt(12)}; color: {style.MUTED}; }}
    #lessonPanel QLabel[role="status"] {{ font-size: {pt(13)}; color: {style.WARN}; }}
    #lessonPanel QLabel[role="lessonTitle"] {{ font-size: {pt(13)}; color: {style.MUTED}; }}
    #lessonPanel QLabel[role="flashcard"] {{ font-size: {pt(26)}; background: #2c3242; border: 2px solid #4a5a80;
                                border-radius: 12px; padding: 24px; }}
    #lessonPanel QLabel[role="flashcard"][side="back"] {{ font-size: {pt(18)}; background: #263a2e; border-color: #4f8a5f; }}
    #lessonPanel QPushButton {{ font-size: {pt(14)}; padding: 8px 14px; text-align: left; }}
    #lessonPanel QPushButton[role="section"] {{ font-size: {pt(13)}; text-align: center; }}
    #lessonPanel QPushButton[role="section"][current="true"] {{ background: #3b5b9a; border-color: #5a7bc0; }}
    #lessonPanel QPushButton[role="setup"] {{ background: #1d3557; border: 1px solid #5aa0ff; font-weight: bold; }}
    #lessonPanel QPushButton[state="right"] {{ background: #24543a; border-color: {style.GOOD}; }}
    #lessonPanel QPushButton[state="wrong"] {{ background: #5a2a26; border-color: {style.BAD}; }}
    #lessonPanel QFrame#modelAnswer {{ background: #262d3a; border-left: 6px solid #5aa0ff; border-radius: 6px; }}
    #lessonPanel QPlainTextEdit {{ background: #2a2c33; border: 1px solid #4a4d56; border-radius: 4px; }}
    """


class LessonPanel(QWidget):
    setupRequested = Signal(str, int)  # chapter id, set-up index: emitted for every set-up, with or without a host
    setupApplied = Signal(str, int)  # ... once the host has done it
    sectionChanged = Signal(str)
    itemChanged = Signal(str, int)  # section, index

    def __init__(
        self, lesson: Lesson, progress: Progress, host: LessonHost | None = None, scale: float = 1.0, parent=None
    ) -> None:
        super().__init__(parent)
        self.lesson, self.progress, self.host = lesson, progress, host
        self.setObjectName("lessonPanel")
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.positions = {name: 0 for name in SECTIONS}
        self.section = "chapters"

        self.pages = {
            "chapters": ChapterPage(lesson),
            "classification": ClassifyPage(lesson, progress),
            "scope": ScopePage(lesson, progress),
            "flashcards": FlashcardPage(lesson, progress),
        }
        self.pages["chapters"].setupRequested.connect(self.set_up)
        self.pages["chapters"].exerciseRequested.connect(self.show_section)
        self.pages["classification"].liveRequested.connect(lambda chapter_id: self.set_up(chapter_id, 0))
        self.pages["scope"].liveRequested.connect(lambda chapter_id: self.set_up(chapter_id, 0))

        self.section_buttons = {}
        top = QHBoxLayout()
        top.setContentsMargins(16, 8, 16, 0)
        self.section_grid = QGridLayout()  # one row, or two when the panel is narrow (a dock beside the canvas)
        self.section_grid.setSpacing(6)
        self.section_columns = 0
        top.addLayout(self.section_grid)
        for i, name in enumerate(SECTIONS):
            count = self.pages[name].count
            b = button(f"{SECTION_LABELS[name]} ({count})", f"{SECTION_TITLES[name]}: {count} (Ctrl+{i + 1})")
            b.setProperty("role", "section")
            b.setMinimumWidth(40)  # may shrink below its text in a narrow dock; two rows first (resizeEvent)
            b.clicked.connect(lambda _=False, name=name: self.show_section(name))
            self.section_buttons[name] = b
        self._arrange_sections(len(SECTIONS))
        top.addStretch(1)
        self.title_label = label(lesson.title, "lessonTitle")
        self.stack = QStackedWidget()
        for name in SECTIONS:
            self.stack.addWidget(self.pages[name])
        self.footer = label("", "muted")
        self.status = label(progress.notice, "status")
        nav = QHBoxLayout()
        nav.setContentsMargins(16, 0, 16, 8)
        nav.addWidget(button("◀  Previous", "Previous (Left / PageUp)", lambda: self.step(-1)))
        nav.addWidget(self.footer, 1)
        nav.addWidget(button("Next  ▶", "Next (Right / PageDown)", lambda: self.step(+1)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        header = QVBoxLayout()
        header.setContentsMargins(16, 8, 16, 0)
        header.addWidget(self.title_label)
        layout.addLayout(header)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)
        layout.addLayout(nav)
        self._editor_filter = _EditorKeys(self)
        self.set_scale(scale)

        start = lesson.chapter(progress.chapter)
        self.positions["chapters"] = lesson.chapters.index(start) if start else 0
        self.show_section("chapters")

    @classmethod
    def open(cls, host: LessonHost | None = None, folder=None, progress_path=None, scale: float = 1.0) -> LessonPanel:
        """The panel on a content folder (default: $JEPA_EXPLORER_LESSON or the bundled lesson) and the user's
        saved progress. Raises LessonError, whose message names each problem's file and line, for bad content."""
        from jepa_explorer.lesson.loader import load_lesson

        return cls(load_lesson(folder), Progress.load(progress_path), host=host, scale=scale)

    # ------------------------------------------------------------ public

    def set_host(self, host: LessonHost | None) -> None:
        self.host = host

    def set_scale(self, scale: float) -> None:
        """Type size for the room: 1.0 normal, larger for presentation mode."""
        self.scale = scale
        self.setStyleSheet(stylesheet(scale))
        for page in self.pages.values():
            page.set_column_width(round(MAX_COLUMN_PX * scale))

    def show_section(self, name: str) -> None:
        if name not in SECTIONS or self.pages[name].count == 0:
            return
        self.section = name
        for key, b in self.section_buttons.items():
            b.setProperty("current", "true" if key == name else "false")
            b.style().unpolish(b)
            b.style().polish(b)
        self.stack.setCurrentWidget(self.pages[name])
        self.show_item(self.positions[name])
        self.sectionChanged.emit(name)

    def show_item(self, index: int) -> None:
        page = self.pages[self.section]
        index = max(0, min(index, page.count - 1))
        self.positions[self.section] = index
        page.show(index)
        page.verticalScrollBar().setValue(0)
        if self.section == "scope":
            page.editor.installEventFilter(self._editor_filter)
        if self.section == "chapters":
            self.progress.visit(self.lesson.chapters[index].id)
        noun = {"chapters": "chapter", "classification": "card", "scope": "claim", "flashcards": "card"}[self.section]
        self.footer.setText(f"{noun} {index + 1} / {page.count}  ·  ←/→ PgUp/PgDn  ·  Ctrl+1…4")
        self.footer.setAlignment(Qt.AlignCenter)
        self.status.setText(self.progress.notice)  # a set-up's message belongs to the item it came from
        self.itemChanged.emit(self.section, index)

    def step(self, delta: int) -> None:
        self.show_item(self.positions[self.section] + delta)

    def set_up(self, chapter_id: str, index: int = 0) -> None:
        """Apply a chapter's set-up through the host and say what was done (or why not)."""
        chapter = self.lesson.chapter(chapter_id)
        if chapter is None or index >= len(chapter.setups):
            return
        self.setupRequested.emit(chapter_id, index)
        page = self.pages["chapters"]
        if self.host is None:
            text = "Not connected to the app's window: the set-up would be " + describe_setup(chapter.setups[index])
        else:
            try:
                setup = apply_setup(chapter, self.host, index)
            except JepaError as e:
                text = f"Could not set up: {e}"
            else:
                text = f"Set up: {setup.label}"
                self.setupApplied.emit(chapter_id, index)
        if self.section == "chapters":  # beside the buttons; the panel's own line is for the other pages
            page.status.setText(text)
        else:
            self.status.setText(text)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        one_row = sum(b.sizeHint().width() + 6 for b in self.section_buttons.values()) + 32
        self._arrange_sections(len(SECTIONS) if self.width() >= one_row else 2)

    def _arrange_sections(self, columns: int) -> None:
        if columns == self.section_columns:
            return
        self.section_columns = columns
        for i, b in enumerate(self.section_buttons.values()):
            self.section_grid.removeWidget(b)
            self.section_grid.addWidget(b, i // columns, i % columns)

    # ------------------------------------------------------------ keys

    def event(self, event) -> bool:
        # claim the lesson's keys before the window's shortcuts (presets 1-7, P, M, …) see them
        if event.type() == QEvent.ShortcutOverride and self._handles(event):
            event.accept()
            return True
        return super().event(event)

    def _handles(self, event) -> bool:
        key, mods = event.key(), event.modifiers()
        if mods & Qt.ControlModifier:
            return key in SECTION_KEYS
        return key in NEXT_KEYS or key in PREV_KEYS or key in PAGE_KEYS

    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        if mods & Qt.ControlModifier and key in SECTION_KEYS:
            self.show_section(SECTIONS[SECTION_KEYS[key]])
        elif key in NEXT_KEYS:
            self.step(+1)
        elif key in PREV_KEYS:
            self.step(-1)
        elif not self.pages[self.section].key(key):
            super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:
        self.setFocus()  # a click anywhere gives the keys back to the lesson
        super().mousePressEvent(event)


class _EditorKeys(QObject):
    """In the scope test's text box: Ctrl+Enter reveals the model answer, Esc hands the keys back to the panel."""

    def __init__(self, panel: LessonPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.KeyPress:
            if event.key() in (Qt.Key_Return, Qt.Key_Enter) and event.modifiers() & Qt.ControlModifier:
                self.panel.pages["scope"].reveal()
                self.panel.setFocus()
                return True
            if event.key() == Qt.Key_Escape:
                self.panel.setFocus()
                return True
        return False
