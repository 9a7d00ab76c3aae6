"""Lesson mode's Qt view: a keyboard-driven panel over the Qt-free ``jepa_explorer.lesson`` core."""

from jepa_explorer.gui.lesson.panel import LessonPanel

__all__ = ["LessonPanel"]
