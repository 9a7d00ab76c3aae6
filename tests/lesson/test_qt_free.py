"""The lesson core is Qt-free and light: the app model can use it, and `lesson --check` starts fast."""

import subprocess
import sys

LESSON = ["jepa_explorer.lesson", "jepa_explorer.lesson.loader", "jepa_explorer.lesson.host", "jepa_explorer.lesson.commands"]


def test_lesson_core_imports_no_qt_and_no_torch():
    code = "import sys; " + "; ".join(f"import {m}" for m in LESSON) + "; print('\\n'.join(sys.modules))"
    modules = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert not {m for m in modules if m.startswith(("PySide6", "pyqtgraph", "shiboken6", "torch"))}
