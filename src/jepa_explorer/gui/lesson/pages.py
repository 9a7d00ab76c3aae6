"""The lesson panel's four pages: a chapter, a classification card, a scope-test claim, a flashcard.

Each page shows one item at a time (``show(index)``) and takes the keys of its exercise (``key(key)``);
the panel owns navigation between items and pages, and the saved progress.
"""

from __future__ import annotations

import html
import random

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from jepa_explorer.gui import style
from jepa_explorer.gui.lesson.widgets import Page, button, field, label
from jepa_explorer.lesson.host import describe_setup
from jepa_explorer.lesson.model import ANSWERS, BIASES, MEASURED_FIELDS, Lesson
from jepa_explorer.lesson.progress import Progress

EXERCISE_TITLES = {"classification": "Generative or JEPA?", "scope": "Scope test", "flashcards": "Flashcards"}


class ChapterPage(Page):
    """Objective, what to look at, the named stages, and one "Set up" button per set-up (keys 1-3, Enter)."""

    setupRequested = Signal(str, int)  # chapter id, set-up index
    exerciseRequested = Signal(str)  # "classification", "scope", "flashcards"

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson
        self.index = 0
        self.setup_buttons: list = []
        self.status = label("", "muted")

    @property
    def count(self) -> int:
        return len(self.lesson.chapters)

    def show(self, index: int) -> None:
        self.clear()
        self.index = index
        chapter = self.lesson.chapters[index]
        body = self.body
        body.addWidget(label(f"Chapter {index + 1} of {self.count}", "muted"))
        body.addWidget(label(chapter.title, "title"))
        body.addWidget(field("Objective", chapter.objective))
        body.addWidget(label("What to look at", "heading"))
        body.addWidget(label(chapter.look_at))
        if chapter.stages:
            items = "".join(f"<li>{html.escape(s)}</li>" for s in chapter.stages)
            body.addWidget(label(f"<ol>{items}</ol>", rich=True))
        self.setup_buttons = []
        for i, setup in enumerate(chapter.setups):
            key = "Enter / 1" if i == 0 else str(i + 1)
            b = button(
                f"▶  Set up: {setup.label}   ({key})",
                f"{setup.label}: {describe_setup(setup)}",
                lambda _=False, i=i: self.setupRequested.emit(chapter.id, i),
                clip=True,
            )
            b.setProperty("role", "setup")
            self.setup_buttons.append(b)
            body.addWidget(b)
            body.addWidget(label(describe_setup(setup), "muted"))
        self.status = label("", "status")
        body.addWidget(self.status)
        if chapter.next:
            body.addWidget(field("Next", chapter.next))
        if chapter.exercise:
            b = button(f"Practise: {EXERCISE_TITLES[chapter.exercise]}  (X)", "Open this chapter's exercise", clip=True)
            b.clicked.connect(lambda _=False: self.exerciseRequested.emit(chapter.exercise))
            body.addWidget(b)
        body.addStretch(1)

    def key(self, key: int) -> bool:
        chapter = self.lesson.chapters[self.index]
        number = {Qt.Key_1: 0, Qt.Key_2: 1, Qt.Key_3: 2, Qt.Key_Return: 0, Qt.Key_Enter: 0}.get(key)
        if number is not None and number < len(chapter.setups):
            self.setupRequested.emit(chapter.id, number)
            return True
        if key == Qt.Key_X and chapter.exercise:
            self.exerciseRequested.emit(chapter.exercise)
            return True
        return False


class ClassifyPage(Page):
    """A training set-up; the learner answers raw outputs / representations (1, 2) and surface / semantic (3, 4)."""

    liveRequested = Signal(str)  # chapter id

    KEYS = {
        Qt.Key_1: ("answer", "raw"),
        Qt.Key_2: ("answer", "representations"),
        Qt.Key_3: ("bias", "surface"),
        Qt.Key_4: ("bias", "semantic"),
    }

    def __init__(self, lesson: Lesson, progress: Progress) -> None:
        super().__init__()
        self.lesson, self.progress = lesson, progress
        self.index = 0
        self.chosen: dict[str, str] = {}
        self.buttons: dict[tuple[str, str], QWidget] = {}
        self.feedback = label("", "feedback", rich=True)
        self.explanation = label("")
        self.header = label("", "muted")

    @property
    def count(self) -> int:
        return len(self.lesson.cards)

    def score(self) -> tuple[int, int]:
        done = [v for k, v in self.progress.classification.items() if any(c.id == k for c in self.lesson.cards)]
        return sum(1 for v in done if v.get("correct")), len(done)

    def _show_score(self) -> None:
        right, done = self.score()
        self.header.setText(f"Card {self.index + 1} of {self.count}  ·  {right} of {done} answered right")

    def show(self, index: int) -> None:
        self.clear()
        self.index, self.chosen = index, {}
        card = self.lesson.cards[index]
        body = self.body
        self.header = label("", "muted")
        body.addWidget(self.header)
        self._show_score()
        body.addWidget(label(card.method, "title"))
        body.addWidget(field("What is predicted:", card.predicts))
        body.addWidget(field("What the loss compares:", card.loss_compares))
        self.buttons = {}
        for question, options, first_key in (
            ("The loss compares predicted and actual …", ANSWERS, 1),
            ("So the model is biased toward …", BIASES, 3),
        ):
            body.addWidget(label(question, "heading"))
            row = QHBoxLayout()
            kind = "answer" if options is ANSWERS else "bias"
            for offset, (value, text) in enumerate(options.items()):
                b = button(f"{first_key + offset}  {text}", f"Answer '{text}' (key {first_key + offset})", clip=True)
                b.clicked.connect(lambda _=False, kind=kind, value=value: self.answer(kind, value))
                self.buttons[(kind, value)] = b
                row.addWidget(b)
            body.addLayout(row)
        self.feedback = label("", "feedback", rich=True)
        self.explanation = label("")
        body.addWidget(self.feedback)
        body.addWidget(self.explanation)
        if card.live:
            chapter = self.lesson.chapter(card.live)
            title = chapter.title if chapter else card.live
            b = button(f"Show it live: {title}  (L)", "Set the app up for the live comparison", clip=True)
            b.clicked.connect(lambda _=False: self.liveRequested.emit(card.live))
            body.addWidget(b)
        if card.reference:
            body.addWidget(label(card.reference, "muted"))
        body.addStretch(1)

    def answer(self, kind: str, value: str) -> None:
        """Record one of the two answers and show at once whether it is right; the explanation once both are in."""
        card = self.lesson.cards[self.index]
        self.chosen[kind] = value
        for (k, v), b in self.buttons.items():
            if k == kind:
                b.setProperty("state", "right" if v == getattr(card, kind) else "wrong" if v == value else "")
                b.style().unpolish(b)
                b.style().polish(b)
        lines = []
        for k, question in (("answer", "Compares"), ("bias", "Biased toward")):
            if k in self.chosen:
                ok = self.chosen[k] == getattr(card, k)
                truth = ANSWERS[card.answer] if k == "answer" else BIASES[card.bias]
                colour = style.GOOD if ok else style.BAD
                verdict = "✓ right" if ok else f"✗ not quite: {html.escape(truth)}"
                lines.append(f"<span style='color:{colour}'><b>{question}: {verdict}</b></span>")
        self.feedback.setText("<br>".join(lines))
        if len(self.chosen) == 2:
            self.explanation.setText(card.explanation)
            correct = self.chosen["answer"] == card.answer and self.chosen["bias"] == card.bias
            self.progress.answer_card(card.id, self.chosen["answer"], self.chosen["bias"], correct)
            self._show_score()

    def key(self, key: int) -> bool:
        if key in self.KEYS:
            self.answer(*self.KEYS[key])
            return True
        card = self.lesson.cards[self.index]
        if key == Qt.Key_L and card.live:
            self.liveRequested.emit(card.live)
            return True
        return False


class ScopePage(Page):
    """A claim and its evidence; the learner writes what was measured, then reveals the model answer (Ctrl+Enter)."""

    liveRequested = Signal(str)

    def __init__(self, lesson: Lesson, progress: Progress) -> None:
        super().__init__()
        self.lesson, self.progress = lesson, progress
        self.index = 0
        self.editor = QPlainTextEdit()
        self.answer_box = QWidget()

    @property
    def count(self) -> int:
        return len(self.lesson.claims)

    def show(self, index: int) -> None:
        self.clear()
        self.index = index
        claim = self.lesson.claims[index]
        body = self.body
        live = "  ·  can be tested live in the app" if claim.live else ""
        body.addWidget(label(f"Claim {index + 1} of {self.count}{live}", "muted"))
        body.addWidget(label(f"“{claim.claim}”", "title"))
        body.addWidget(field("Evidence:", claim.evidence))
        body.addWidget(
            label(
                "What did the evidence operationally measure (input, output, metric, baseline, data)? "
                "Does the claim stay inside it?",
                "heading",
            )
        )
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Your answer… (Ctrl+Enter shows the model answer; Esc leaves the text box)")
        self.editor.setPlainText(self.progress.scope.get(claim.id, ""))
        self.editor.setMinimumHeight(90)
        self.editor.setMaximumHeight(160)
        body.addWidget(self.editor)
        row = QHBoxLayout()
        row.addWidget(
            button("Show the model answer  (Ctrl+Enter)", "Save your answer and compare it with the model answer", self.reveal)
        )
        if claim.live:
            b = button("Test it live  (L)", "Set the app up to test this claim")
            b.clicked.connect(lambda _=False: self.liveRequested.emit(claim.live))
            row.addWidget(b)
        row.addStretch(1)
        body.addLayout(row)
        self.answer_box = QFrame()
        self.answer_box.setObjectName("modelAnswer")
        inner = QVBoxLayout(self.answer_box)
        for name in MEASURED_FIELDS:
            if name in claim.measured:
                inner.addWidget(field(f"{name.capitalize()}:", claim.measured[name]))
        colour = {"yes": style.GOOD, "partly": style.WARN, "no": style.BAD}[claim.inside]
        inner.addWidget(label(f"<b style='color:{colour}'>The claim {html.escape(claim.inside_text)}.</b>", rich=True))
        inner.addWidget(label(claim.model_answer))
        self.answer_box.hide()
        body.addWidget(self.answer_box)
        body.addStretch(1)

    def reveal(self) -> None:
        claim = self.lesson.claims[self.index]
        self.progress.answer_claim(claim.id, self.editor.toPlainText())
        self.answer_box.show()
        # once the layout has placed the box (next event-loop turn), scroll it into view
        QTimer.singleShot(0, lambda: self.ensureWidgetVisible(self.answer_box, 0, 24))

    def key(self, key: int) -> bool:
        claim = self.lesson.claims[self.index]
        if key in (Qt.Key_Return, Qt.Key_Enter):
            self.reveal()
            return True
        if key == Qt.Key_L and claim.live:
            self.liveRequested.emit(claim.live)
            return True
        if key == Qt.Key_W:  # write: into the text box
            self.editor.show()  # a just-built page's widgets are shown only at the next event-loop turn
            self.editor.setFocus()
            return True
        return False


class FlashcardPage(Page):
    """One term at a time: Space flips it, K marks it known, A asks again later; unknown cards come first."""

    def __init__(self, lesson: Lesson, progress: Progress, seed: int = 0) -> None:
        super().__init__()
        self.lesson, self.progress = lesson, progress
        self.index = 0
        self.flipped = False
        self.card_label = QLabel()
        self.order = list(range(len(lesson.flashcards)))
        random.Random(seed).shuffle(self.order)

    @property
    def count(self) -> int:
        return len(self.lesson.flashcards)

    @property
    def card(self):
        return self.lesson.flashcards[self.order[self.index]]

    def show(self, index: int) -> None:
        self.clear()
        self.index, self.flipped = index, False
        known = len(self.progress.known_flashcards() & {c.id for c in self.lesson.flashcards})
        body = self.body
        body.addWidget(label(f"Card {index + 1} of {self.count}  ·  {known} known", "muted"))
        self.card_label = label("", "flashcard", rich=True)
        self.card_label.setAlignment(Qt.AlignCenter)
        self.card_label.setMinimumHeight(200)
        body.addWidget(self.card_label, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        for text, tip, slot in (
            ("Flip  (Space)", "Show the other side", self.flip),
            ("Known  (K)", "I knew it: mark it known and go on", lambda: self.mark(True)),
            ("Again  (A)", "Not yet: keep it in the deck and go on", lambda: self.mark(False)),
        ):
            row.addWidget(button(text, tip, lambda _=False, slot=slot: slot()))
        row.addStretch(1)
        body.addLayout(row)
        self._paint()

    def _paint(self) -> None:
        card = self.card
        if self.flipped:
            text = f"<div style='color:{style.MUTED}'>{html.escape(card.term)}</div><p>{html.escape(card.definition)}</p>"
        else:
            text = f"<b>{html.escape(card.term)}</b>"
        self.card_label.setText(text)
        self.card_label.setProperty("side", "back" if self.flipped else "front")
        self.card_label.style().unpolish(self.card_label)
        self.card_label.style().polish(self.card_label)

    def flip(self) -> None:
        self.flipped = not self.flipped
        self._paint()

    def mark(self, known: bool) -> None:
        """Save the answer and move to the next card not yet known (or the next one, when all are)."""
        self.progress.mark_flashcard(self.card.id, known)
        known_ids = self.progress.known_flashcards()
        for step in range(1, self.count + 1):
            candidate = (self.index + step) % self.count
            if self.lesson.flashcards[self.order[candidate]].id not in known_ids:
                self.show(candidate)
                return
        self.show((self.index + 1) % self.count)

    def key(self, key: int) -> bool:
        actions = {Qt.Key_Space: self.flip, Qt.Key_K: lambda: self.mark(True), Qt.Key_A: lambda: self.mark(False)}
        if key in actions:
            actions[key]()
            return True
        return False
