"""The lesson's content as plain, frozen data: chapters, classification cards, scope claims, flashcards.

Nothing here reads files or knows about Qt; ``loader`` builds these from a content folder and the GUI
only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# the two questions of a classification card, and the words the learner sees for each answer
ANSWERS = {"raw": "raw outputs", "representations": "representations"}
BIASES = {"surface": "surface detail", "semantic": "semantic, predictable structure"}
INSIDE = {"yes": "stays inside the evidence", "partly": "partly inside the evidence", "no": "goes beyond the evidence"}
MEASURED_FIELDS = ("input", "output", "metric", "baseline", "data")


@dataclass(frozen=True)
class Source:
    """Where an item was written: shown in errors and in the lecturer's tooltip."""

    file: Path
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Setup:
    """One click's worth of app state (see ``host.apply_setup``)."""

    label: str
    model: str
    sample: str
    preset: str
    panel: str
    mode: str = "explore"


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    objective: str
    look_at: str  # two or three sentences: what to look at once it is set up
    setups: tuple[Setup, ...]
    stages: tuple[str, ...] = ()  # named steps and where each happens on screen (the JEPA loop)
    next: str = ""  # a pointer to what comes later (world-model mode before it exists)
    exercise: str = ""  # "classification", "scope" or "flashcards": the chapter's exercise, if any
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ClassificationCard:
    id: str
    method: str
    predicts: str  # what the model is asked to produce
    loss_compares: str  # what the loss puts side by side
    answer: str  # key of ANSWERS
    bias: str  # key of BIASES
    explanation: str
    live: str = ""  # a chapter id whose set-up shows this in the app
    reference: str = ""
    source: Source | None = field(default=None, compare=False)

    @property
    def answer_text(self) -> str:
        return ANSWERS[self.answer]

    @property
    def bias_text(self) -> str:
        return BIASES[self.bias]


@dataclass(frozen=True)
class ScopeClaim:
    id: str
    claim: str
    evidence: str
    measured: dict[str, str]  # MEASURED_FIELDS -> what the evidence operationally measured
    inside: str  # key of INSIDE
    model_answer: str
    live: str = ""  # a chapter id whose set-up lets the learner test it
    source: Source | None = field(default=None, compare=False)

    @property
    def inside_text(self) -> str:
        return INSIDE[self.inside]


@dataclass(frozen=True)
class Flashcard:
    id: str
    term: str
    definition: str
    source: Source | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Lesson:
    folder: Path
    chapters: tuple[Chapter, ...] = ()
    cards: tuple[ClassificationCard, ...] = ()
    claims: tuple[ScopeClaim, ...] = ()
    flashcards: tuple[Flashcard, ...] = ()
    title: str = "JEPA Explorer lesson"

    def counts(self) -> dict[str, int]:
        return {
            "chapters": len(self.chapters),
            "classification_cards": len(self.cards),
            "scope_claims": len(self.claims),
            "flashcards": len(self.flashcards),
        }

    def chapter(self, chapter_id: str) -> Chapter | None:
        return next((c for c in self.chapters if c.id == chapter_id), None)
