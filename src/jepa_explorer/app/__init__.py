"""The app model: the explorer's state and rules, free of Qt (``AppModel`` in ``model.py``).

``gui/`` views listen to its events and send it intents; a notebook or a test drives it the same way with
a fake or a synchronous backend. ``mask_edit`` (brush, undo), ``presets``, ``scene``, ``results`` (the
numbers the panels show) and ``stages`` (the step-through's text) are its parts.
"""
