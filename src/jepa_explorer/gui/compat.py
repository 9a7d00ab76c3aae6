"""Work-arounds for bugs in the Qt binding that the app cannot avoid by writing different code.

PySide6 6.12 on CPython < 3.12: every call of a void C++ method (`setPos`, `setText`, `setVisible`…)
takes one reference from `None` without having given one, and some paths do the same to `True` and
`False` (3.12+ made these singletons immortal, which hides it). After some tens of thousands of calls
— a minute of painting — a count reaches zero and the interpreter aborts with "none_dealloc:
deallocating None" (or "bool_dealloc"). We detect the leak at start-up and, only then, give the
singletons a reference count so large that the leak cannot exhaust it (2**48 calls).
"""

from __future__ import annotations

import ctypes
import sys

_PROTECTED = False


def none_refcount_leaks(calls: int = 1000) -> bool:
    """True when void PySide6 calls take references from None (measured, not assumed by version)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= calls * 9 // 10


def protect_none() -> bool:
    """Apply the work-around where needed; returns whether it was applied (once per process)."""
    global _PROTECTED
    if _PROTECTED:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or not none_refcount_leaks():
        return False
    for singleton in (None, True, False, Ellipsis, NotImplemented):
        # ob_refcnt is the first field of every CPython object, at id(obj)
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 48
    _PROTECTED = True
    return True
