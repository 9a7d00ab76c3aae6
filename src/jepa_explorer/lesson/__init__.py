"""Lesson mode's Qt-free core: the content format (``loader``, ``docs/lesson-format.md``), the content as data
(``model``), one-click chapter set-ups through ``host.LessonHost``, and the learner's saved progress."""

from jepa_explorer.lesson.host import LessonHost, apply_setup, describe_setup
from jepa_explorer.lesson.loader import Problem, check_folder, default_content_dir, load_lesson
from jepa_explorer.lesson.model import Lesson
from jepa_explorer.lesson.progress import Progress

__all__ = [
    "LessonHost",
    "Lesson",
    "Problem",
    "Progress",
    "apply_setup",
    "check_folder",
    "default_content_dir",
    "describe_setup",
    "load_lesson",
]
