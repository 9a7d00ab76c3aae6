"""A Qt binding with the None reference leak is refused with a clear sentence, not a crash later."""

from jepa_explorer.gui import compat


def test_installed_binding_is_usable():
    assert compat.binding_problem() is None


def test_leaky_binding_is_refused(monkeypatch):
    import sys

    if sys.version_info >= (3, 12):
        return  # immortal singletons: the leak cannot crash these interpreters
    monkeypatch.setattr(compat, "none_refcount_leaks", lambda calls=1000: True)
    message = compat.binding_problem()
    assert "reference-count bug" in message and "PySide6-Essentials!=6.12.0" in message
