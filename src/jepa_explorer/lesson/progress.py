"""The learner's progress, kept in one JSON file in the user's data folder and written atomically.

Where: ``$JEPA_EXPLORER_DATA`` if set; else the platform's per-user data folder ($XDG_DATA_HOME or
~/.local/share on Linux, ~/Library/Application Support on macOS, %APPDATA% on Windows), under
``jepa-explorer/lesson-progress.json``. A damaged file is set aside (``.damaged``) and a fresh record starts,
so a broken save never stops a lesson.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

APP_FOLDER = "jepa-explorer"
FILE_NAME = "lesson-progress.json"
FORMAT = 1


def data_dir() -> Path:
    env = os.environ.get("JEPA_EXPLORER_DATA")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_FOLDER


def default_progress_path() -> Path:
    return data_dir() / FILE_NAME


@dataclass
class Progress:
    """What the learner did: the chapter they were on, answers given, flashcards known."""

    path: Path
    chapter: str = ""
    visited: list[str] = field(default_factory=list)
    classification: dict[str, dict] = field(default_factory=dict)  # card id -> {"answer", "bias", "correct"}
    scope: dict[str, str] = field(default_factory=dict)  # claim id -> the learner's own answer
    flashcards: dict[str, dict] = field(default_factory=dict)  # flashcard id -> {"known": bool, "reviews": int}
    notice: str = ""  # set when a damaged file was set aside or the file cannot be written

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Progress:
        path = Path(path) if path is not None else default_progress_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("unknown format")
            return cls(
                path,
                chapter=str(data.get("chapter", "")),
                visited=[str(v) for v in data.get("visited", [])],
                classification=dict(data.get("classification", {})),
                scope={str(k): str(v) for k, v in data.get("scope", {}).items()},
                flashcards=dict(data.get("flashcards", {})),
            )
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, TypeError, AttributeError) as e:
            damaged = path.with_name(path.name + ".damaged")
            try:
                os.replace(path, damaged)
            except OSError:
                pass
            return cls(path, notice=f"{path}: the saved progress could not be read ({e}); it was moved to {damaged.name}")

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "chapter": self.chapter,
            "visited": self.visited,
            "classification": self.classification,
            "scope": self.scope,
            "flashcards": self.flashcards,
        }

    # ------------------------------------------------------------ updates (each saves)

    def visit(self, chapter_id: str) -> None:
        self.chapter = chapter_id
        if chapter_id not in self.visited:
            self.visited.append(chapter_id)
        self.save()

    def answer_card(self, card_id: str, answer: str, bias: str, correct: bool) -> None:
        self.classification[card_id] = {"answer": answer, "bias": bias, "correct": bool(correct)}
        self.save()

    def answer_claim(self, claim_id: str, text: str) -> None:
        self.scope[claim_id] = text
        self.save()

    def mark_flashcard(self, card_id: str, known: bool) -> None:
        record = self.flashcards.setdefault(card_id, {"known": False, "reviews": 0})
        record["known"] = bool(known)
        record["reviews"] = int(record.get("reviews", 0)) + 1
        self.save()

    def known_flashcards(self) -> set[str]:
        return {k for k, v in self.flashcards.items() if isinstance(v, dict) and v.get("known")}

    def save(self) -> None:
        """Write to a temporary file beside the target, flush it to disk, then rename over the old one: a crash
        leaves the old file or the new one, never half of one. A read-only folder is not fatal to the lesson."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(self.to_json(), f, indent=1)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:
            self.notice = f"{self.path}: cannot save the lesson progress ({e.strerror}); check the folder is writable"
