"""The desktop app (PySide6 + pyqtgraph): the only package that imports Qt, and it holds only view state.

The app's state is the Qt-free `app.model.AppModel`; `main_window.MainWindow` assembles the views
(`canvas.CanvasView`, `timeline.Timeline`, `legend.MaskLegend`, `panels.*`, `presentation.Presentation`,
`step_through.StepThrough`, `status.StatusBar`), each bound to the app model's events, around one model
worker (`worker.ModelWorker`, which owns the engine Session in its own thread). Commands are the table in
`actions.py`; dialogs and exports go through `files.py`.
"""
