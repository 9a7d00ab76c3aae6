"""Known-bad Qt binding releases, refused with a clear message instead of a crash mid-lecture.

PySide6(-Essentials) 6.12.0 on CPython < 3.12: every call of a void C++ method (`setPos`, `setText`,
`setVisible`…) takes a reference from `None` that it never gave. After some tens of thousands of
calls — about a minute of painting — the count reaches zero and the interpreter aborts ("none_dealloc:
deallocating None"). 6.11.3 does not leak (measured); pyproject excludes 6.12.0, and this check
catches an environment that has it anyway. It measures the leak rather than trusting version numbers.
"""

from __future__ import annotations

import sys


def none_refcount_leaks(calls: int = 1000) -> bool:
    """True when void PySide6 calls take references from None."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= calls * 9 // 10


def binding_problem() -> str | None:
    """A one-sentence reason the installed Qt binding cannot run the app, or None."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or not none_refcount_leaks():
        return None
    import PySide6

    return (
        f"PySide6 {PySide6.__version__} has a reference-count bug that crashes Python {sys.version_info.major}."
        f"{sys.version_info.minor} after about a minute of use; install another release: "
        "pip install 'PySide6-Essentials!=6.12.0' (6.11.3 works), or use Python 3.12 or newer."
    )
