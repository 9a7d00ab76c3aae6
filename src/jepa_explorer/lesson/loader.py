"""Read a lesson content folder (every ``*.toml`` in it) into a ``Lesson``, collecting every problem with its
file and line rather than stopping at the first. The format is described in ``docs/lesson-format.md``.

``check_folder`` returns the lesson (None when anything is wrong) and the problems; ``load_lesson`` raises
``LessonError`` naming them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

from jepa_explorer.errors import LessonError
from jepa_explorer.lesson import names
from jepa_explorer.lesson.model import (
    ANSWERS,
    BIASES,
    INSIDE,
    MEASURED_FIELDS,
    Chapter,
    ClassificationCard,
    Flashcard,
    Lesson,
    ScopeClaim,
    Setup,
    Source,
)
from jepa_explorer.lesson.toml_lines import key_lines, line_of

CONTENT_ENV = "JEPA_EXPLORER_LESSON"  # a lecturer's own content folder instead of the bundled one
EXERCISES = ("classification", "scope", "flashcards")
MAX_LOOK_AT_SENTENCES = 4  # "two or three sentences", with room for a short one

# fields of each kind of entry: (required, optional)
FIELDS = {
    "chapter": (("id", "title", "objective", "look_at", "setup"), ("stages", "next", "exercise")),
    "card": (("id", "method", "predicts", "loss_compares", "answer", "bias", "explanation"), ("live", "reference")),
    "claim": (("id", "claim", "evidence", "measured", "inside", "model_answer"), ("live",)),
    "flashcard": (("term", "definition"), ("id",)),
}
SETUP_FIELDS = (("label", "model", "sample", "preset", "panel"), ("mode",))
TOP_LEVEL = ("lesson", *FIELDS)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TOML_ERROR_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def to_json(self) -> dict:
        return {"file": str(self.file), "line": self.line, "message": self.message}


def bundled_content_dir() -> Path:
    return Path(__file__).resolve().parent / "content"


def default_content_dir() -> Path:
    """$JEPA_EXPLORER_LESSON when set (a lecturer's folder), else the content shipped with the package."""
    env = os.environ.get(CONTENT_ENV)
    return Path(env) if env else bundled_content_dir()


def load_lesson(folder: str | Path | None = None, known: names.KnownNames | None = None) -> Lesson:
    """The lesson in `folder` (default: ``default_content_dir()``); LessonError listing every problem."""
    folder = Path(folder) if folder is not None else default_content_dir()
    lesson, problems = check_folder(folder, known)
    if problems:
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise LessonError(f"{folder}: {len(problems)} problem(s) in the lesson content: {shown}{more}")
    assert lesson is not None
    return lesson


def check_folder(folder: str | Path, known: names.KnownNames | None = None) -> tuple[Lesson | None, list[Problem]]:
    """Parse and validate every ``*.toml`` in `folder`. `known`: names a set-up may use (default: this install's)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None, [Problem(folder, 0, "not a folder; give the folder that holds the lesson's .toml files")]
    files = sorted(folder.glob("*.toml"))
    if not files:
        return None, [Problem(folder, 0, "no .toml files here; a lesson folder holds chapters.toml, classification.toml, …")]
    reader = _Reader(known if known is not None else names.KnownNames.from_resources())
    for path in files:
        reader.read_file(path)
    return reader.finish(folder)


def _paragraphs(text: str) -> str:
    """Text as written in a TOML multi-line string: single newlines join lines, blank lines separate paragraphs."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(line.strip() for line in block.splitlines()) for block in blocks)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Reader:
    def __init__(self, known: names.KnownNames) -> None:
        self.known = known
        self.problems: list[Problem] = []
        self.items: dict[str, list] = {kind: [] for kind in FIELDS}
        self.title = ""
        self.live_refs: list[tuple[Source, str]] = []  # (where, chapter id) checked once every chapter is read

    # ------------------------------------------------------------ files

    def read_file(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            self.problems.append(Problem(path, 0, f"cannot read the file ({e}); save it as UTF-8 text"))
            return
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            match = TOML_ERROR_LINE.search(str(e))
            self.problems.append(
                Problem(path, int(match.group(1)) if match else 0, f"not valid TOML: {e}; fix the syntax (quotes, brackets, '=')")
            )
            return
        self.path, self.lines = path, key_lines(text)
        for key, value in data.items():
            if key not in TOP_LEVEL:
                self._problem((key,), f"unknown table '{key}'; use [[chapter]], [[card]], [[claim]], [[flashcard]] or [lesson]")
            elif key == "lesson":
                self._read_meta(value)
            elif not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                self._problem((key,), f"'{key}' must be an array of tables: write each entry under its own [[{key}]] header")
            else:
                for index, entry in enumerate(value):
                    item = getattr(self, f"_read_{key}")(entry, (key, index))
                    if item is not None:
                        self.items[key].append(item)

    def _read_meta(self, value: Any) -> None:
        if isinstance(value, dict) and isinstance(value.get("title"), str) and value["title"].strip():
            self.title = value["title"].strip()
        else:
            self._problem(("lesson",), '[lesson] must hold a non-empty title = "..."')

    def finish(self, folder: Path) -> tuple[Lesson | None, list[Problem]]:
        chapter_ids = {c.id for c in self.items["chapter"]}
        for where, target in self.live_refs:
            if target not in chapter_ids:
                known = ", ".join(sorted(chapter_ids)) or "none"
                self.problems.append(
                    Problem(where.file, where.line, f"live = '{target}' names no chapter; use a chapter id ({known})")
                )
        for kind, items in self.items.items():
            seen: dict[str, Source] = {}
            for item in items:
                if item.id in seen:
                    first = seen[item.id]
                    self.problems.append(
                        Problem(
                            item.source.file,
                            item.source.line,
                            f"{kind} id '{item.id}' is used twice (first at {first}); give each a unique id",
                        )
                    )
                seen.setdefault(item.id, item.source)
        if not any(self.items.values()) and not self.problems:
            self.problems.append(Problem(folder, 0, "the .toml files hold no chapters, cards, claims or flashcards"))
        if self.problems:
            return None, self.problems
        lesson = Lesson(
            folder,
            tuple(self.items["chapter"]),
            tuple(self.items["card"]),
            tuple(self.items["claim"]),
            tuple(self.items["flashcard"]),
            title=self.title or Lesson.title,
        )
        return lesson, []

    # ------------------------------------------------------------ helpers

    def _problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.path, line_of(self.lines, path), message))

    def _source(self, path: tuple) -> Source:
        return Source(self.path, line_of(self.lines, path))

    def _fields(self, entry: dict, path: tuple, kind: str, fields: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
        """Missing and unknown keys; True when every required one is there."""
        required, optional = fields
        ok = True
        for key in required:
            if key not in entry:
                self._problem(path, f"this {kind} has no '{key}'; add {key} = ...")
                ok = False
        for key in entry:
            if key not in required and key not in optional:
                allowed = ", ".join(required + optional)
                self._problem(path + (key,), f"unknown key '{key}' in a {kind}; the keys are {allowed}")
        return ok

    def _text(self, entry: dict, path: tuple, key: str, kind: str) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str) or not value.strip():
            self._problem(path + (key,), f"'{key}' of this {kind} must be non-empty text in quotes")
            return ""
        return _paragraphs(value)

    def _choice(self, entry: dict, path: tuple, key: str, choices, kind: str) -> str:
        value = entry.get(key, "")
        if value not in choices:
            allowed = ", ".join(f'"{c}"' for c in choices)
            self._problem(path + (key,), f"{key} = {value!r} in a {kind}; use one of {allowed}")
        return value

    def _id(self, entry: dict, path: tuple, kind: str, fallback: str = "") -> str:
        value = entry.get("id", fallback)
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self._problem(
                path + ("id",), f"id {value!r} of this {kind}: use lower-case letters, digits and '-' (e.g. \"surface-tax\")"
            )
            return str(value)
        return value

    def _live(self, entry: dict, path: tuple) -> str:
        value = entry.get("live", "")
        if not isinstance(value, str):
            self._problem(path + ("live",), "live must be a chapter id in quotes")
            return ""
        if value:
            self.live_refs.append((self._source(path + ("live",)), value))
        return value

    # ------------------------------------------------------------ entries

    def _read_chapter(self, entry: dict, path: tuple) -> Chapter | None:
        if not self._fields(entry, path, "chapter", FIELDS["chapter"]):
            return None
        look_at = self._text(entry, path, "look_at", "chapter")
        sentences = len(re.findall(r"[.!?](?:\s|$)", look_at))
        if sentences > MAX_LOOK_AT_SENTENCES:
            self._problem(path + ("look_at",), f"look_at has {sentences} sentences; keep it to two or three (what to look at)")
        stages = entry.get("stages", [])
        if not isinstance(stages, list) or not all(isinstance(s, str) and s.strip() for s in stages):
            self._problem(path + ("stages",), 'stages must be a list of non-empty texts: stages = ["…", "…"]')
            stages = []
        exercise = entry.get("exercise", "")
        if exercise:
            self._choice(entry, path, "exercise", EXERCISES, "chapter")
        raw_setups = entry["setup"]
        if isinstance(raw_setups, dict):  # a single [chapter.setup] table
            raw_setups = [raw_setups]
        if not isinstance(raw_setups, list) or not raw_setups or not all(isinstance(s, dict) for s in raw_setups):
            self._problem(path + ("setup",), "setup must be one or more [[chapter.setup]] tables")
            raw_setups = []
        setups = [self._read_setup(s, path + ("setup", i)) for i, s in enumerate(raw_setups)]
        return Chapter(
            id=self._id(entry, path, "chapter"),
            title=self._text(entry, path, "title", "chapter"),
            objective=self._text(entry, path, "objective", "chapter"),
            look_at=look_at,
            setups=tuple(s for s in setups if s is not None),
            stages=tuple(_paragraphs(s) for s in stages),
            next=_paragraphs(entry["next"]) if isinstance(entry.get("next"), str) else "",
            exercise=exercise if exercise in EXERCISES else "",
            source=self._source(path),
        )

    def _read_setup(self, entry: dict, path: tuple) -> Setup | None:
        if not self._fields(entry, path, "set-up", SETUP_FIELDS):
            return None
        known = self.known
        model = self._text(entry, path, "model", "set-up")
        sample = self._text(entry, path, "sample", "set-up")
        if known.models and model and model not in known.models:
            self._problem(path + ("model",), f"model '{model}' is not bundled; use one of {', '.join(sorted(known.models))}")
        if known.samples and sample and sample not in known.samples:
            self._problem(
                path + ("sample",),
                f"sample '{sample}' is not in assets/samples or assets/clips; use one of {', '.join(sorted(known.samples))}",
            )
        preset = self._choice(entry, path, "preset", names.PRESETS, "set-up")
        panel = self._choice(entry, path, "panel", names.PANELS, "set-up")
        mode = entry.get("mode", "explore")
        self._choice({"mode": mode}, path, "mode", tuple(names.MODES), "set-up")
        video_model = model in known.video_models
        if known.models and model in known.models:  # the pieces must suit each other
            if sample in known.clips and not video_model or sample in known.images and video_model:
                kind = "a video" if video_model else "an image"
                self._problem(path + ("sample",), f"'{sample}' does not suit '{model}' ({kind} model); pick a matching sample")
            if preset in names.VIDEO_ONLY_PRESETS and not video_model:
                self._problem(path + ("preset",), f"preset '{preset}' needs a video model; use vjepa-… or another preset")
            if mode in ("video", "world") and not video_model:
                self._problem(path + ("mode",), f"mode '{mode}' needs a video model; choose one with model = ...")
            if mode == "surface-tax" and video_model:
                self._problem(path + ("mode",), "mode 'surface-tax' needs an image model (the MAE is an image model)")
        return Setup(self._text(entry, path, "label", "set-up"), model, sample, preset, panel, mode)

    def _read_card(self, entry: dict, path: tuple) -> ClassificationCard | None:
        if not self._fields(entry, path, "card", FIELDS["card"]):
            return None
        return ClassificationCard(
            id=self._id(entry, path, "card"),
            method=self._text(entry, path, "method", "card"),
            predicts=self._text(entry, path, "predicts", "card"),
            loss_compares=self._text(entry, path, "loss_compares", "card"),
            answer=self._choice(entry, path, "answer", tuple(ANSWERS), "card"),
            bias=self._choice(entry, path, "bias", tuple(BIASES), "card"),
            explanation=self._text(entry, path, "explanation", "card"),
            live=self._live(entry, path),
            reference=_paragraphs(entry["reference"]) if isinstance(entry.get("reference"), str) else "",
            source=self._source(path),
        )

    def _read_claim(self, entry: dict, path: tuple) -> ScopeClaim | None:
        if not self._fields(entry, path, "claim", FIELDS["claim"]):
            return None
        measured = entry["measured"]
        if not isinstance(measured, dict):
            self._problem(
                path + ("measured",), "measured must be a table: [claim.measured] with input, output, metric, baseline, data"
            )
            measured = {}
        else:
            self._fields(measured, path + ("measured",), "measured table", (MEASURED_FIELDS, ()))
        return ScopeClaim(
            id=self._id(entry, path, "claim"),
            claim=self._text(entry, path, "claim", "claim"),
            evidence=self._text(entry, path, "evidence", "claim"),
            measured={
                k: self._text(measured, path + ("measured",), k, "measured table") for k in MEASURED_FIELDS if k in measured
            },
            inside=self._choice(entry, path, "inside", tuple(INSIDE), "claim"),
            model_answer=self._text(entry, path, "model_answer", "claim"),
            live=self._live(entry, path),
            source=self._source(path),
        )

    def _read_flashcard(self, entry: dict, path: tuple) -> Flashcard | None:
        if not self._fields(entry, path, "flashcard", FIELDS["flashcard"]):
            return None
        term = self._text(entry, path, "term", "flashcard")
        return Flashcard(
            id=self._id(entry, path, "flashcard", fallback=_slug(term)),
            term=term,
            definition=self._text(entry, path, "definition", "flashcard"),
            source=self._source(path),
        )
